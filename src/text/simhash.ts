// Near-duplicate detection for opinion posts: one claim spreading as reposts, 转发/【扩散】 prefixes,
// punctuation changes, appended comments and a few changed words.
//
// Everything works on the *dedup form* of a normalised post: only letters, digits and Han characters,
// with repost boilerplate (转发, 扩散, 紧急通知, 转发保平安, …) removed. Over it:
// - `textHash`: 64-bit hash (16 hex) of the dedup form: exact repeats, whatever their punctuation.
// - `simhash`: 64-bit SimHash (16 hex) over character 3-gram shingles.
// - candidate keys (`signature(...).keys`): banded LSH keys to look candidates up in a table —
//   SimHash bands ("b0:3fa2", 4 × 16 bits: every pair within Hamming distance 3 shares one) and
//   MinHash bands ("m0:9c01e2ff", 8 bands × 2 rows over the shingle set: pairs with Jaccard ≥ 0.5 share
//   one with probability ≥ 0.9), plus the text hash ("t:…"). MinHash keys carry the fuzzy recall and are
//   32-bit, so the number of chance candidates stays flat as the table grows.
// - `nearDuplicate`: the final decision on a candidate pair, from the shingle sets (Jaccard and
//   containment: an appended comment or a prefix leaves the shorter post contained in the longer).
// - `ClusterIndex`: the in-memory model of the server's clustering (look candidates up by key, verify,
//   join the first verified candidate's cluster, else start one), used by the quality test so that test
//   and server agree.
// No BigInt: 64-bit values are two uint32 halves, written as 16 hex characters (high half first).

// ---- tuning (chosen on the training split only; see docs/opinion-text.md) ---------------------------

export const DEDUP = {
  shingle: 3,
  /** Jaccard of shingle sets at or above which two posts are the same claim. */
  jaccard: 0.5,
  /** Containment (|A∩B| / |smaller|) at or above which the shorter post is inside the longer one… */
  containment: 0.8,
  /** …provided the shorter has at least this share of the longer's shingles (no short post swallowed). */
  sizeRatio: 0.3,
  /** MinHash bands × rows. */
  bands: 8,
  rows: 2,
  /** SimHash bands (16 bits each). */
  simBands: 4,
} as const;

// Repost boilerplate: removed from the dedup form (the classifier still sees it in the normalised text).
const BOILERPLATE = [
  '转发保平安', '转发微博', '紧急扩散', '紧急通知', '紧急转发', '扩散周知', '请扩散', '求扩散', '快转发', '快扩散',
  '转给家人', '转发', '扩散', '转自', '速看', '必看', '重要通知', '大家注意', '重要提醒', '最新消息', '同问',
  '真的假的', '是真的吗', '求证',
];
const BOILER_RE = new RegExp(BOILERPLATE.sort((a, b) => b.length - a.length).join('|'), 'g');

const WORD = new Uint8Array(65536);
(function () {
  for (let c = 0x30; c <= 0x39; c++) WORD[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) WORD[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) WORD[c] = 1;
  for (let c = 0x3400; c <= 0x4dbf; c++) WORD[c] = 1;
  for (let c = 0x4e00; c <= 0x9fff; c++) WORD[c] = 1;
  for (let c = 0xf900; c <= 0xfaff; c++) WORD[c] = 1;
  for (let c = 0xd800; c <= 0xdfff; c++) WORD[c] = 1;
  for (let c = 0xc0; c <= 0x24f; c++) WORD[c] = 1;
})();

let cbuf = new Uint16Array(1024);

/** The dedup form of a normalised text: letters, digits and Han only, repost boilerplate removed. */
export function dedupForm(normalizedText: string): string {
  const n = normalizedText.length;
  if (cbuf.length < n) cbuf = new Uint16Array(n * 2);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = normalizedText.charCodeAt(i);
    if (WORD[c]) cbuf[o++] = c;
  }
  let s = o === n ? normalizedText : String.fromCharCode.apply(null, cbuf.subarray(0, o) as unknown as number[]);
  if (s.length > 1) s = s.replace(BOILER_RE, '');
  return s;
}

// ---- hashing primitives -----------------------------------------------------------------------------

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));
const hex32 = (x: number) => HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;

let shBuf = new Uint32Array(1024);

/** Shingle hashes (32-bit) of a dedup form, in text order (with repeats); returns the count. */
function shingles(form: string): number {
  const k = DEDUP.shingle;
  const n = form.length;
  const count = n >= k ? n - k + 1 : n > 0 ? 1 : 0;
  if (shBuf.length < count) shBuf = new Uint32Array(count * 2);
  if (n < k) {
    if (n > 0) {
      let h = 0x811c9dc5;
      for (let i = 0; i < n; i++) h = Math.imul(h ^ form.charCodeAt(i), 0x01000193);
      shBuf[0] = fmix(h);
    }
    return count;
  }
  for (let i = 0; i < count; i++) {
    let h = 0x811c9dc5;
    for (let j = 0; j < k; j++) h = Math.imul(h ^ form.charCodeAt(i + j), 0x01000193);
    shBuf[i] = fmix(h);
  }
  return count;
}

const ones = new Int32Array(64);

function simhashOf(count: number): string {
  if (count === 0) return '0000000000000000';
  ones.fill(0);
  for (let i = 0; i < count; i++) {
    const h = shBuf[i]!;
    const g = fmix(h ^ 0x5bd1e995);
    for (let b = 0; b < 32; b++) {
      ones[b]! += (h >>> b) & 1;
      ones[b + 32]! += (g >>> b) & 1;
    }
  }
  let hi = 0;
  let lo = 0;
  const half = count / 2;
  for (let b = 0; b < 32; b++) {
    if (ones[b]! > half) lo |= 1 << b;
    if (ones[b + 32]! > half) hi |= 1 << b;
  }
  return hex32(hi >>> 0) + hex32(lo >>> 0);
}

// MinHash: h_k(x) = fmix(x ^ seed_k); the minimum per k over the shingle set.
const MAX_PERM = 64;
const SEEDS = new Uint32Array(MAX_PERM);
for (let i = 0, s = 0x2545f491; i < MAX_PERM; i++) SEEDS[i] = s = fmix(s + 0x9e3779b9);
const mins = new Uint32Array(MAX_PERM);

function minhashKeys(count: number, out: string[]): void {
  if (count === 0) return;
  const perms = DEDUP.bands * DEDUP.rows;
  mins.fill(0xffffffff);
  for (let i = 0; i < count; i++) {
    const x = shBuf[i]!;
    for (let p = 0; p < perms; p++) {
      const v = fmix(x ^ SEEDS[p]!);
      if (v < mins[p]!) mins[p] = v;
    }
  }
  for (let b = 0; b < DEDUP.bands; b++) {
    let h = 0x9747b28c ^ b;
    for (let r = 0; r < DEDUP.rows; r++) h = fmix(Math.imul(h, 31) ^ mins[b * DEDUP.rows + r]!);
    out.push(`m${b}:${hex32(h)}`);
  }
}

function hash64(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01234567;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex32(fmix(a ^ s.length)) + hex32(fmix(b + a));
}

// ---- public API -------------------------------------------------------------------------------------

/** 64-bit SimHash (16 hex characters) of a normalised text's dedup form. */
export function simhash(normalizedText: string): string {
  return simhashOf(shingles(dedupForm(normalizedText)));
}

const POP8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) POP8[i] = (i & 1) + POP8[i >> 1]!;
const popcount32 = (x: number) => POP8[x & 255]! + POP8[(x >>> 8) & 255]! + POP8[(x >>> 16) & 255]! + POP8[x >>> 24]!;

/** Hamming distance of two 16-hex-character hashes. */
export function hammingHex(a: string, b: string): number {
  return (
    popcount32((parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) >>> 0) +
    popcount32((parseInt(a.slice(8, 16), 16) ^ parseInt(b.slice(8, 16), 16)) >>> 0)
  );
}

/** SimHash band keys ("b0:3fa2" …): two hashes within Hamming distance 3 share at least one. */
export function bandKeys(hash: string): string[] {
  const out: string[] = [];
  const w = 16 / DEDUP.simBands;
  for (let b = 0; b < DEDUP.simBands; b++) out.push(`b${b}:${hash.slice(b * w, b * w + w)}`);
  return out;
}

/** 64-bit hash (16 hex) of a normalised text's dedup form: exact repeats, whatever the punctuation or repost prefix. */
export function textHash(normalizedText: string): string {
  return hash64(dedupForm(normalizedText));
}

export interface DedupSignature {
  simhash: string;
  textHash: string;
  /** All candidate keys to store and look up: text hash ("t:"), SimHash bands ("b…:"), MinHash bands ("m…:"). */
  keys: string[];
}

/** Everything clustering needs from one normalised text, computed in one pass over its dedup form. */
export function signature(normalizedText: string): DedupSignature {
  const form = dedupForm(normalizedText);
  const count = shingles(form);
  const sim = simhashOf(count);
  const th = hash64(form);
  const keys = [`t:${th}`, ...bandKeys(sim)];
  minhashKeys(count, keys);
  return { simhash: sim, textHash: th, keys };
}

/** Sorted unique shingle hashes of a normalised text (for verification). */
export function shingleSet(normalizedText: string): Uint32Array {
  const count = shingles(dedupForm(normalizedText));
  const arr = shBuf.slice(0, count).sort();
  let w = 0;
  for (let i = 0; i < arr.length; i++) if (i === 0 || arr[i] !== arr[w - 1]) arr[w++] = arr[i]!;
  return arr.subarray(0, w);
}

/** Size of the intersection of two sorted sets. */
function intersect(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

export interface Similarity {
  jaccard: number;
  containment: number;
  sizeRatio: number;
  hamming: number;
}

export function similarity(aNormalized: string, bNormalized: string): Similarity {
  return similarityOfSets(shingleSet(aNormalized), shingleSet(bNormalized), simhash(aNormalized), simhash(bNormalized));
}

function similarityOfSets(a: Uint32Array, b: Uint32Array, ha: string, hb: string): Similarity {
  const inter = intersect(a, b);
  const small = Math.min(a.length, b.length);
  const large = Math.max(a.length, b.length);
  return {
    jaccard: large === 0 ? 1 : inter / (a.length + b.length - inter),
    containment: small === 0 ? (large === 0 ? 1 : 0) : inter / small,
    sizeRatio: large === 0 ? 1 : small / large,
    hamming: hammingHex(ha, hb),
  };
}

function decide(s: Similarity): boolean {
  return s.jaccard >= DEDUP.jaccard || (s.containment >= DEDUP.containment && s.sizeRatio >= DEDUP.sizeRatio);
}

/**
 * Whether two normalised posts are the same claim (the final check on a candidate pair). The hashes,
 * when given, short-cut exact repeats.
 */
export function nearDuplicate(aNormalized: string, bNormalized: string, aHash?: string, bHash?: string): boolean {
  if (aHash !== undefined && aHash === bHash && aHash.length === 16 && textHash(aNormalized) === textHash(bNormalized)) return true;
  return decide(similarity(aNormalized, bNormalized));
}

// ---- the in-memory model of the server's clustering -------------------------------------------------

export interface ClusterItem {
  id: string;
  normalized: string;
  simhash: string;
  textHash: string;
  /** Candidate keys: Analysed.bandKeys (text hash, SimHash bands, MinHash bands). */
  bandKeys: readonly string[];
}

export interface Assignment {
  clusterId: string;
  /** The post it was matched to (undefined when it starts a cluster). */
  matchedId?: string;
  candidates: number;
}

/**
 * Greedy incremental clustering, as the server does it: look up every stored post sharing a candidate
 * key (at most `maxPerKey` most recent per key, so lookups stay bounded as the store grows), verify
 * candidates with nearDuplicate in order of shared keys (then recency), join the first verified
 * candidate's cluster; otherwise start a new cluster named after the post.
 */
export class ClusterIndex {
  private readonly byKey = new Map<string, string[]>();
  private readonly items = new Map<string, { item: ClusterItem; cluster: string; set: Uint32Array; seq: number }>();
  private seq = 0;

  constructor(private readonly maxPerKey = 50) {}

  get size(): number {
    return this.items.size;
  }

  add(item: ClusterItem): Assignment {
    const shared = new Map<string, number>();
    for (const k of item.bandKeys) {
      const ids = this.byKey.get(k);
      if (!ids) continue;
      for (let i = ids.length - 1; i >= 0 && i >= ids.length - this.maxPerKey; i--) shared.set(ids[i]!, (shared.get(ids[i]!) ?? 0) + 1);
    }
    const set = shingleSet(item.normalized);
    const order = [...shared.entries()].sort((a, b) => b[1] - a[1] || this.items.get(b[0])!.seq - this.items.get(a[0])!.seq);
    let result: Assignment | undefined;
    for (const [id] of order) {
      const other = this.items.get(id)!;
      if (other.item.textHash === item.textHash || decide(similarityOfSets(set, other.set, item.simhash, other.item.simhash))) {
        result = { clusterId: other.cluster, matchedId: id, candidates: order.length };
        break;
      }
    }
    result ??= { clusterId: item.id, candidates: order.length };
    this.items.set(item.id, { item, cluster: result.clusterId, set, seq: this.seq++ });
    for (const k of item.bandKeys) {
      let ids = this.byKey.get(k);
      if (!ids) this.byKey.set(k, (ids = []));
      ids.push(item.id);
    }
    return result;
  }

  clusterOf(id: string): string | undefined {
    return this.items.get(id)?.cluster;
  }
}
