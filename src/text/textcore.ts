// The native text core (native/textcore, built by `npm ci`'s postinstall like native/hugepages): the
// fast segmenter, the classifier's token and bigram features and the dedup signature in C, over the
// TypeScript modules' own tables (segment.ts segmenterTables, simhash.ts sketchTables), registered
// once per thread. It is only a speed-up: the TypeScript code in segment.ts, pipeline.ts and
// simhash.ts is the reference and the fallback, textcore.test.ts checks that both give the same
// results, and where the addon did not build (no C compiler) or FRONTLINE_NATIVE=0 is set, the
// pipeline runs in TypeScript alone. The same addon holds the candidate index's lookup
// (native/textcore/lookup.c, opinion.candidates.ts lookupChecked).
import { createRequire } from 'node:module';
import { segmenterTables } from './segment.ts';
import { DEDUP, sketchTables } from './simhash.ts';

export interface TextCore {
  /** segmentSpans of a normalised text into start/end (each at least text.length long): the count, or -1 (use TypeScript). */
  segment(text: string, start: Int32Array, end: Int32Array): number;
  /**
   * The segmentation, pipeline.ts's token features of its words and the bigram and punctuation
   * features of the text (into feat, at least 2 × text.length + 64 long), then simhash.ts's signature
   * (into out, at least 71 long: see signatureFromSketch) with its signedShingleSet (into set, at least
   * text.length long) and that set's histogram (opinion.candidates.ts histogramOf, into hist, 128
   * bytes), the text read once: the features' count, or -1 (neither made); the set's size in out[70]
   * (as int32: -1 where the signature was not made).
   */
  analyse(text: string, start: Int32Array, end: Int32Array, feat: Int32Array, out: Uint32Array, set: Int32Array, hist: Uint8Array): number;
}

/** The candidate index's lookup (opinion.candidates.ts lookupChecked) over the index's arrays. */
export interface LookupCore {
  /**
   * out: [twin found, twin id, then per candidate slot, shared count, id, possible]; the candidates'
   * count, or -1 (use TypeScript).
   */
  lookup(
    hashes: Uint32Array,
    kinds: Uint8Array,
    dir: Int32Array,
    cPairs: Uint32Array,
    pool: Uint32Array,
    recs: Uint32Array,
    mask: number,
    limit: number,
    hist: Uint8Array,
    setSize: number,
    out: Int32Array,
  ): number;
}

interface Addon extends TextCore, LookupCore {
  lookupThresholds(jaccard: number, containment: number, sizeRatio: number): number;
  init(
    char: Int32Array,
    table: Int32Array,
    edgeBits: Int32Array,
    wordish: Uint8Array,
    punct: Int32Array,
    digit: Int8Array,
    unit: Int32Array,
    boiler: Uint16Array,
    donors: Uint8Array,
    minLogp: number,
    bands: number,
    rows: number,
  ): number;
}

let addon: Addon | null | undefined;

/** The addon unless FRONTLINE_NATIVE=0 turns it off; null where it was not built. */
const enabledAddon = () => (process.env.FRONTLINE_NATIVE === '0' ? null : textCoreAddon());

/** The native lookup, or null: not built, or turned off by FRONTLINE_NATIVE=0. */
export function loadLookupCore(): LookupCore | null {
  const a = enabledAddon();
  a?.lookupThresholds(DEDUP.jaccard, DEDUP.containment, DEDUP.sizeRatio);
  return a;
}

/** The compiled addon, or null where it was not built (loaded once per thread). */
export function textCoreAddon(): Addon | null {
  if (addon !== undefined) return addon;
  try {
    addon = createRequire(import.meta.url)('../../native/textcore/build/Release/textcore.node') as Addon;
  } catch {
    addon = null;
  }
  return addon;
}

/**
 * The native core with this thread's tables registered (`punct`: each code unit's punctuation
 * feature, all 65,536 filled), or null: not built, or turned off by FRONTLINE_NATIVE=0.
 */
export function loadTextCore(punct: () => Int32Array): TextCore | null {
  const a = enabledAddon();
  if (!a) return null;
  const t = segmenterTables();
  const k = sketchTables();
  a.init(t.char, t.table, t.edgeBits, t.wordish, punct(), k.digit, k.unit, k.boiler, k.donors, t.minLogp, k.bands, k.rows);
  return a;
}
