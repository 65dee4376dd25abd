// Near-duplicate detection for opinion posts: one claim spreading as reposts, 转发/【扩散】 prefixes,
// punctuation changes, appended comments and a few changed words.
//
// Everything works on the *dedup form* of a normalised post: only letters, digits and Han characters,
// Chinese numerals as digits (二十五 → 25), repost boilerplate (转发, 扩散, 紧急通知, …) removed. Over it:
// - `textHash`: 64-bit hash (16 hex) of the dedup form: exact repeats, whatever their punctuation.
// - `simhash`: 64-bit SimHash (16 hex) over character bigrams.
// - candidate keys (`signature(...).keys`, = Analysed.bandKeys): banded LSH keys to look candidates up
//   in a table — the text hash ("t:…"), SimHash bands ("b0:3fa2", 4 × 16 bits: every pair within
//   Hamming distance 3 shares one) and MinHash bands ("m0:9c01e2ff", 32 bands × 3 rows by
//   one-permutation hashing over the character bigrams, the shingles the decision below counts: a pair
//   at the decision's Jaccard 0.4 shares a band with probability ≈ 0.88, at 0.5 ≈ 0.98; two unrelated
//   posts almost never). Three rows rather than two keep a band's key specific as the store grows:
//   with two, common phrases made crowded keys whose newest holders hid older originals (a
//   post with one character in five changed found its original in 65 of 125 cases at a million
//   stored posts, 112 with three rows; docs/opinion-text.md). Reworded variants of a short post differ
//   in many bits of the SimHash, so the MinHash bands carry the fuzzy recall; they are 32-bit, so
//   chance candidates stay few as the table grows.
// - `nearDuplicate`: the final decision on a candidate pair, from the bigram sets: Jaccard ≥ 0.4, or
//   containment (|A∩B| / |smaller|) ≥ 0.6 with the smaller at least 0.3 of the larger (a prefix or an
//   appended comment leaves the shorter post inside the longer).
// - `ClusterIndex`: the in-memory model of the server's clustering (look candidates up by key, verify,
//   join the first verified candidate's cluster, else start one), used by the quality test so that test
//   and server agree.
// No BigInt: 64-bit values are two uint32 halves, written as 16 hex characters (high half first).

import { CHAR, CH_BOILER_FIRST, CH_BOILER_SECOND, CH_DEDUP_SHIFT } from './segment.ts';

// ---- tuning (chosen on the training split only; see docs/opinion-text.md) ---------------------------

export interface DedupConfig {
  jaccard: number;
  containment: number;
  sizeRatio: number;
  bands: number;
  rows: number;
  simBands: number;
}

export const DEDUP: DedupConfig = {
  /** Jaccard of shingle sets at or above which two posts are the same claim. */
  jaccard: 0.4,
  /** Containment (|A∩B| / |smaller|) at or above which the shorter post is inside the longer one… */
  containment: 0.6,
  /** …provided the shorter has at least this share of the longer's shingles (no short post swallowed). */
  sizeRatio: 0.3,
  /** MinHash bands × rows (over character bigrams). */
  bands: 32,
  rows: 3,
  /** SimHash bands (16 bits each). */
  simBands: 4,
};

// Repost boilerplate: removed from the dedup form (the classifier still sees it in the normalised text).
// Matched while the dedup form is written (no regular expression): at a character that starts some
// phrase and is followed by a character that is second in some phrase (a cheap filter: several first
// characters, such as 是 大 最, are common), the phrases starting with it are tried longest first.
const BOILERPLATE = [
  '转发保平安', '转发微博', '紧急扩散', '紧急通知', '紧急转发', '扩散周知', '请扩散', '求扩散', '快转发', '快扩散',
  '转给家人', '转发', '扩散', '转自', '速看', '必看', '重要通知', '大家注意', '重要提醒', '最新消息', '同问',
  '真的假的', '是真的吗', '求证',
];
const BOILER_BY_FIRST = new Map<number, string[]>();
for (const p of [...BOILERPLATE].sort((a, b) => b.length - a.length)) {
  const c = p.charCodeAt(0);
  CHAR[2 * c]! |= CH_BOILER_FIRST;
  CHAR[2 * p.charCodeAt(1)]! |= CH_BOILER_SECOND;
  (BOILER_BY_FIRST.get(c) ?? BOILER_BY_FIRST.set(c, []).get(c)!).push(p);
}

// Per code unit, the dedup-form class: 0 dropped, 1 kept, 2 a Chinese numeral. These and the repost
// phrase bits are class bits of the segmenter's per-character table (CHAR): the pipeline has just read
// the same entries, so they are in cache.
const KEPT = 1 << CH_DEDUP_SHIFT;
const NUMERAL = 2 << CH_DEDUP_SHIFT;
const DEDUP_CLASS = 3 << CH_DEDUP_SHIFT;
(function () {
  const set = (from: number, to: number, cls: number) => {
    for (let c = from; c <= to; c++) CHAR[2 * c] = (CHAR[2 * c]! & ~DEDUP_CLASS) | cls;
  };
  set(0x30, 0x39, KEPT);
  set(0x61, 0x7a, KEPT);
  set(0x41, 0x5a, KEPT);
  set(0x3400, 0x4dbf, KEPT);
  set(0x4e00, 0x9fff, KEPT);
  set(0xf900, 0xfaff, KEPT);
  set(0xd800, 0xdfff, KEPT);
  set(0xc0, 0x24f, KEPT);
  for (const ch of '零〇一二两三四五六七八九十百千万亿') set(ch.charCodeAt(0), ch.charCodeAt(0), NUMERAL);
})();
const dedupClass = (c: number) => CHAR[2 * c]! & DEDUP_CLASS;

let cbuf = new Uint16Array(1024);

// Chinese numerals → Arabic digits in the dedup form ("二十五" and "25" are the same price): digit
// values (-1: not a numeral), units 十百千万亿.
const DIGIT = new Int8Array(65536).fill(-1);
const UNIT = new Int32Array(65536);
(function () {
  [...'零一二三四五六七八九'].forEach((ch, i) => (DIGIT[ch.charCodeAt(0)] = i));
  DIGIT['〇'.charCodeAt(0)] = 0;
  DIGIT['两'.charCodeAt(0)] = 2;
  UNIT['十'.charCodeAt(0)] = 10;
  UNIT['百'.charCodeAt(0)] = 100;
  UNIT['千'.charCodeAt(0)] = 1000;
  UNIT['万'.charCodeAt(0)] = 10_000;
  UNIT['亿'.charCodeAt(0)] = 100_000_000;
})();

/** Writes the digits of a run of Chinese numerals [i, j) into cbuf at o; returns the new o. */
function writeNumeral(s: string, i: number, j: number, o: number): number {
  let hasUnit = false;
  for (let k = i; k < j; k++) if (UNIT[s.charCodeAt(k)]) hasUnit = true;
  if (!hasUnit) {
    // 三四 → 34, 一九 → 19: digit by digit.
    for (let k = i; k < j; k++) cbuf[o++] = 0x30 + DIGIT[s.charCodeAt(k)]!;
    return o;
  }
  let total = 0;
  let section = 0;
  let d = -1;
  for (let k = i; k <= j; k++) {
    const c = k < j ? s.charCodeAt(k) : 0;
    const u = k < j ? UNIT[c]! : 0;
    if (k === j || (!u && DIGIT[c]! > 0 && d >= 0)) {
      // End of the run, or a digit right after a digit (二十五一个 → 25 1个): write the number.
      o = writeDigits(total + section + Math.max(d, 0), o);
      total = section = 0;
      d = -1;
      if (k === j) break;
    }
    if (!u) {
      if (DIGIT[c] !== 0) d = DIGIT[c]!; // 一百零五: 零 only holds a place
    } else if (u >= 10_000) {
      total = (total + section + Math.max(d, 0)) * u;
      section = 0;
      d = -1;
    } else {
      section += (d < 0 ? 1 : d) * u;
      d = -1;
    }
  }
  return o;
}

function writeDigits(v: number, o: number): number {
  if (v >= 1e15) v = v % 1e15;
  const start = o;
  do {
    cbuf[o++] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  for (let a = start, b = o - 1; a < b; a++, b--) {
    const t = cbuf[a]!;
    cbuf[a] = cbuf[b]!;
    cbuf[b] = t;
  }
  return o;
}

/**
 * Writes the dedup form of a normalised text into `cbuf` (repost boilerplate removed first, then only
 * letters, digits and Han kept, Chinese numerals as digits); returns its length. No string is built.
 */
function dedupInto(normalizedText: string): number {
  sketched = null; // cbuf and sh2 are about to hold another text
  const t = normalizedText;
  const n = t.length;
  // Numerals can write more digits than they have characters (千 → 1000, 亿一一 → 100000001): at most
  // four per character; a smaller buffer would drop the excess (a typed array ignores writes past its end).
  if (cbuf.length < n * 8 + 32) cbuf = new Uint16Array(n * 8 + 32);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    const e = CHAR[2 * c]!;
    if ((e & CH_BOILER_FIRST) !== 0 && i + 1 < n && (CHAR[2 * t.charCodeAt(i + 1)]! & CH_BOILER_SECOND) !== 0) {
      const phrases = BOILER_BY_FIRST.get(c)!;
      let skip = 0;
      for (let p = 0; p < phrases.length; p++) {
        if (t.startsWith(phrases[p]!, i)) {
          skip = phrases[p]!.length;
          break;
        }
      }
      if (skip > 0) {
        i += skip - 1;
        continue;
      }
    }
    const k = e & DEDUP_CLASS;
    if (k === KEPT) cbuf[o++] = c;
    else if (k === NUMERAL) {
      let j = i + 1;
      while (j < n && dedupClass(t.charCodeAt(j)) === NUMERAL) j++;
      o = writeNumeral(t, i, j, o);
      i = j - 1;
    }
  }
  return o;
}

/**
 * The dedup form of a normalised text: repost boilerplate removed, letters, digits and Han only,
 * Chinese numerals as digits (二十五 → 25).
 */
export function dedupForm(normalizedText: string): string {
  const n = dedupInto(normalizedText); // first: it may grow cbuf
  return toStr(cbuf, n);
}

const utf16 = new TextDecoder('utf-16le');
const toStr = (b: Uint16Array, n: number) => utf16.decode(new Uint8Array(b.buffer, b.byteOffset, n * 2));

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

/** The shingle hash of the character bigram (a, b) of a dedup form (a lone character: a = 0). */
const bigramHash = (a: number, b: number) => fmix(((a << 16) | b) ^ 0x3c6ef372);

let sh2 = new Uint32Array(1024);
/** sh2's bits as int32 (signedShingleSet sorts them as such). */
let sh2Signed = new Int32Array(sh2.buffer);

/**
 * The bigram shingle hashes of the dedup form in cbuf[0, n) into sh2, in text order with repeats
 * (for verification); returns how many. A form of one character is one shingle of its own.
 */
function bigrams(n: number): number {
  if (sh2.length < n + 1) {
    sh2 = new Uint32Array(n * 2 + 2);
    sh2Signed = new Int32Array(sh2.buffer);
  }
  if (n === 1) sh2[0] = bigramHash(0, cbuf[0]!);
  for (let i = 0; i + 1 < n; i++) sh2[i] = bigramHash(cbuf[i]!, cbuf[i + 1]!);
  return n === 1 ? 1 : Math.max(0, n - 1);
}

// SimHash with SWAR counters: bit r of every nibble of a hash word is counted in the 4-bit lanes of
// one accumulator (4 accumulators a word, 8 lanes each), so a shingle's two words cost 8 branch-free
// shift-mask-adds instead of 64 increments. Every 15 shingles (before a lane can overflow) the nibble
// lanes are spread into byte lanes (`acc`: accumulator m holds bit 8q + m of the word in byte q), and
// every 255 shingles those are flushed into full counters.
const acc = new Int32Array(16);
const counts = new Int32Array(64);

/** Adds the byte lanes into `counts` and clears them. */
function flushLanes(): void {
  for (let r = 0; r < 8; r++) {
    const lo = acc[r]!;
    const hi = acc[8 + r]!;
    for (let q = 0; q < 4; q++) {
      counts[q * 8 + r]! += (lo >>> (q * 8)) & 255;
      counts[32 + q * 8 + r]! += (hi >>> (q * 8)) & 255;
    }
  }
  acc.fill(0);
}

/** Spreads the nibble lanes of accumulator `a` (bits 4k + r) into byte lanes r and 4 + r of word `w`. */
function spread(w: number, r: number, a: number): void {
  acc[w * 8 + r]! += a & 0x0f0f0f0f;
  acc[w * 8 + 4 + r]! += (a >>> 4) & 0x0f0f0f0f;
}

// MinHash keys by one-permutation hashing: each shingle hash goes to one of bands × rows bins (by its
// high bits) and each bin keeps its minimum — one hash per shingle instead of one per permutation.
// Empty bins (short posts: ~200 shingles fill 96 bins, ~60 leave half of them empty) borrow the
// minimum of a non-empty bin drawn by a hash of the bin and the attempt ("optimal densification",
// Shrivastava 2017), so two posts agree on a bin with probability ≈ their Jaccard similarity, and the
// three rows of a band borrow from unrelated bins: borrowing from the next bin, as before, made a
// short post's band hang on one bin, and its keys as common as a single row's. The draws are a table
// (donorTable), and a borrowed value is told apart from a bin's own minimum by its attempt (`tag`).
const MAX_BINS = 128;
const M_PREFIX = Array.from({ length: MAX_BINS }, (_, b) => `m${b}:`);
const B_PREFIX = Array.from({ length: 16 }, (_, b) => `b${b}:`);
const EMPTY = 0xffffffff;
const mins = new Uint32Array(MAX_BINS);
/** 0: the bin's own minimum; k > 0: borrowed on attempt k. */
const tag = new Uint8Array(MAX_BINS);
/** Draws before the fallback (the next bins in turn). */
const DRAWS = 32;
let donors = new Uint8Array(0);
let donorsFor = 0;
/** donorTable(nb)[b * DRAWS + k - 1]: the bin that empty bin b tries on attempt k (of nb bins). */
function donorTable(nb: number): Uint8Array {
  if (donorsFor !== nb) {
    donors = new Uint8Array(nb * DRAWS);
    for (let b = 0; b < nb; b++) for (let k = 1; k <= DRAWS; k++) donors[b * DRAWS + k - 1] = Math.floor((fmix(Math.imul(b + 1, 0x9e3779b1) ^ k) * nb) / 4294967296);
    donorsFor = nb;
  }
  return donors;
}

/** The SimHash of the last sketch: high and low halves. */
let simHi = 0;
let simLo = 0;

/**
 * The SimHash of the bigram shingles of the dedup form in cbuf[0, n) (simHi, simLo; each bigram hash x
 * is counted with a second word fmix(x ^ 0x5bd1e995) for the high half) and the MinHash bin minima of
 * the same bigram shingles (bins).
 */
function sketch(n: number): void {
  simHi = simLo = 0;
  const count = bigrams(n);
  if (count === 0) return;
  const hs = sh2;
  counts.fill(0);
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
  // k: shingles in the nibble lanes (up to 15); f: in the byte lanes (up to 255).
  for (let i = 0, k = 0, f = 0; i < count; i++) {
    const x = hs[i]!;
    const y = fmix(x ^ 0x5bd1e995);
    a0 += x & 0x11111111;
    a1 += (x >>> 1) & 0x11111111;
    a2 += (x >>> 2) & 0x11111111;
    a3 += (x >>> 3) & 0x11111111;
    b0 += y & 0x11111111;
    b1 += (y >>> 1) & 0x11111111;
    b2 += (y >>> 2) & 0x11111111;
    b3 += (y >>> 3) & 0x11111111;
    if (++k === 15 || i === count - 1) {
      spread(0, 0, a0); spread(0, 1, a1); spread(0, 2, a2); spread(0, 3, a3);
      spread(1, 0, b0); spread(1, 1, b1); spread(1, 2, b2); spread(1, 3, b3);
      a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = 0;
      f += k;
      k = 0;
      if (f === 255 || i === count - 1) {
        flushLanes();
        f = 0;
      }
    }
  }
  const half = count / 2;
  for (let b = 0; b < 32; b++) {
    if (counts[b]! > half) simLo |= 1 << b;
    if (counts[32 + b]! > half) simHi |= 1 << b;
  }

  const nb = DEDUP.bands * DEDUP.rows;
  mins.fill(EMPTY, 0, nb);
  for (let i = 0; i < count; i++) {
    const x = hs[i]!;
    // The bin: x's top 16 bits scaled to nb; the order within a bin: a second mix (the high bits are what chose the bin).
    const bin = ((x >>> 16) * nb) >>> 16;
    const v = fmix(x ^ 0x68e31da4);
    if (v < mins[bin]!) mins[bin] = v;
  }
}

/** The SimHash of the last sketch, 16 hex characters. */
const simhashHex = () => hex32(simHi >>> 0) + hex32(simLo >>> 0);

/** The MinHash band values of the last sketch's bins (the "m<b>:" keys are their hex). */
function minhashBands(out: Uint32Array): void {
  const nb = DEDUP.bands * DEDUP.rows;
  const table = donorTable(nb);
  tag.fill(0, 0, nb);
  for (let b = 0; b < nb; b++) {
    if (mins[b] !== EMPTY) continue;
    // Donors are bins with a minimum of their own; a post with almost every bin empty falls back,
    // after DRAWS draws, to the next such bin.
    for (let k = 1; k <= nb + DRAWS; k++) {
      const d = k <= DRAWS ? table[b * DRAWS + k - 1]! : (b + k - DRAWS) % nb;
      if (mins[d] !== EMPTY && tag[d] === 0) {
        mins[b] = mins[d]!;
        tag[b] = Math.min(k, 255);
        break;
      }
    }
  }
  for (let b = 0; b < DEDUP.bands; b++) {
    let h = 0x9747b28c ^ b;
    for (let r = 0; r < DEDUP.rows; r++) {
      const i = b * DEDUP.rows + r;
      h = fmix(Math.imul(h, 31) ^ mins[i]! ^ Math.imul(tag[i]!, 0x27d4eb2f));
    }
    out[b] = h;
  }
}

// ---- candidate key hashes ---------------------------------------------------------------------------
//
// The server keeps a key as keyHash(text) (32-bit FNV-1a with a final mix). For the 32 MinHash keys of
// every post, the hash is computed from the band value without building the key's text: FNV-1a's state
// after the prefix "m<b>:" is computed once per band, then the eight hex digits follow.

/** 32-bit FNV-1a with a final mix, of a key's text. */
export function keyHash(key: string): number {
  return keyHashFinish(fnv1a(key));
}

/** FNV-1a's state after the characters of s. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

function keyHashFinish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h ^ (h >>> 16)) >>> 0;
}

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const M_STATE = M_PREFIX.map(fnv1a);

/** keyHash(`m${b}:${hex32(v)}`) without the string. */
function bandKeyHash(b: number, v: number): number {
  let h = M_STATE[b]!;
  for (let shift = 28; shift >= 0; shift -= 4) h = Math.imul(h ^ HEX_CODES[(v >>> shift) & 15]!, 0x01000193);
  return keyHashFinish(h);
}

/** 64-bit hash (16 hex) of the dedup form in cbuf[0, n). */
function hash64(n: number): string {
  let a = 0x811c9dc5;
  let b = 0x01234567;
  for (let i = 0; i < n; i++) {
    const c = cbuf[i]!;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return hex32(fmix(a ^ n)) + hex32(fmix(b + a));
}

// ---- public API -------------------------------------------------------------------------------------

/** 64-bit SimHash (16 hex characters) of a normalised text's dedup form. */
export function simhash(normalizedText: string): string {
  sketch(dedupInto(normalizedText));
  return simhashHex();
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
  return hash64(dedupInto(normalizedText));
}

export interface DedupSignature {
  simhash: string;
  textHash: string;
  /**
   * All candidate keys as text: text hash ("t:"), SimHash bands ("b…:"), MinHash bands ("m…:"). Built
   * on first read: the server needs only `hashes`.
   */
  readonly keys: string[];
  /** keyHash of the keys the server stores and looks up, in order: the text hash, then the MinHash bands (none for an empty dedup form). */
  hashes: Uint32Array;
}

class Signature implements DedupSignature {
  #keys: string[] | undefined;
  constructor(
    readonly simhash: string,
    readonly textHash: string,
    readonly hashes: Uint32Array,
    private readonly bands: Uint32Array,
  ) {}

  get keys(): string[] {
    if (this.#keys) return this.#keys;
    const keys = [`t:${this.textHash}`];
    const w = 16 / DEDUP.simBands;
    for (let b = 0; b < DEDUP.simBands; b++) keys.push(B_PREFIX[b]! + this.simhash.slice(b * w, b * w + w));
    for (let b = 0; b < this.bands.length; b++) keys.push(M_PREFIX[b]! + hex32(this.bands[b]!));
    return (this.#keys = keys);
  }
}

/**
 * The text whose bigram shingles sh2 holds from its signature (and how many): the ingest asks for a
 * post's shingle set right after its signature, which then needs neither the dedup form nor the
 * hashes again. Anything that rewrites cbuf (dedupInto) clears it.
 */
let sketched: string | null = null;
let sketchedCount = 0;

const NO_BANDS = new Uint32Array(0);

/** Everything clustering needs from one normalised text, computed in one pass over its dedup form. */
export function signature(normalizedText: string): DedupSignature {
  const len = dedupInto(normalizedText);
  sketch(len);
  sketched = normalizedText;
  sketchedCount = len === 1 ? 1 : Math.max(0, len - 1);
  const sim = simhashHex();
  const th = hash64(len);
  const bands = len > 0 ? new Uint32Array(DEDUP.bands) : NO_BANDS;
  if (len > 0) minhashBands(bands);
  const hashes = new Uint32Array(1 + bands.length);
  hashes[0] = keyHash(`t:${th}`);
  for (let b = 0; b < bands.length; b++) hashes[1 + b] = bandKeyHash(b, bands[b]!);
  return new Signature(sim, th, hashes, bands);
}

/**
 * The tables the native core's sketch reads in place (textcore.ts): numerals' digits and units, the
 * repost phrases longest first as [length, code units…]… then 0, the MinHash donor table, the bands.
 */
export function sketchTables(): { digit: Int8Array; unit: Int32Array; boiler: Uint16Array; donors: Uint8Array; bands: number; rows: number } {
  const phrases = [...BOILERPLATE].sort((a, b) => b.length - a.length);
  const boiler = new Uint16Array(phrases.reduce((n, p) => n + 1 + p.length, 1));
  let o = 0;
  for (const p of phrases) {
    boiler[o++] = p.length;
    for (let i = 0; i < p.length; i++) boiler[o++] = p.charCodeAt(i);
  }
  return { digit: DIGIT, unit: UNIT, boiler, donors: donorTable(DEDUP.bands * DEDUP.rows), bands: DEDUP.bands, rows: DEDUP.rows };
}

/**
 * The signature of the native core's sketch output: [SimHash low, high, text hash a, b, the text
 * hash key's hash, 32 band key hashes, 32 band values, dedup form length] (textcore.ts).
 */
export function signatureFromSketch(out: Uint32Array, into: { bands: Uint32Array; hashes: Uint32Array }): DedupSignature {
  // `into`: DEDUP.bands values and 1 + DEDUP.bands hashes, views the caller allocated (one buffer for a
  // post's arrays: six allocations of typed arrays cost about as much as the whole sketch).
  const hasBands = out[69]! > 0;
  const bands = hasBands ? into.bands : NO_BANDS;
  const hashes = hasBands ? into.hashes : into.hashes.subarray(0, 1);
  hashes[0] = out[4]!;
  if (hasBands) {
    bands.set(out.subarray(37, 37 + DEDUP.bands));
    hashes.set(out.subarray(5, 5 + DEDUP.bands), 1);
  }
  return new Signature(hex32(out[1]!) + hex32(out[0]!), hex32(out[2]!) + hex32(out[3]!), hashes, bands);
}

/** Sorted unique shingle hashes of a normalised text (for verification). */
export function shingleSet(normalizedText: string): Uint32Array {
  const count = normalizedText === sketched ? sketchedCount : bigrams(dedupInto(normalizedText));
  const arr = sh2.slice(0, count);
  const signed = new Int32Array(arr.buffer, 0, count);
  flipSign(signed, count);
  const w = sortUnique(signed, signed);
  flipSign(signed, w);
  return arr.subarray(0, w);
}

/**
 * shingleSet(t) as signed integers sorted as such (what opinion.analysis.ts asSignedSet makes of it),
 * in one step for the ingest: the hashes' bits are sorted as int32, which the JIT keeps as machine
 * integers (unsigned values above 2^31 are doubles).
 */
export function signedShingleSet(normalizedText: string): Int32Array {
  const count = normalizedText === sketched ? sketchedCount : bigrams(dedupInto(normalizedText));
  const out = new Int32Array(count);
  const w = sortUnique(sh2Signed, out);
  return w === count ? out : out.slice(0, w);
}

/** Sorts src[0, dst.length) into dst (sortInto) and moves the distinct values to its front; returns how many. */
function sortUnique(src: Int32Array, dst: Int32Array): number {
  sortInto(src, dst);
  let w = 0;
  for (let i = 0; i < dst.length; i++) if (i === 0 || dst[i] !== dst[w - 1]) dst[w++] = dst[i]!;
  return w;
}

/** Flips the sign bit of a[0, n): signed order becomes unsigned order and back. */
function flipSign(a: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) a[i] = a[i]! ^ 0x80000000;
}

/** Sorts unsigned 32-bit values in place, ascending (as int32 with the sign bit flipped: sortInto). */
export function sortUint32(a: Uint32Array): void {
  const signed = new Int32Array(a.buffer, a.byteOffset, a.length);
  flipSign(signed, a.length);
  sortInto(signed, signed);
  flipSign(signed, a.length);
}

const radixCounts = new Int32Array(4 * 256);
let radixTmp = new Int32Array(1024);

/** Insertion sort of from[0, n) into to[0, n) (the same array or another): linear on nearly sorted input. */
function insertionSort(from: Int32Array, to: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = from[i]!;
    let j = i - 1;
    while (j >= 0 && to[j]! > x) {
      to[j + 1] = to[j]!;
      j--;
    }
    to[j + 1] = x;
  }
}

/** A value's top byte in signed order (sign bit flipped): its bucket in the last counting pass. */
const topByte = (x: number) => (x >>> 24) ^ 0x80;

/**
 * The first dst.length values of src, as signed 32-bit integers, sorted ascending into dst (src and
 * dst may be the same array). TypedArray#sort on a post's ~200 shingles cost 20–40 µs. Up to 4,096
 * values (every post): one counting pass on the top byte, which leaves hash values about one per
 * bucket, then an insertion sort (values bunched in one byte only cost more); above that, four 8-bit
 * counting passes.
 */
function sortInto(src: Int32Array, dst: Int32Array): void {
  const n = dst.length;
  if (n < 32) return insertionSort(src, dst, n);
  if (radixTmp.length < n) radixTmp = new Int32Array(n * 2);
  const c = radixCounts;
  if (n <= 4096) {
    c.fill(0, 0, 257);
    for (let i = 0; i < n; i++) c[topByte(src[i]!) + 1]!++;
    for (let b = 1; b <= 256; b++) c[b]! += c[b - 1]!;
    const t = radixTmp;
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      t[c[topByte(x)]!++] = x;
    }
    insertionSort(t, dst, n);
    return;
  }
  if (src !== dst) dst.set(src.subarray(0, n));
  const a = dst;
  c.fill(0);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    c[x & 255]!++;
    c[256 + ((x >>> 8) & 255)]!++;
    c[512 + ((x >>> 16) & 255)]!++;
    c[768 + topByte(x)]!++;
  }
  for (let d = 0; d < 4; d++) {
    let sum = 0;
    for (let b = d * 256; b < d * 256 + 256; b++) {
      const k = c[b]!;
      c[b] = sum;
      sum += k;
    }
  }
  let from: Int32Array = a;
  let to: Int32Array = radixTmp;
  for (let d = 0, shift = 0; d < 4; d++, shift += 8) {
    const base = d * 256;
    for (let i = 0; i < n; i++) {
      const x = from[i]!;
      const bucket = d === 3 ? topByte(x) : (x >>> shift) & 255;
      to[c[base + bucket]!++] = x;
    }
    const t = from;
    from = to;
    to = t;
  }
  // Four passes: the last one wrote back into a.
}

/** Size of the intersection of two sorted sets. */
export function intersect(a: Uint32Array | Int32Array, b: Uint32Array | Int32Array): number {
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

/** decide() from the sizes of two shingle sets and the size of their intersection. */
export function sameClaimBySizes(inter: number, aSize: number, bSize: number): boolean {
  const small = Math.min(aSize, bSize);
  const large = Math.max(aSize, bSize);
  if (large === 0) return true;
  return inter / (aSize + bSize - inter) >= DEDUP.jaccard || (small > 0 && inter / small >= DEDUP.containment && small / large >= DEDUP.sizeRatio);
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
  /** Candidates found by key lookup. */
  candidates: number;
  /** Candidates verified with the shingle sets before deciding. */
  verified: number;
  /** An exact repeat (same textHash as a stored post): joined without verification, keys not stored. */
  exact: boolean;
}

export interface ClusterIndexOptions {
  /** Per key, only the most recent posts are candidates (bounded lookups as the store grows). */
  maxPerKey?: number;
  /** At most this many candidates are verified, most shared keys first. */
  maxVerify?: number;
}

/**
 * Greedy incremental clustering, as the server does it:
 * 1. an exact repeat (a stored post has the same textHash) joins that post's cluster at once, and its
 *    keys need not be stored (the first copy's keys find everything the repeat's would);
 * 2. otherwise every stored post sharing a candidate key is a candidate (at most `maxPerKey` most recent
 *    per key); candidates are verified with nearDuplicate, most shared keys first (then most recent), at
 *    most `maxVerify` of them, and the post joins the first verified candidate's cluster;
 * 3. otherwise it starts a cluster named after itself; its keys are stored.
 */
export class ClusterIndex {
  private readonly byKey = new Map<string, string[]>();
  private readonly byText = new Map<string, string>();
  private readonly items = new Map<string, { cluster: string; set: Uint32Array | undefined; normalized: string; seq: number }>();
  private seq = 0;
  private readonly maxPerKey: number;
  private readonly maxVerify: number;

  constructor(options: ClusterIndexOptions = {}) {
    this.maxPerKey = options.maxPerKey ?? 30;
    this.maxVerify = options.maxVerify ?? 32;
  }

  get size(): number {
    return this.items.size;
  }

  add(item: ClusterItem): Assignment {
    const { result, set } = this.decide(item);
    const seq = this.seq++;
    this.items.set(item.id, { cluster: result.clusterId, set, normalized: item.normalized, seq });
    if (result.exact) return result;
    this.byText.set(item.textHash, item.id);
    for (const k of item.bandKeys) {
      if (k.startsWith('t:')) continue; // exact repeats are found through byText
      let ids = this.byKey.get(k);
      if (!ids) this.byKey.set(k, (ids = []));
      ids.push(item.id);
    }
    return result;
  }

  /** The cluster `item` would join (or start), without adding it. */
  match(item: ClusterItem): Assignment {
    return this.decide(item).result;
  }

  private decide(item: ClusterItem): { result: Assignment; set: Uint32Array | undefined } {
    const twin = this.byText.get(item.textHash);
    if (twin !== undefined) {
      const cluster = this.items.get(twin)!.cluster;
      return { result: { clusterId: cluster, matchedId: twin, candidates: 1, verified: 0, exact: true }, set: undefined };
    }
    const shared = new Map<string, number>();
    for (const k of item.bandKeys) {
      const ids = this.byKey.get(k);
      if (!ids) continue;
      for (let i = ids.length - 1; i >= 0 && i >= ids.length - this.maxPerKey; i--) shared.set(ids[i]!, (shared.get(ids[i]!) ?? 0) + 1);
    }
    const set = shingleSet(item.normalized);
    const order = [...shared.entries()].sort((a, b) => b[1] - a[1] || this.items.get(b[0])!.seq - this.items.get(a[0])!.seq);
    let verified = 0;
    for (const [id] of order) {
      if (verified >= this.maxVerify) break;
      const other = this.items.get(id)!;
      other.set ??= shingleSet(other.normalized);
      verified++;
      if (sameClaimBySizes(intersect(set, other.set), set.length, other.set.length)) {
        return { result: { clusterId: other.cluster, matchedId: id, candidates: order.length, verified, exact: false }, set };
      }
    }
    return { result: { clusterId: item.id, candidates: order.length, verified, exact: false }, set };
  }

  clusterOf(id: string): string | undefined {
    return this.items.get(id)?.cluster;
  }
}
