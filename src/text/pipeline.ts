// The opinion text pipeline: one call turns a raw post into everything the opinion module stores and
// decides on — normalised text, words, keyword groups, URLs, near-duplicate hashes and candidate keys,
// and the hashed feature vector the classifier reads. Pure; the jieba dictionary and the default
// lexicon are loaded once per process on first use.
import { compileGroups, type CompiledGroups, type KeywordGroupDef } from './keywords.ts';
import { DEFAULT_GROUPS } from './lexicon.ts';
import { extractUrls, normalizePost } from './normalize.ts';
import { CHAR, CH_FEATURE, newSpans, segmentFast, segmentSpans } from './segment.ts';
import { DEDUP, signature, signatureFromSketch, type DedupSignature } from './simhash.ts';
import { loadTextCore, type TextCore } from './textcore.ts';

export interface Analysed {
  /** normalizePost(text). */
  normalized: string;
  /** Words (jieba's dictionary, no punctuation); computed on first read. */
  tokens: string[];
  /** Ids of the keyword groups that match (the groups passed to analyse, else DEFAULT_GROUPS). */
  groups: string[];
  /** Normalised URLs of the raw text. */
  urls: string[];
  /** 64-bit SimHash, 16 hex characters. */
  simhash: string;
  /**
   * Candidate keys to store and look up for clustering: "t:<textHash>", SimHash bands "b0:…"–"b3:…"
   * and MinHash bands "m0:…"–"m31:…" (37 keys). A superset of bandKeys(simhash). Built on first read.
   */
  readonly bandKeys: string[];
  /** keyHash of the keys the server uses: "t:<textHash>", then the MinHash bands (signature().hashes). */
  keyHashes: Uint32Array;
  /** 64-bit hash (16 hex) of the dedup form: exact repeats. */
  textHash: string;
  /** Ids of DEFAULT_GROUPS that match (the classifier's rule features; equal to `groups` by default). */
  ruleGroups: string[];
  /** Hashed feature indices in [0, FEATURE_DIM), with repeats (counts). */
  features: Int32Array;
  /**
   * simhash.ts signedShingleSet(normalized) and its histogram (opinion.candidates.ts histogramOf),
   * when the native core made them with the signature; else undefined (the caller computes them).
   */
  shingles?: Int32Array;
  shingleHistogram?: Uint8Array;
}

/** Size of the hashed feature space. */
export const FEATURE_DIM = 1 << 16;
const MASK = FEATURE_DIM - 1;

let defaults: CompiledGroups | undefined;
/** The default lexicon, compiled once. */
export function defaultGroups(): CompiledGroups {
  defaults ??= compileGroups(DEFAULT_GROUPS);
  return defaults;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function strFeature(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix(h) & MASK;
}

const SEED_TOKEN = 0x811c9dc5;
const SEED_BIGRAM = 0x3c6ef372;
const groupFeature = new Map<string, number>();
const gf = (id: string) => {
  let f = groupFeature.get(id);
  if (f === undefined) groupFeature.set(id, (f = strFeature(`g:${id}`, 0x27d4eb2f)));
  return f;
};
const F_URL = strFeature('has:url', 0x165667b1);
/** Feature index of each punctuation code unit, filled on first sight (-1: not yet). */
const F_PUNCT = new Int32Array(65536).fill(-1);

// Word characters of bigram features: a class bit in the segmenter's per-character table (CHAR), whose
// entry the segmenter has just read for the same characters.
(function () {
  const set = (from: number, to: number) => {
    for (let c = from; c <= to; c++) CHAR[2 * c]! |= CH_FEATURE;
  };
  set(0x30, 0x39);
  set(0x61, 0x7a);
  set(0x3400, 0x4dbf);
  set(0x4e00, 0x9fff);
  set(0xf900, 0xfaff);
})();

/**
 * An office's keyword groups compiled together with the built-in lexicon (the classifier's rule
 * features): a post is scanned once for both, where two automata scanned it twice (3–10 µs of a
 * 110–155 µs analysis in the same runs, the office's groups being the lexicon's). Throws GroupRuleError, naming the
 * office's group, for a rule that does not parse.
 */
export class GroupsWithDefaults {
  private readonly both: CompiledGroups;
  /** Per id in `both`: whether it is a built-in group, and its own id. */
  private readonly origin = new Map<string, { builtin: boolean; id: string }>();

  constructor(readonly office: readonly KeywordGroupDef[]) {
    const tagged = [...DEFAULT_GROUPS.map((g) => ({ g, builtin: true })), ...office.map((g) => ({ g, builtin: false }))].map(({ g, builtin }, i) => {
      const id = `${i}:${g.id}`;
      this.origin.set(id, { builtin, id: g.id });
      return { ...g, id };
    });
    try {
      this.both = compileGroups(tagged);
    } catch (err) {
      // A built-in rule always parses: the error is the office's; compiled alone it names the group.
      compileGroups(office);
      throw err;
    }
  }

  /** The built-in groups and the office's groups that match, each in definition order. */
  match(normalizedText: string): { builtin: string[]; office: string[] } {
    const builtin: string[] = [];
    const office: string[] = [];
    for (const id of this.both.match(normalizedText)) {
      const o = this.origin.get(id)!;
      (o.builtin ? builtin : office).push(o.id);
    }
    return { builtin, office };
  }
}

const spans = newSpans();
let feat = new Int32Array(1024);

/**
 * The token features of the words of a normalised text and its character-bigram and punctuation
 * features, into `feat` (grown as needed): how many. The native core (textcore.ts) writes the same.
 */
function wordFeatures(normalized: string): number {
  const sp = segmentSpans(normalized, spans);
  const n = sp.n;
  const cap = n * 2 + normalized.length + 64;
  if (feat.length < cap) feat = new Int32Array(cap * 2);
  const f = feat;
  let k = 0;
  for (let w = 0; w < n; w++) {
    const s = sp.start[w]!;
    const e = sp.end[w]!;
    let h = SEED_TOKEN;
    for (let i = s; i < e; i++) h = Math.imul(h ^ normalized.charCodeAt(i), 0x01000193);
    f[k++] = fmix(h) & MASK;
  }
  // Character bigrams within runs of word characters; punctuation as features of its own.
  let prev = -1;
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized.charCodeAt(i);
    if ((CHAR[2 * c]! & CH_FEATURE) !== 0) {
      if (prev >= 0) f[k++] = fmix(Math.imul(prev, 0x10001) ^ c ^ SEED_BIGRAM) & MASK;
      prev = c;
    } else {
      prev = -1;
      if (c !== 0x20) {
        let p = F_PUNCT[c]!;
        if (p < 0) F_PUNCT[c] = p = punctFeature(c);
        f[k++] = p;
      }
    }
  }
  return k;
}

const punctFeature = (c: number) => strFeature(`p:${String.fromCharCode(c)}`, 0x61c88647);

/** F_PUNCT with every code unit filled (the native core reads it without asking). */
function allPunctFeatures(): Int32Array {
  for (let c = 0; c < 65536; c++) if (F_PUNCT[c]! < 0) F_PUNCT[c] = punctFeature(c);
  return F_PUNCT;
}

let native = process.env.FRONTLINE_NATIVE !== '0';
const sketchOut = new Uint32Array(71);
const histBuf = new Uint8Array(128);
let shingleBuf = new Int32Array(1024);
let textCore: TextCore | null | undefined;

/**
 * Whether analyse runs its segmentation, word features and signature (with the shingle set and its
 * histogram) in the native core (textcore.ts); `on` turns it on or off for this thread (tests and
 * benchmarks compare both). False where it is not built or FRONTLINE_NATIVE=0.
 */
export function nativeText(on?: boolean): boolean {
  if (on !== undefined) native = on;
  if (native && (textCore ??= loadTextCore(allPunctFeatures)) === null) native = false;
  return native;
}

/**
 * Analyses one raw post. `groups` are the office's keyword groups (defaults to the built-in lexicon),
 * best compiled with the built-in lexicon (GroupsWithDefaults); the classifier's rule features always
 * come from the built-in lexicon.
 */
export function analyse(text: string, groups?: CompiledGroups | GroupsWithDefaults): Analysed {
  const normalized = normalizePost(text);
  let k = -1;
  if (native && nativeText()) {
    const len = normalized.length;
    if (spans.start.length < len) {
      spans.start = new Int32Array(len);
      spans.end = new Int32Array(len);
    }
    if (feat.length < 3 * len + 64) feat = new Int32Array(2 * (3 * len + 64));
    // A shingle per character of the dedup form, which numerals can make up to four times as long.
    if (shingleBuf.length < 4 * len + 32) shingleBuf = new Int32Array(2 * (4 * len + 32));
    // The word features, and the signature with the shingle set and its histogram.
    k = textCore!.analyse(normalized, spans.start, spans.end, feat, sketchOut, shingleBuf, histBuf);
  }
  let sketched = -1;
  if (k >= 0) sketched = sketchOut[70]! | 0;
  else k = wordFeatures(normalized);
  const f = feat;
  let ruleGroups: string[];
  let matched: string[];
  if (groups instanceof GroupsWithDefaults) ({ builtin: ruleGroups, office: matched } = groups.match(normalized));
  else {
    const dflt = defaultGroups();
    ruleGroups = dflt.match(normalized);
    matched = groups && groups !== dflt ? groups.match(normalized) : ruleGroups;
  }
  for (const g of ruleGroups) {
    const x = gf(g);
    f[k++] = x;
    f[k++] = x;
  }
  const urls = text.indexOf('http') >= 0 || text.indexOf('www.') >= 0 || text.indexOf('t.cn/') >= 0 ? extractUrls(text) : [];
  if (urls.length) f[k++] = F_URL;
  if (sketched < 0) return new AnalysedPost(normalized, matched, urls, signature(normalized), ruleGroups, f.slice(0, k));
  // The post's typed arrays as views of one buffer (features, band values, key hashes, histogram; not
  // the shingle set, which a cluster's representative keeps): one allocation instead of five.
  const B = DEDUP.bands;
  const arena = new ArrayBuffer(4 * k + 4 * B + 4 * (B + 1) + 128);
  const features = new Int32Array(arena, 0, k);
  features.set(f.subarray(0, k));
  const sig = signatureFromSketch(sketchOut, { bands: new Uint32Array(arena, 4 * k, B), hashes: new Uint32Array(arena, 4 * (k + B), B + 1) });
  const hist = new Uint8Array(arena, 4 * (k + 2 * B + 1), 128);
  hist.set(histBuf);
  const post = new AnalysedPost(normalized, matched, urls, sig, ruleGroups, features);
  post.shingles = shingleBuf.slice(0, sketched);
  post.shingleHistogram = hist;
  return post;
}

/**
 * The result of analyse. `tokens` is computed on first read (the segmenter runs again, on the
 * normalised text): the pipeline itself hashes the words' spans and never builds their strings. The
 * key texts (`bandKeys`) too: the server needs only their hashes.
 */
class AnalysedPost implements Analysed {
  #words: string[] | undefined;
  shingles?: Int32Array;
  shingleHistogram?: Uint8Array;
  constructor(
    readonly normalized: string,
    readonly groups: string[],
    readonly urls: string[],
    private readonly sig: DedupSignature,
    readonly ruleGroups: string[],
    readonly features: Int32Array,
  ) {}

  get simhash(): string {
    return this.sig.simhash;
  }

  get textHash(): string {
    return this.sig.textHash;
  }

  get keyHashes(): Uint32Array {
    return this.sig.hashes;
  }

  get bandKeys(): string[] {
    return this.sig.keys;
  }

  get tokens(): string[] {
    return (this.#words ??= segmentFast(this.normalized));
  }
}
