// Chinese segmentation with jieba's dictionary (shipped in @node-rs/jieba).
//
// Two segmenters over the same dictionary, each loaded once per process on first use:
// - `segment` / `searchTerms`: the native @node-rs/jieba (≈0.8 s to load; search indexing uses it).
// - `segmentFast` / `segmentSpans`: the opinion pipeline's fast path, jieba's own algorithm without HMM
//   (a DAG of dictionary words over each run of Han/Latin/digits, the most probable route by dynamic
//   programming, single Latin letters and digits joined) in TypeScript over a typed-array trie. It
//   returns the same words as `jieba.cut(text, false)` (see segment.test.ts), several times faster for
//   short posts, because no string crosses the native boundary: the spans are offsets into the text and
//   the classifier hashes them without building strings. Input must be normalised (normalizePost):
//   lower-case Latin, half-width.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';
import { CharTrie, slot } from './keywords.ts';
import { normalize } from './normalize.ts';

const require = createRequire(import.meta.url);
let jieba: Jieba | undefined;

function instance(): Jieba {
  if (!jieba) {
    const { Jieba: J } = require('@node-rs/jieba') as typeof import('@node-rs/jieba');
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    jieba = J.withDict(dict);
  }
  return jieba;
}

const WORDISH = /[\p{L}\p{N}]/u;

/** Words of a text (punctuation and spaces dropped). */
export function segment(text: string): string[] {
  return instance().cut(normalize(text), false).filter((w) => WORDISH.test(w));
}

/** Index terms for search: fine-grained (search mode), lower-cased, unique. */
export function searchTerms(text: string): string[] {
  return [...new Set(instance().cutForSearch(normalize(text), false).filter((w) => WORDISH.test(w)).map((w) => w.toLowerCase()))];
}

/** Native jieba's `cut(text, false)` as it is (for comparisons and benchmarks). */
export function jiebaCut(text: string): string[] {
  return instance().cut(text, false);
}

// ---- the fast path ----------------------------------------------------------------------------------

interface Dict {
  /**
   * The edges below the root's (those are in CHAR), in one open-addressing table of 8-byte entries (see
   * `entryKey`): a node's id is
   * the slot of the edge into it, so an entry needs no child field (8 bytes instead of 16: the table is
   * 8 MiB, half of what it was, and twice as many entries share a cache line).
   */
  table: Int32Array;
  /**
   * A bit per (node, code unit) hash: clear means "no such edge" for certain. It is 1 MiB and stays in
   * cache, so the walk's last, failing probe usually costs no miss in the tables.
   */
  edgeBits: Int32Array;
  /** log(1 / total), fixed point: a character that is no dictionary word. */
  minLogp: number;
  words: number;
  nodes: number;
  loadMs: number;
}

const EDGE_BITS = 23; // 2^23 bits = 1 MiB
const FIXED = 65536;
// The table has 2^20 slots (at most half full). A node's id is the slot of the edge into it; a child of
// the root is ROOT_IDS + its code unit. Ids and their + 1 stay below 2^21, which `entryKey` relies on.
const SLOTS = 1 << 20;
const ROOT_IDS = SLOTS;
let dict: Dict | undefined;

/**
 * An entry of the table is two int32 at [2 slot, 2 slot + 1]: the key (parent id + 1, code unit)
 * split as [code unit | low 16 bits of (parent + 1) << 16, info << 5 | high 5 bits of (parent + 1)].
 * A code unit of a dictionary word is never 0, so the first word is 0 only in an empty slot.
 */
const entryKey = (parent: number, c: number) => c | ((parent + 1) << 16);
const entryHigh = (parent: number) => (parent + 1) >>> 16;

/** The slot of the edge (parent, c) in `table` (keyed as entryKey/entryHigh; `h` = slot(parent, c)), or -1. */
function find(table: Int32Array, h: number, key: number, high: number): number {
  for (let s = h & (SLOTS - 1); ; s = (s + 1) & (SLOTS - 1)) {
    const k = table[2 * s]!;
    if (k === key && (table[2 * s + 1]! & 31) === high) return s;
    if (k === 0) return -1;
  }
}

/** The dictionary, loaded on first use (a getter small enough to inline into the segmenter). */
const loadDict = (): Dict => dict ?? readDict();

function readDict(): Dict {
  const t0 = performance.now();
  const text = fs.readFileSync(require.resolve('@node-rs/jieba/dict.txt'), 'utf8');
  // The dictionary is read into a CharTrie first (node ids in insertion order, a parent before its
  // children), then laid out in the packed table.
  const trie = new CharTrie(480_000); // ≈ the dictionary's non-root edges
  // Per node, the summed frequency of the words ending there: case-folded duplicates ("4S店"/"4s店")
  // are one node.
  let nodeFreq = new Float64Array(1 << 19);
  let total = 0;
  let words = 0;
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const sp = text.indexOf(' ', pos);
    if (sp > pos && sp < eol) {
      let freq = 0;
      for (let i = sp + 1; i < eol; i++) {
        const d = text.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) break;
        freq = freq * 10 + d;
      }
      let s = 0;
      for (let i = pos; i < sp; i++) {
        let c = text.charCodeAt(i);
        if (c >= 0x41 && c <= 0x5a) c += 32; // normalised text is lower-case
        s = trie.add(s, c);
      }
      if (freq > 0) {
        if (s >= nodeFreq.length) {
          const bigger = new Float64Array(nodeFreq.length * 2);
          bigger.set(nodeFreq);
          nodeFreq = bigger;
        }
        nodeFreq[s]! += freq;
        words++;
        total += freq;
      }
    }
    pos = eol + 1;
  }
  const nodes = trie.size;
  const logTotal = Math.log(total);
  // Each node's parent and code unit (from the trie's tables), and whether it has children.
  const parent = new Int32Array(nodes);
  const unit = new Uint16Array(nodes);
  const hasKids = new Uint8Array(nodes);
  for (let c = 0; c < 65536; c++) {
    const v = trie.root[c]!;
    if (v >= 0) unit[v] = c;
  }
  const t = trie.table;
  for (let i = 0; i < t.length; i += 3) {
    if (t[i] === 0) continue;
    parent[t[i + 2]!] = t[i]! - 1;
    unit[t[i + 2]!] = t[i + 1]!;
    hasKids[t[i]! - 1] = 1;
  }
  const info = new Int32Array(nodes);
  for (let v = 1; v < nodes; v++) {
    const freq = v < nodeFreq.length ? nodeFreq[v]! : 0;
    const lp = freq > 0 ? Math.min(-1, Math.round((Math.log(freq) - logTotal) * FIXED)) : 0;
    info[v] = lp * 2 + hasKids[v]!;
  }
  // Lay the edges out, parents first (ascending trie ids), each child's id being its slot.
  if (nodes - 1 > SLOTS / 2) throw new Error('segmenter: dictionary too large for its table');
  const table = new Int32Array(2 * SLOTS);
  const edgeBits = new Int32Array(1 << (EDGE_BITS - 5));
  const id = new Int32Array(nodes);
  for (let v = 1; v < nodes; v++) {
    const c = unit[v]!;
    const p = parent[v]!;
    if (p === 0) {
      id[v] = ROOT_IDS + c;
      CHAR[2 * c] = (CHAR[2 * c]! & 0xff) | ((id[v]! + 1) << 8);
      CHAR[2 * c + 1] = info[v]!;
      continue;
    }
    const pid = id[p]!;
    const h = slot(pid, c);
    let s = h & (SLOTS - 1);
    while (table[2 * s] !== 0) s = (s + 1) & (SLOTS - 1);
    table[2 * s] = entryKey(pid, c);
    table[2 * s + 1] = (info[v]! << 5) | entryHigh(pid);
    id[v] = s;
    const b = h >>> (32 - EDGE_BITS);
    edgeBits[b >>> 5]! |= 1 << (b & 31);
  }
  dict = { table, edgeBits, minLogp: Math.round(-logTotal * FIXED), words, nodes, loadMs: performance.now() - t0 };
  return dict;
}

/** Loads the fast segmenter's dictionary now (else on first use); returns its size and load time. */
export function warmSegmenter(): { words: number; nodes: number; bytes: number; loadMs: number } {
  const d = loadDict();
  const bytes = CHAR.byteLength + d.table.byteLength + d.edgeBits.byteLength;
  return { words: d.words, nodes: d.nodes, bytes, loadMs: Math.round(d.loadMs) };
}

/**
 * The fast segmenter's tables as the native core (src/text/textcore.ts) reads them in place: the
 * per-character table, the edge table and its bit filter, a bit per code unit that is a letter or a
 * digit by itself (\p{L} or \p{N}, the test the segmenter makes on characters outside jieba's word
 * blocks), and the log-probability of a character that is no word. Loads the dictionary.
 */
export function segmenterTables(): { char: Int32Array; table: Int32Array; edgeBits: Int32Array; wordish: Uint8Array; minLogp: number } {
  const d = loadDict();
  wordishBits ??= (() => {
    const bits = new Uint8Array(65536 / 8);
    for (let c = 0; c < 65536; c++) if (WORDISH.test(String.fromCharCode(c))) bits[c >>> 3]! |= 1 << (c & 7);
    return bits;
  })();
  return { char: CHAR, table: d.table, edgeBits: d.edgeBits, wordish: wordishBits, minLogp: d.minLogp };
}
let wordishBits: Uint8Array | undefined;

/**
 * One 8-byte entry per code unit with everything the stages after normalisation look up per character
 * (so that one cache line serves them all, instead of one table per stage each missing the cache after
 * the dictionary walk has evicted it):
 * - CHAR[2c], bits 0–7: character classes, CH_* below (segment.ts, pipeline.ts and simhash.ts each
 *   fill in their own when loaded); bits 8–31: the root's child by c, its id + 1 (0: none);
 * - CHAR[2c + 1]: that child's info (see Dict).
 * The root edges are written when the dictionary loads (loadDict).
 */
export const CHAR = new Int32Array(2 * 65536);
/** Mask of jieba's word-character class (its re_han_default): 1 Han, 2 Latin letter or digit, 3 one of + # & . _ % -. */
const CH_JIEBA = 3;
/** pipeline.ts: a character of the runs that make character-bigram features. */
export const CH_FEATURE = 4;
/** simhash.ts: its dedup-form class in these two bits (shifted by CH_DEDUP_SHIFT): 1 kept, 2 a Chinese numeral. */
export const CH_DEDUP_SHIFT = 3;
/** simhash.ts: the first character of some repost phrase, and the second character of some. */
export const CH_BOILER_FIRST = 32;
export const CH_BOILER_SECOND = 64;
(function () {
  const set = (from: number, to: number, cls: number) => {
    for (let c = from; c <= to; c++) CHAR[2 * c] = (CHAR[2 * c]! & ~CH_JIEBA) | cls;
  };
  set(0x3400, 0x4dbf, 1);
  set(0x4e00, 0x9fff, 1);
  set(0xf900, 0xfaff, 1);
  set(0x30, 0x39, 2);
  set(0x41, 0x5a, 2);
  set(0x61, 0x7a, 2);
  for (const ch of '+#&._%-') set(ch.charCodeAt(0), ch.charCodeAt(0), 3);
})();
const jiebaClass = (c: number) => CHAR[2 * c]! & CH_JIEBA;

/** Spans [start, end) of the words of a text, written into caller-owned arrays (grown when too small). */
export interface Spans {
  start: Int32Array;
  end: Int32Array;
  /** Number of spans written. */
  n: number;
}

let routeP = new Float64Array(512);
let routeX = new Int32Array(512);
// The level-by-level walk over a window of starts (see segmentSpans).
const WINDOW = 256;
const MAX_WORD = 32; // longer than any dictionary word (16)
const lps = new Int32Array(WINDOW * MAX_WORD); // lps[d * WINDOW + j]: packed log-probability of the word text[a+j .. a+j+d]
const depth = new Int32Array(WINDOW); // how many levels of lps are valid for start j
const walkNode = new Int32Array(WINDOW);
const walkList = new Int32Array(WINDOW);

export function newSpans(capacity = 256): Spans {
  return { start: new Int32Array(capacity), end: new Int32Array(capacity), n: 0 };
}

/**
 * Segments a normalised text into `spans` (word spans only: punctuation, spaces and symbols are
 * skipped; a word is a dictionary word, a run of Latin letters/digits, or a single character).
 */
export function segmentSpans(text: string, spans: Spans): Spans {
  const { table, edgeBits, minLogp } = loadDict();
  const n = text.length;
  if (spans.start.length < n) {
    spans.start = new Int32Array(n);
    spans.end = new Int32Array(n);
  }
  if (routeP.length < n + 1) {
    routeP = new Float64Array(n + 1);
    routeX = new Int32Array(n + 1);
  }
  const P = routeP;
  const X = routeX;
  const st = spans.start;
  const en = spans.end;
  let w = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (jiebaClass(c) === 0) {
      // Outside jieba's word blocks: a letter or digit of another script is a word of its own.
      if (c >= 0x80 && !(c >= 0x2000 && c <= 0x206f) && !(c >= 0x3000 && c <= 0x303f) && !(c >= 0xff00 && c <= 0xff65)) {
        const isPair = c >= 0xd800 && c <= 0xdbff && i + 1 < n;
        const ch = isPair ? text.slice(i, i + 2) : text[i]!;
        if (WORDISH.test(ch)) {
          st[w] = i;
          en[w++] = i + ch.length;
        }
        i += ch.length;
      } else i++;
      continue;
    }
    // A block [s, e) of word characters.
    const s = i;
    while (i < n && jiebaClass(text.charCodeAt(i)) !== 0) i++;
    const e = i;
    // Most probable route, right to left: P[k] = max over words text[k..x] of logp + P[x + 1].
    // The dictionary walks from every start are independent, so they are run level by level over a
    // window of starts (all second characters, then all third characters, …): the table probes of one
    // level do not wait for each other, and the memory system overlaps their cache misses. Words reach
    // at most MAX_WORD characters, so a window only needs P of the window to its right.
    P[e] = 0;
    for (let b = e; b > s; b -= WINDOW) {
      const a = Math.max(s, b - WINDOW);
      const m = b - a;
      let alive = 0;
      for (let j = 0; j < m; j++) {
        const c0 = text.charCodeAt(a + j);
        const child = (CHAR[2 * c0]! >> 8) - 1;
        if (child < 0) {
          depth[j] = 0;
          continue;
        }
        const info = CHAR[2 * c0 + 1]!;
        lps[j] = info >> 1;
        depth[j] = 1;
        if ((info & 1) !== 0 && a + j + 1 < e) {
          walkNode[j] = child;
          walkList[alive++] = j;
        }
      }
      for (let d = 1; alive > 0 && d < MAX_WORD; d++) {
        let next = 0;
        for (let t = 0; t < alive; t++) {
          const j = walkList[t]!;
          const c = text.charCodeAt(a + j + d);
          const node = walkNode[j]!;
          const h = slot(node, c);
          const bit = h >>> (32 - EDGE_BITS);
          if ((edgeBits[bit >>> 5]! & (1 << (bit & 31))) === 0) continue;
          const child = find(table, h, entryKey(node, c), entryHigh(node));
          if (child < 0) continue;
          const info = table[2 * child + 1]! >> 5;
          lps[d * WINDOW + j] = info >> 1;
          depth[j] = d + 1;
          if ((info & 1) !== 0 && a + j + d + 1 < e) {
            walkNode[j] = child;
            walkList[next++] = j;
          }
        }
        alive = next;
      }
      for (let k = b - 1; k >= a; k--) {
        const j = k - a;
        let best = -Infinity;
        let bestX = k;
        const dd = depth[j]!;
        for (let d = 0; d < dd; d++) {
          const lp = lps[d * WINDOW + j]!;
          if (lp !== 0) {
            const v = lp + P[k + d + 1]!;
            // Ties go to the longer word, as in jieba (max over (probability, end)).
            if (v >= best) {
              best = v;
              bestX = k + d;
            }
          }
        }
        if (best === -Infinity) best = minLogp + P[k + 1]!;
        P[k] = best;
        X[k] = bestX;
      }
    }
    // Left to right; single Latin letters/digits are joined into one word (jieba's "eng" buffer).
    let x = s;
    let engStart = -1;
    while (x < e) {
      const y = X[x]! + 1;
      if (y - x === 1 && jiebaClass(text.charCodeAt(x)) === 2) {
        if (engStart < 0) engStart = x;
      } else {
        if (engStart >= 0) {
          st[w] = engStart;
          en[w++] = x;
          engStart = -1;
        }
        if (y - x > 1 || jiebaClass(text.charCodeAt(x)) !== 3) {
          st[w] = x;
          en[w++] = y;
        }
      }
      x = y;
    }
    if (engStart >= 0) {
      st[w] = engStart;
      en[w++] = e;
    }
  }
  spans.n = w;
  return spans;
}

const scratch = newSpans();

/** Words of a normalised text by the fast path (no punctuation, spaces or symbols). */
export function segmentFast(normalizedText: string): string[] {
  const sp = segmentSpans(normalizedText, scratch);
  const out = new Array<string>(sp.n);
  for (let k = 0; k < sp.n; k++) out[k] = normalizedText.slice(sp.start[k], sp.end[k]);
  return out;
}
