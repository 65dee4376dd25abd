// Synthetic posts for benchmarks and scale tests: about 200 characters written by an order-3 character
// Markov chain trained on the corpus, so they read like it (same characters, words and punctuation)
// without copying whole corpus posts, and two new posts are different claims, as most posts in a
// real stream are. One in four repeats an earlier post as a repost (a prefix, an appended comment or a
// changed punctuation mark), so clusters grow as they do when a claim spreads. Deterministic per seed.
import { loadCorpus } from './index.ts';
import { mulberry32 } from '../random.ts';

const PLACES = ['青石镇', '柳河村', '东关社区', '西坝', '南塘镇', '北山村', '梨花湾小区', '新华路', '城南街道', '白马村'];
const PREFIXES = ['转发：', '【扩散】', '//@本地生活圈: ', '紧急通知！', '大家注意，'];
const SUFFIXES = ['大家注意', '太可怕了', '求证', '同问', '说得好'];
/** Characters an edited post takes in place of others (common characters). */
export const FILLER = '的一是了我不人在有这个上们来到时大地为中你说生年着就那和要出也得里后自以会家可下过天去能对小多然心么之都好看起发当没成只如事把还用第样道想作种开总从无情己面最但现前些所同日手又行意动方期它头经长回位分老因很给名法间知世什两次使身者被高已亲其进此话常与活正感';

/** A stream of synthetic post texts for a seed. */
export function syntheticPosts(seed: number): () => string {
  const rand = mulberry32(seed);
  const chain = markov();
  const recent: string[] = [];
  return () => {
    let text: string;
    if (recent.length > 50 && rand() < 0.25) {
      const base = recent[Math.floor(rand() * recent.length)]!;
      const r = rand();
      text = r < 0.4 ? PREFIXES[Math.floor(rand() * PREFIXES.length)] + base : r < 0.8 ? `${base} ${SUFFIXES[Math.floor(rand() * SUFFIXES.length)]}` : base.replace(/[，。]/, '！');
    } else {
      text = `${PLACES[Math.floor(rand() * PLACES.length)]}${chain(rand, 190)}`;
      recent.push(text);
      if (recent.length > 2000) recent.splice(0, 1000);
    }
    return text;
  };
}

/** `text` with about one character in `every` replaced by a common one (at least one). */
export function rewritten(text: string, every: number, rand: () => number): string {
  const chars = [...text];
  const n = Math.max(1, Math.round(chars.length / every));
  for (let k = 0; k < n; k++) chars[Math.floor(rand() * chars.length)] = FILLER[Math.floor(rand() * FILLER.length)]!;
  return chars.join('');
}

let chainCache: ((rand: () => number, length: number) => string) | undefined;
function markov() {
  if (chainCache) return chainCache;
  const ORDER = 3;
  const next = new Map<string, string[]>();
  const starts: string[] = [];
  for (const { text } of loadCorpus().all) {
    const t = [...text];
    if (t.length <= ORDER) continue;
    starts.push(t.slice(0, ORDER).join(''));
    for (let i = 0; i + ORDER < t.length; i++) {
      const k = t.slice(i, i + ORDER).join('');
      (next.get(k) ?? next.set(k, []).get(k)!).push(t[i + ORDER]!);
    }
  }
  chainCache = (rand, length) => {
    let state = starts[Math.floor(rand() * starts.length)]!;
    let out = state;
    let len = [...out].length;
    while (len < length) {
      const options = next.get(state);
      if (!options) {
        state = starts[Math.floor(rand() * starts.length)]!;
        out += '，' + state;
        len += 1 + [...state].length;
        continue;
      }
      const c = options[Math.floor(rand() * options.length)]!;
      out += c;
      len++;
      state = [...state].slice(1).join('') + c;
    }
    return out;
  };
  return chainCache;
}
