// The candidate index: for a new post, which cluster representatives share one of its keys (text
// hash "t:", URL "u:", MinHash bands "m…:"). A key is one probe of an in-memory table instead of a
// B-tree search, and a key shared by many posts costs at most MAX_PER_KEY steps (its most recent
// representatives), whatever the size of the store. Measured on the benchmark's stores (CPU per post,
// medians of rounds of 1,000 posts on a shared 2-core VM, so ranges over runs), lookupChecked — the
// lookup and the histogram checks of its candidates: 11–15 µs at 10,000 stored posts, 28–33 µs at
// 100,000, 37–63 µs at 1,000,000, where the layout before this one took 19–24 / 58–71 / 94–150 µs in
// the same runs (lookup, then couldShare). At a million posts a post's keys hold about 290
// representatives (20 at 10,000) and it has 32 candidates to check (16): looked up again at once,
// with its data in the caches, it still takes about 30 µs — what is left of the difference is that
// work, not the memory. (Those figures are for 17 keys a post; with the 33 of the 32 × 3 bands,
// lookupChecked measures 18 µs at 10,000 and 43 µs at a million. End-to-end figures, with the sets'
// checks: docs/opinion.md.)
//
// One index per org, per app instance, in typed arrays: 8 bytes per compacted (representative, key)
// and about 17 per one added since, 8 bytes per bucket (two to four keys), and 136 bytes per
// representative for its id, size and shingle histogram (below): 354 MiB for the 789,000
// representatives (33 keys each) of a million posts as loaded after a restart (bulk: all compacted),
// more as ingests grow it (postings added since the last compaction take about twice the room, and there
// can be half as many of them as compacted ones: at a million posts up to about 200 MiB more). The database stays the truth: every representative row
// carries its org and its sketch (key hashes, histogram), and before each ingest the index reads the rows added since it last
// looked (opinion.ingest.ts does this under the org's ingest lock, so on PostgreSQL every instance
// sees what the others wrote). A key is kept as a 32-bit hash: a collision only adds a candidate,
// which the shingle check then refuses.
//
// Layout: see CandidateIndex (a compacted part grouped by bucket, and a tail of blocks per bucket).

import { keyHash } from '../../../text/simhash.ts';
import { hugeArray } from '../../kernel/hugepages.ts';
import { loadLookupCore, type LookupCore } from '../../../text/textcore.ts';

/**
 * Per key, only this many of the most recent representatives are candidates (as ClusterIndex). With
 * 32 bands of 3 rows a true near-duplicate shares several keys, and a key this crowded is a common
 * phrase's. Simulated on the benchmark's stream at a million stored posts, 30 finds a rewritten
 * original 112 times in 125 (50: 115, 20: 108) with 325 candidates per new post (50: 455, 20: 246;
 * docs/opinion-text.md); the benchmark itself measures 112.
 */
export const MAX_PER_KEY = 30;
/** A walk of a bucket's tail stops after this many postings, whatever their keys (buckets shared by other keys). */
const MAX_STEPS = MAX_PER_KEY * 8;
/** A URL key is as good as a match: its candidates rank before any shared-band count. */
export const URL_WEIGHT = 100;
/**
 * The tail is merged into the compacted part once it holds this share of the compacted postings.
 * A half, not a quarter: each posting is then moved about three times in all instead of five, and
 * the index's upkeep on the ingest path (most of it compaction) fell from 22–24 to 14–17 µs a post
 * while lookups stayed the same (bench/.work/idx.ts: 150,000 bench posts, alternating); a whole
 * (1/1) made lookups slower. The cost: up to twice the tail's memory between compactions.
 */
export const TAIL_SHARE = 1 / 2;

export const enum KeyKind {
  Band = 0,
  Exact = 1,
  Url = 2,
}

/** A post's keys, hashed: kinds[i] says what keys[i] is. */
export interface HashedKeys {
  hashes: ArrayLike<number>;
  kinds: ArrayLike<KeyKind>;
}

/** 32-bit FNV-1a with a final mix, of a key's text (src/text/simhash.ts: the pipeline hashes a post's bands with it). */
export { keyHash };

export function hashKeys(keys: readonly string[]): { hashes: Uint32Array; kinds: Uint8Array } {
  const hashes = new Uint32Array(keys.length);
  const kinds = new Uint8Array(keys.length);
  keys.forEach((k, i) => {
    hashes[i] = keyHash(k);
    kinds[i] = k.startsWith('t:') ? KeyKind.Exact : k.startsWith('u:') ? KeyKind.Url : KeyKind.Band;
  });
  return { hashes, kinds };
}

// ---- shingle histograms: a bound on the shared shingles, without the sets ---------------------------
//
// Most candidates share one MinHash band by chance, and a post is checked against up to 32 of them;
// reading each one's shingle set (from the cache, or the database and a re-shingling) is what made a
// lookup slower as the store grew. Each representative therefore also keeps, in the index, how many
// of its shingles fall in each of 256 ranges of the hash space (4 bits per range, 128 bytes). Two
// sets cannot share more shingles than the sum over ranges of the smaller count: when that bound is
// below what the near-duplicate test needs, the candidate fails without its set being read. The
// bound never refuses a pair the test would pass (opinion.analysis.test.ts checks this on the corpus),
// so the decisions are those of ClusterIndex.

/** Bytes of a histogram: 256 ranges × 4-bit counts. */
export const HISTOGRAM_BYTES = 128;
/** A count of 15 means "15 or more". */
const SATURATED = 15;

/** The histogram of a shingle set (range: the top 8 bits of a shingle's unsigned hash). */
export function histogramOf(set: Int32Array): Uint8Array {
  const counts = new Uint8Array(256);
  for (let i = 0; i < set.length; i++) {
    const r = set[i]! >>> 24;
    if (counts[r]! < SATURATED) counts[r]!++;
  }
  const out = new Uint8Array(HISTOGRAM_BYTES);
  for (let b = 0; b < HISTOGRAM_BYTES; b++) out[b] = counts[2 * b]! | (counts[2 * b + 1]! << 4);
  return out;
}

/** Per pair of histogram bytes, the sum of the two ranges' smaller counts (a saturated pair counts 255: no bound). */
const PAIR_MIN = new Uint8Array(256 * 256);
for (let a = 0; a < 256; a++) {
  for (let b = 0; b < 256; b++) {
    const m = (x: number, y: number) => (x === SATURATED && y === SATURATED ? 255 : Math.min(x, y));
    PAIR_MIN[(a << 8) | b] = Math.min(255, m(a & 15, b & 15) + m(a >> 4, b >> 4));
  }
}

/** An upper bound on |A ∩ B| from the histograms of A (at aAt in a) and B (at bAt in b). */
export function intersectionBound(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): number {
  let sum = 0;
  for (let i = 0; i < HISTOGRAM_BYTES; i++) sum += PAIR_MIN[(a[aAt + i]! << 8) | b[bAt + i]!]!;
  return sum;
}

/** A histogram and its set's size, as stored on a representative row (base64 of size:uint16 + histogram). */
export function encodeHistogram(size: number, hist: Uint8Array): string {
  const buf = Buffer.alloc(2 + HISTOGRAM_BYTES);
  buf.writeUInt16LE(Math.min(size, 65535), 0);
  buf.set(hist, 2);
  return buf.toString('base64');
}

export function decodeHistogram(text: string): { size: number; hist: Uint8Array } | null {
  const buf = Buffer.from(text, 'base64');
  if (buf.length !== 2 + HISTOGRAM_BYTES) return null;
  return { size: buf.readUInt16LE(0), hist: new Uint8Array(buf.buffer, buf.byteOffset + 2, HISTOGRAM_BYTES) };
}

/** Candidates of one post: the newest representative with the same text hash, and the ranked others. */
export interface Candidates {
  /** A representative with the same text hash (still to be verified: hashes can collide), or -1. */
  twin: number;
  /** Representatives sharing keys, most shared first, then most recent (highest id); at most `limit`. */
  ids: number[];
  /** Shared-key counts of `ids` (URL_WEIGHT for a URL key). */
  shared: number[];
  /** Index slots of `ids` (for `couldShare` and `sizeAt`). */
  slots: number[];
}

/** 32-bit words per representative record: its histogram, then its id and its shingle set's size. */
const REC_WORDS = HISTOGRAM_BYTES / 4 + 2;
const REC_ID = HISTOGRAM_BYTES / 4;
const REC_SIZE = REC_ID + 1;
/** A bucket's first tail block holds this many postings, each next one twice as many, up to BLOCK_MAX. */
const BLOCK_FIRST = 2;
const BLOCK_MAX = 256;

export class CandidateIndex {
  /** The highest representative id added; the next sync reads rows above it. */
  lastRepId = 0;
  // At a million posts the index is far larger than the caches, and nearly every access is a cache
  // miss and a TLB miss (4 KiB pages): what a lookup costs is how many misses it waits for one after
  // the other. So every access brings in what the next step needs, and the misses that do not depend
  // on one another are taken together (see lookup).
  //
  // Postings (key hash, representative slot), (key, slot) pairs of adjacent words, in two parts, both
  // read newest first:
  // - the compacted part, grouped by bucket (bucket b at [dir[2b], dir[2b + 2]) of cPairs, by key,
  //   newest first): a key is found by binary search, and one shared by many representatives is read
  //   as one contiguous run, a few cache lines;
  // - the tail, added since the last compaction: per bucket, a chain of blocks in `pool`, the newest
  //   block at dir[2b + 1] (0 for none), each twice as large as the one before it (BLOCK_FIRST to
  //   BLOCK_MAX postings). The tail was a chain of single postings, a miss per step, each waiting for
  //   the one before (the next address is in the posting): at a million posts, about 140 per post.
  // A bucket's directory entry holds both parts' starts: one line for both. When the tail reaches
  // half of the compacted part (TAIL_SHARE), both are merged again, with about four keys per bucket: each
  // posting is moved O(log n) times in all.
  private mask: number;
  private dir: Int32Array;
  private cPairs = new Uint32Array(0);
  /** Postings in the compacted part (cPairs may be longer). */
  private cN = 0;
  // compact(): a partition's tail postings (reused).
  private tKeys = new Uint32Array(1024);
  private tSlots = new Uint32Array(1024);
  // Tail blocks: [older block (0: none), capacity << 16 | count, then `capacity` (key, slot) pairs,
  // filled from the end: the newest posting first in memory, so a block is read forwards].
  private pool: Uint32Array;
  private poolUsed = 2; // offset 0 means "no block"
  private t = 0;
  // Representatives by slot (the order they were added), one record of REC_WORDS words each:
  // histogram, id, shingle set size — all a candidate's check reads, in three adjacent cache lines
  // (they were three arrays: five lines, on three pages).
  private recs: Uint32Array;
  private recBytes: Uint8Array;
  private slots = 0;
  // Scratch for lookups (reused; one lookup at a time): ranking, each key's bucket, the probe's
  // histogram as words.
  private readonly tally = new Tally();
  private kFrom = new Int32Array(32);
  private kTo = new Int32Array(32);
  private kHead = new Int32Array(32);
  private readonly probe = new Uint32Array(HISTOGRAM_BYTES / 4);
  private readonly probeBytes = new Uint8Array(this.probe.buffer);
  private readonly probeLo = new Int32Array(HISTOGRAM_BYTES / 4);
  private readonly probeHi = new Int32Array(HISTOGRAM_BYTES / 4);
  private probeSaturated = false;
  /** Where loads made only to bring lines into the cache go (a load whose value is unused may be dropped). */
  private sink = 0;
  /** Postings collected by a bulk load (startBulk), laid out by endBulk. */
  private bulk: PairList | null = null;

  /**
   * `compacts`: false for a short-lived index (a batch's own posts), which stays a tail.
   */
  constructor(bucketBits = 10, initialReps = 1 << 10, private readonly compacts = true) {
    this.mask = (1 << bucketBits) - 1;
    this.dir = hugeArray(Int32Array, 2 * (this.mask + 1) + 2);
    this.pool = hugeArray(Uint32Array, Math.max(64, initialReps * 16 * 2));
    this.recs = hugeArray(Uint32Array, Math.max(1, initialReps) * REC_WORDS);
    this.recBytes = new Uint8Array(this.recs.buffer);
  }

  /** Representatives added. */
  get reps() {
    return this.slots;
  }

  /** Postings held (representative × key; beyond MAX_PER_KEY per key, older ones are dropped). */
  get postings() {
    return this.cN + this.t;
  }

  /** Bytes held by the typed arrays. */
  get bytes() {
    return [this.dir, this.cPairs, this.pool, this.recs].reduce((n, a) => n + a.byteLength, 0);
  }

  /**
   * Adds a representative (an id below 2^32; ids must grow: the database's, in insertion order) with
   * its keys' hashes and its shingle set's size and histogram.
   */
  add(repId: number, hashes: ArrayLike<number>, size: number, hist: Uint8Array): void {
    const slot = this.record(repId, size, hist);
    const bulk = this.bulk;
    for (let k = 0; k < hashes.length; k++) {
      const h = hashes[k]!;
      let twice = false; // a key twice in one representative counts once
      for (let j = 0; j < k && !twice; j++) twice = hashes[j] === h;
      if (twice) continue;
      if (bulk) bulk.push(h, slot);
      else {
        this.push(h & this.mask, h, slot);
        this.t++;
      }
    }
    if (!bulk && this.compacts && this.t > Math.max(4096, this.cN * TAIL_SHARE)) this.compact();
  }

  /** Appends a representative's record; its slot. */
  private record(repId: number, size: number, hist: Uint8Array): number {
    if ((this.slots + 1) * REC_WORDS > this.recs.length) {
      // Grown by a quarter, not doubled: the records are half the index (in a bulk load, doubled, and
      // trimmed at its end).
      const more = this.bulk ? this.slots : Math.ceil(this.slots * 0.25);
      this.recs = grown(this.recs, this.slots * REC_WORDS, Math.max(this.slots + 1024, this.slots + more) * REC_WORDS);
      this.recBytes = new Uint8Array(this.recs.buffer);
    }
    const slot = this.slots++;
    const r = slot * REC_WORDS;
    this.recBytes.set(hist.length > HISTOGRAM_BYTES ? hist.subarray(0, HISTOGRAM_BYTES) : hist, r * 4);
    this.recs[r + REC_ID] = repId;
    this.recs[r + REC_SIZE] = Math.min(size, 65535) & 0xffff; // as a Uint16Array would keep it
    if (repId > this.lastRepId) this.lastRepId = repId;
    return slot;
  }

  /**
   * Starts a bulk load into this empty index (a load after a restart): add() then only collects the
   * postings, and endBulk() lays them out once, all compacted — the answers of add() one by one and a
   * compaction at the end, without the merges on the way (each posting moved O(log n) times: at a
   * million posts, 29 s of the load; now 8–10 s in all, half of it reading the rows). While it runs
   * the collected postings and their sorted copy take about 1.5× the finished index. No lookup until
   * endBulk().
   */
  startBulk(): void {
    if (this.slots !== 0 || this.bulk) throw new Error('candidate index: a bulk load needs an empty index');
    this.bulk = new PairList();
  }

  /**
   * Ends a bulk load: the postings by bucket (a counting sort; about four per bucket, as compact()
   * makes them), each bucket by key then newest first, the MAX_PER_KEY newest of a key kept.
   */
  endBulk(): void {
    const bulk = this.bulk;
    if (!bulk) return;
    this.bulk = null;
    const n = bulk.n;
    const buckets = this.bucketsFor(n);
    const mask = buckets - 1;
    // By bucket, in the two passes of a counting sort (byPartition, then each partition by the low
    // bits). Within a bucket the postings stay in the order added (slot order).
    const src = bulk.pairs;
    const lowBits = Math.min(12, Math.log2(buckets));
    const parts = buckets >>> lowBits;
    const { pStart, sorted: tmp } = byPartition(src, n, mask, lowBits);
    const pairs = src; // the second pass writes back over the collected postings
    bulk.pairs = new Uint32Array(0);
    const start = new Int32Array(buckets + 1);
    const lowMask = (1 << lowBits) - 1;
    const fill = new Int32Array(1 << lowBits);
    for (let q = 0; q < parts; q++) {
      const from = pStart[q]!;
      const to = pStart[q + 1]!;
      fill.fill(0);
      for (let i = from; i < to; i++) fill[tmp[2 * i]! & lowMask]!++;
      for (let low = 0, at = from; low <= lowMask; low++) {
        const c = fill[low]!;
        start[(q << lowBits) | low] = fill[low] = at;
        at += c;
      }
      for (let i = from; i < to; i++) {
        const key = tmp[2 * i]!;
        const at = 2 * fill[key & lowMask]!++;
        pairs[at] = key;
        pairs[at + 1] = tmp[2 * i + 1]!;
      }
    }
    start[buckets] = n;
    // Each bucket by key, newest first, written down in place (w ≤ its start) with MAX_PER_KEY per
    // key. Postings are in slot order, oldest first: an insertion sort that puts each before the
    // equal keys already placed keeps them newest first; a small bucket cannot hold more than
    // MAX_PER_KEY of one key.
    const dir = hugeArray(Int32Array, 2 * buckets + 2);
    let w = 0;
    for (let b = 0; b < buckets; b++) {
      const from = start[b]!;
      const to = start[b + 1]!;
      dir[2 * b] = w;
      if (to - from <= MAX_PER_KEY) {
        const base = w;
        for (let i = from; i < to; i++) {
          const k = pairs[2 * i]!;
          const s = pairs[2 * i + 1]!;
          let j = w++ - 1;
          while (j >= base && pairs[2 * j]! >= k) {
            pairs[2 * j + 2] = pairs[2 * j]!;
            pairs[2 * j + 3] = pairs[2 * j + 1]!;
            j--;
          }
          pairs[2 * j + 2] = k;
          pairs[2 * j + 3] = s;
        }
      } else {
        const end = sortBucketLarge(pairs, from, to);
        for (let i = from; i < end; i++, w++) {
          pairs[2 * w] = pairs[2 * i]!;
          pairs[2 * w + 1] = pairs[2 * i + 1]!;
        }
      }
    }
    dir[2 * buckets] = w;
    this.mask = mask;
    this.dir = dir;
    this.cPairs = pairs.length === 2 * w ? pairs : trimmed(pairs, 2 * w);
    this.cN = w;
    this.poolUsed = 2;
    this.t = 0;
    if (this.recs.length > (this.slots + 1024) * REC_WORDS) {
      this.recs = trimmed(this.recs, this.slots * REC_WORDS);
      this.recBytes = new Uint8Array(this.recs.buffer);
    }
  }

  /** Adds a posting to bucket b's tail: into its newest block, or a new one twice as large. */
  private push(b: number, h: number, slot: number) {
    let blk = this.dir[2 * b + 1]!;
    const head = blk === 0 ? 0 : this.pool[blk + 1]!;
    let cap = head >>> 16;
    if ((head & 0xffff) === cap) {
      cap = blk === 0 ? BLOCK_FIRST : Math.min(cap * 2, BLOCK_MAX);
      const words = 2 + 2 * cap;
      if (this.poolUsed + words > this.pool.length) this.pool = grown(this.pool, this.poolUsed, Math.max(Math.ceil(this.pool.length * 1.25), this.poolUsed + words));
      const o = this.poolUsed;
      this.poolUsed += words;
      this.pool[o] = blk;
      this.pool[o + 1] = cap << 16;
      this.dir[2 * b + 1] = blk = o;
    }
    const count = this.pool[blk + 1]! & 0xffff;
    const at = blk + 2 + 2 * (cap - 1 - count);
    this.pool[at] = h;
    this.pool[at + 1] = slot;
    this.pool[blk + 1]!++;
  }

  /** Buckets for `total` postings: about four each, never fewer than now (a new bucket takes its postings from one old bucket). */
  private bucketsFor(total: number): number {
    let buckets = this.mask + 1;
    while (buckets * 4 < total) buckets *= 2;
    return buckets;
  }

  /**
   * Moves the tail's postings to the front of the pool as (key, slot) pairs, block after block in pool
   * order (a block's header is ahead of its postings, so reads stay ahead of writes); how many. The
   * pool's blocks are then gone: compact() only.
   */
  private packTail(): number {
    const pool = this.pool;
    let w = 0;
    for (let o = 2; o < this.poolUsed; ) {
      const head = pool[o + 1]!;
      const end = o + 2 + 2 * (head >>> 16);
      for (let j = end - 2 * (head & 0xffff); j < end; j += 2, w += 2) {
        pool[w] = pool[j]!;
        pool[w + 1] = pool[j + 1]!;
      }
      o = end;
    }
    this.poolUsed = 2;
    return w / 2;
  }

  /**
   * Merges the tail into the compacted part, with buckets for about four keys each. Within a bucket
   * postings are ordered by key, then newest first, so a key is found by binary search and read as
   * one run (a bucket shared with a key of a hundred thousand posts costs a few more steps, not a
   * lost lookup); only the MAX_PER_KEY newest of a key are kept — older ones are never read.
   *
   * New bucket b takes its postings from old bucket b & oldMask only (the bucket count only grows),
   * whose compacted run is already in that order: the new part is written in one pass, bucket after
   * bucket, merging each bucket's tail postings (sorted by key, newest first) into the old run, the
   * tail's first on a key (they are newer).
   *
   * The tail is read in pool order, block after block (packTail), and sorted by bucket with the two
   * passes of endBulk's counting sort, the second one partition by partition as the merge reaches it:
   * every read is sequential. (Following each bucket's chain of blocks, a cache miss per block, took three
   * quarters of the index's upkeep: 6.3 of 8.6 µs a post on the pipeline benchmark's stream.) Slots
   * grow with time, so "newest first" is "highest slot first", whatever order the blocks are read in.
   */
  private compact() {
    const oldMask = this.mask;
    const tn = this.packTail();
    const total = this.cN + tn;
    const buckets = this.bucketsFor(total);
    const mask = buckets - 1;
    const { dir, cPairs } = this;
    // Pass 1: the tail's postings by partition (the bucket's high bits).
    const lowBits = Math.min(12, Math.log2(buckets));
    const parts = buckets >>> lowBits;
    const { pStart, sorted: byPart } = byPartition(this.pool, tn, mask, lowBits);
    const pairs = hugeArray(Uint32Array, 2 * total);
    const next = hugeArray(Int32Array, 2 * buckets + 2); // no tail: every bucket's block is 0
    const lowMask = (1 << lowBits) - 1;
    const fill = new Int32Array(lowMask + 2);
    let tKeys = this.tKeys;
    let tSlots = this.tSlots;
    let w = 0;
    for (let q = 0; q < parts; q++) {
      // Pass 2: this partition's tail postings by bucket (the low bits), into tKeys/tSlots.
      const from = pStart[q]!;
      const to = pStart[q + 1]!;
      if (to - from > tKeys.length) {
        tKeys = this.tKeys = new Uint32Array(2 * (to - from));
        tSlots = this.tSlots = new Uint32Array(2 * (to - from));
      }
      fill.fill(0);
      for (let i = from; i < to; i++) fill[(byPart[2 * i]! & lowMask) + 1]!++;
      for (let low = 0; low < lowMask + 1; low++) fill[low + 1]! += fill[low]!;
      for (let i = from; i < to; i++) {
        const key = byPart[2 * i]!;
        const at = fill[key & lowMask]!++;
        tKeys[at] = key;
        tSlots[at] = byPart[2 * i + 1]!;
      }
      // fill[low] is now the end of bucket low's run (and the start of the next one's).
      for (let low = 0, i = 0; low <= lowMask; low++) {
        const b = (q << lowBits) | low;
        const m = fill[low]!;
        next[2 * b] = w;
        sortTailRun(tKeys, tSlots, i, m);
        // Merged with the old bucket's run (its postings of this bucket), keeping MAX_PER_KEY per key.
        const ob = b & oldMask;
        let c = 2 * dir[2 * ob]!;
        const cEnd = 2 * dir[2 * ob + 2]!;
        for (let last = -1, run = 0; ; ) {
          while (c < cEnd && (cPairs[c]! & mask) !== b) c += 2;
          let key: number;
          let slot: number;
          if (i < m && (c >= cEnd || tKeys[i]! <= cPairs[c]!)) {
            key = tKeys[i]!;
            slot = tSlots[i++]!;
          } else if (c < cEnd) {
            key = cPairs[c]!;
            slot = cPairs[c + 1]!;
            c += 2;
          } else break;
          run = key === last ? run + 1 : 0;
          last = key;
          if (run >= MAX_PER_KEY) continue;
          pairs[2 * w] = key;
          pairs[2 * w++ + 1] = slot;
        }
      }
    }
    next[2 * buckets] = w;
    this.mask = mask;
    // Postings dropped (beyond MAX_PER_KEY) leave room at the end: kept unless it is an eighth.
    this.cPairs = 8 * w >= 7 * total ? pairs : trimmed(pairs, 2 * w);
    this.cN = w;
    this.dir = next;
    this.t = 0;
  }

  /**
   * Whether the representative in `slot` could share `need` shingles with a set of this histogram:
   * false means it certainly cannot (the near-duplicate test would fail), without reading its set.
   * lookupChecked gives the same answers for all of a lookup's candidates, faster.
   */
  couldShare(slot: number, hist: Uint8Array, need: number): boolean {
    return intersectionBound(this.recBytes, slot * REC_WORDS * 4, hist, 0) >= need;
  }

  /** The size of the shingle set of the representative in `slot`. */
  sizeAt(slot: number): number {
    return this.recs[slot * REC_WORDS + REC_SIZE]!;
  }

  /** The candidates of a post with these keys: its twin and at most `limit` others, best first. */
  lookup(keys: HashedKeys, limit: number): Candidates {
    const { twin, slots, shared } = this.ranked(keys, limit);
    const ids: number[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) ids[i] = this.recs[slots[i]! * REC_WORDS + REC_ID]!;
    return { twin, ids, shared, slots };
  }

  /**
   * lookup(keys, limit) and, for each candidate, whether it could be the same claim: `possible[i]` is
   * `shared[i] >= URL_WEIGHT || couldShare(slots[i], hist, needOf(sizeAt(slots[i])))` (needOf is
   * called only where the URL rule does not decide), in one pass over the candidates' records.
   * Given `setSize` (the post's shingle set size, with needOf = minShared(setSize, ·): the ingest's bar),
   * the native core answers where it is built (native/textcore/lookup.c, the same answers): at about
   * 95,000 representatives 11.0 → 6.7–8.1 µs a post, and the cached lookup at a million posts no more
   * than twice that at ten thousand (docs/opinion.md, session 10).
   */
  lookupChecked(keys: HashedKeys, limit: number, hist: Uint8Array, needOf: (size: number) => number, setSize?: number): Candidates & { possible: boolean[] } {
    // The native lookup (native/textcore/lookup.c) when the caller gives the post's set size (needOf
    // is then minShared(setSize, size)) and the keys are typed arrays: the same answers.
    if (setSize !== undefined && CandidateIndex.native && keys.hashes instanceof Uint32Array && keys.kinds instanceof Uint8Array && hist.length === HISTOGRAM_BYTES) {
      const found = this.nativeLookup(keys.hashes, keys.kinds, limit, hist, setSize);
      if (found) return found;
    }
    const { twin, slots, shared } = this.ranked(keys, limit);
    const recs = this.recs;
    // Every candidate's whole record (its id's line, and its histogram's) before any is checked: as
    // for the keys' buckets, the misses overlap, where the checks, one after the other, would take
    // them one at a time.
    const ids: number[] = new Array(slots.length);
    let touch = 0;
    for (let i = 0; i < slots.length; i++) {
      const r = slots[i]! * REC_WORDS;
      ids[i] = recs[r + REC_ID]!;
      touch ^= recs[r]! ^ recs[r + 16]!;
    }
    this.sink = touch;
    this.setProbe(hist);
    const possible: boolean[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const r = slots[i]! * REC_WORDS;
      possible[i] = shared[i]! >= URL_WEIGHT || this.boundAt(r) >= needOf(recs[r + REC_SIZE]!);
    }
    return { twin, ids, shared, slots, possible };
  }

  /** Whether lookupChecked may use the native lookup (tests and benchmarks compare both). */
  static native = true;

  private nativeLookup(hashes: Uint32Array, kinds: Uint8Array, limit: number, hist: Uint8Array, setSize: number): (Candidates & { possible: boolean[] }) | null {
    if (this.bulk) throw new Error('candidate index: a lookup during a bulk load');
    const core = (lookupCore ??= loadLookupCore());
    if (!core) return null;
    if (lookupOut.length < 2 + 4 * limit) lookupOut = new Int32Array(2 + 4 * limit);
    const out = lookupOut;
    const n = core.lookup(hashes, kinds, this.dir, this.cPairs, this.pool, this.recs, this.mask, limit, hist, setSize, out);
    if (n < 0) return null;
    const ids: number[] = new Array(n);
    const shared: number[] = new Array(n);
    const slots: number[] = new Array(n);
    const possible: boolean[] = new Array(n);
    for (let i = 0, o = 2; i < n; i++, o += 4) {
      slots[i] = out[o]!;
      shared[i] = out[o + 1]!;
      ids[i] = out[o + 2]! >>> 0;
      possible[i] = out[o + 3] === 1;
    }
    return { twin: out[0] ? out[1]! >>> 0 : -1, ids, shared, slots, possible };
  }

  /**
   * The representative with the same text hash as a post with these keys (still to be verified), or
   * -1: the one key's walk of `lookup`, without the others'. A post that repeats a stored text is
   * decided by it alone, as in ClusterIndex.
   */
  twinOf(keys: HashedKeys): number {
    for (let k = 0; k < keys.kinds.length; k++) {
      if (keys.kinds[k] === KeyKind.Exact) return this.ranked({ hashes: [keys.hashes[k]!], kinds: [KeyKind.Exact] }, 0).twin;
    }
    return -1;
  }

  /** lookup without the ids: the twin's id, and the candidates' slots and counts. */
  private ranked(keys: HashedKeys, limit: number): { twin: number; slots: number[]; shared: number[] } {
    if (this.bulk) throw new Error('candidate index: a lookup during a bulk load');
    const hashes = keys.hashes;
    const kinds = keys.kinds;
    const n = hashes.length;
    if (n > this.kFrom.length) {
      this.kFrom = new Int32Array(2 * n);
      this.kTo = new Int32Array(2 * n);
      this.kHead = new Int32Array(2 * n);
    }
    const { kFrom, kTo, kHead, dir, cPairs, pool, mask, recs } = this;
    // Each key's bucket, then the first line each key will read, for all keys before any is walked:
    // the loads do not depend on one another, so the processor overlaps their cache misses instead of
    // waiting for one key's before starting the next (JavaScript has no prefetch instruction).
    for (let k = 0; k < n; k++) {
      const b = 2 * (hashes[k]! & mask);
      kFrom[k] = dir[b]!;
      kHead[k] = dir[b + 1]!;
      kTo[k] = dir[b + 2]!;
    }
    let touch = 0;
    for (let k = 0; k < n; k++) {
      if (kFrom[k]! < kTo[k]!) touch ^= cPairs[2 * ((kFrom[k]! + kTo[k]!) >>> 1)]!; // the binary search's first step
      if (kHead[k] !== 0) touch ^= pool[kHead[k]! + 1]!; // the newest tail block's count
    }
    let twin = -1;
    const t = this.tally;
    t.clear();
    for (let k = 0; k < n; k++) {
      const h = hashes[k]!;
      const kind = kinds[k]!;
      // The most recent representatives holding this key, newest first, at most MAX_PER_KEY (the
      // newest one for a text hash). As ClusterIndex: a URL key first met makes the count URL_WEIGHT;
      // every other key adds one. Slots grow with ids: ranking by slot is ranking by id.
      const exact = kind === KeyKind.Exact;
      const want = exact ? 1 : MAX_PER_KEY;
      const w = kind === KeyKind.Url ? URL_WEIGHT : 1;
      let found = 0;
      // The tail: at most MAX_STEPS postings of the bucket, whatever their keys.
      let steps = 0;
      for (let blk = kHead[k]!; blk !== 0 && found < want && steps < MAX_STEPS; blk = pool[blk]!) {
        const end = blk + 2 + 2 * (pool[blk + 1]! >>> 16);
        for (let j = end - 2 * (pool[blk + 1]! & 0xffff); j < end && steps < MAX_STEPS; j += 2, steps++) {
          if (pool[j] !== h) continue;
          const slot = pool[j + 1]!;
          if (exact) twin = recs[slot * REC_WORDS + REC_ID]!;
          else t.bump(slot, w);
          if (++found === want) break;
        }
      }
      if (found === want) continue;
      // The compacted bucket: the key's run, found by binary search.
      let lo = kFrom[k]!;
      let hi = kTo[k]!;
      const end = hi;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cPairs[2 * mid]! < h) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < end && cPairs[2 * i] === h; i++) {
        const slot = cPairs[2 * i + 1]!;
        if (exact) twin = recs[slot * REC_WORDS + REC_ID]!;
        else t.bump(slot, w);
        if (++found === want) break;
      }
    }
    this.sink = touch;
    const { ids: slots, shared } = t.top(limit);
    return { twin, slots, shared };
  }

  /**
   * The probe's histogram as 32 words (bytes beyond a shorter one count as zero, as in
   * intersectionBound), its low and high 4-bit counts apart, and whether any count is saturated.
   */
  private setProbe(hist: Uint8Array) {
    if (hist.length >= HISTOGRAM_BYTES) this.probeBytes.set(hist.length === HISTOGRAM_BYTES ? hist : hist.subarray(0, HISTOGRAM_BYTES));
    else {
      this.probeBytes.fill(0);
      this.probeBytes.set(hist);
    }
    let saturated = 0;
    for (let w = 0; w < HISTOGRAM_BYTES / 4; w++) {
      const lo = this.probe[w]! & 0x0f0f0f0f;
      const hi = (this.probe[w]! >>> 4) & 0x0f0f0f0f;
      this.probeLo[w] = lo;
      this.probeHi[w] = hi;
      saturated |= ((lo + 0x01010101) | (hi + 0x01010101)) & 0x10101010;
    }
    this.probeSaturated = saturated !== 0;
  }

  /**
   * intersectionBound of the record at word r and the probe (setProbe), four bytes at a time: the
   * PAIR_MIN table (64 KiB) is larger than the first-level cache. Per byte lane, the low and the high
   * 4-bit counts apart: x + 16 − y has its bit 4 set where x ≥ y, and then min(x, y) = x − (x − y).
   * (A pair of counts of 15 makes a byte count 255: a probe with a count of 15 — 15 shingles in one
   * range of 256, rare — takes intersectionBound instead.)
   */
  private boundAt(r: number): number {
    if (this.probeSaturated) return intersectionBound(this.recBytes, r * 4, this.probeBytes, 0);
    const { recs, probeLo, probeHi } = this;
    let sum = 0;
    for (let w = 0; w < HISTOGRAM_BYTES / 4; w++) {
      const x = recs[r + w]!;
      const xl = x & 0x0f0f0f0f;
      const xh = (x >>> 4) & 0x0f0f0f0f;
      const dl = (xl | 0x10101010) - probeLo[w]!;
      const dh = (xh | 0x10101010) - probeHi[w]!;
      const gl = dl & 0x10101010;
      const gh = dh & 0x10101010;
      const min = xl - (dl & (gl - (gl >>> 4))) + xh - (dh & (gh - (gh >>> 4))); // ≤ 30 per lane
      sum += Math.imul(min, 0x01010101) >>> 24;
    }
    return sum;
  }
}

let lookupCore: LookupCore | null | undefined;
let lookupOut = new Int32Array(2 + 4 * 64);

/** (key, slot) pairs, appended. */
class PairList {
  pairs = new Uint32Array(1 << 16);
  n = 0;
  push(key: number, slot: number) {
    if (2 * this.n === this.pairs.length) this.pairs = grown(this.pairs, 2 * this.n, 4 * this.n);
    this.pairs[2 * this.n] = key;
    this.pairs[2 * this.n++ + 1] = slot;
  }
}

/**
 * Sorts a crowded bucket's pairs [from, to) (in slot order) by key, newest first among equal keys,
 * keeping only what a lookup can read — the MAX_PER_KEY newest of each key; returns the range's new end.
 */
function sortBucketLarge(pairs: Uint32Array, from: number, to: number): number {
  const seen = new Map<number, number>();
  const kept: number[] = []; // positions, newest first
  for (let i = to - 1; i >= from; i--) {
    const k = pairs[2 * i]!;
    const c = seen.get(k) ?? 0;
    if (c >= MAX_PER_KEY) continue;
    seen.set(k, c + 1);
    kept.push(i);
  }
  const order = kept.map((_, r) => r).sort((x, y) => pairs[2 * kept[x]!]! - pairs[2 * kept[y]!]! || x - y);
  const copy = order.map((r) => [pairs[2 * kept[r]!]!, pairs[2 * kept[r]! + 1]!] as const);
  copy.forEach(([k, s], i) => {
    pairs[2 * (from + i)] = k;
    pairs[2 * (from + i) + 1] = s;
  });
  return from + copy.length;
}

/**
 * The first pass of the counting sort by bucket (endBulk, compact), which writes to few places at a
 * time (one pass straight into millions of buckets missed the caches on nearly every posting): the
 * (key, slot) pairs [0, n) of src by partition — the bucket's bits above its low `lowBits`, at most
 * 4,096 buckets a partition, small enough for the caches in the second pass — each partition in the
 * order given. Returns the partitions' starts (in pairs) and the sorted copy.
 */
function byPartition(src: Uint32Array, n: number, mask: number, lowBits: number): { pStart: Int32Array; sorted: Uint32Array } {
  const parts = (mask + 1) >>> lowBits;
  const pStart = new Int32Array(parts + 1);
  for (let i = 0; i < n; i++) pStart[((src[2 * i]! & mask) >>> lowBits) + 1]!++;
  for (let q = 0; q < parts; q++) pStart[q + 1]! += pStart[q]!;
  const sorted = hugeArray(Uint32Array, 2 * n);
  const pFill = pStart.slice(0, parts);
  for (let i = 0; i < n; i++) {
    const key = src[2 * i]!;
    const at = 2 * pFill[(key & mask) >>> lowBits]!++;
    sorted[at] = key;
    sorted[at + 1] = src[2 * i + 1]!;
  }
  return { pStart, sorted };
}

/**
 * Sorts a bucket's tail postings [from, to) of (keys, slots) by key, then newest (highest slot)
 * first: by insertion (a bucket holds a few), or, for a crowded one (a key shared by many recent
 * posts), by an index sort.
 */
function sortTailRun(keys: Uint32Array, slots: Uint32Array, from: number, to: number): void {
  if (to - from <= 32) {
    for (let i = from + 1; i < to; i++) {
      const k = keys[i]!;
      const v = slots[i]!;
      let j = i - 1;
      while (j >= from && (keys[j]! > k || (keys[j] === k && slots[j]! < v))) {
        keys[j + 1] = keys[j]!;
        slots[j + 1] = slots[j]!;
        j--;
      }
      keys[j + 1] = k;
      slots[j + 1] = v;
    }
    return;
  }
  const order = Array.from({ length: to - from }, (_, i) => from + i).sort((x, y) => keys[x]! - keys[y]! || slots[y]! - slots[x]!);
  const k2 = order.map((i) => keys[i]!);
  const s2 = order.map((i) => slots[i]!);
  keys.set(k2, from);
  slots.set(s2, from);
}

type IndexArray = Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** A copy of a's first `used` elements in a new array of `cap` (the index's large arrays: on huge pages where possible). */
function grown<T extends IndexArray>(a: T, used: number, cap: number): T {
  const b = hugeArray(a.constructor as unknown as Parameters<typeof hugeArray<T>>[0], cap);
  b.set(a.subarray(0, used));
  return b;
}

/** a's first n elements, in an array of their own. */
const trimmed = <T extends IndexArray>(a: T, n: number): T => grown(a, n, n);

/**
 * Shared-key counts per representative slot for one lookup (at most MAX_PER_KEY per key of the post;
 * about 290 at a million posts, 20 at ten thousand) in an open-addressing table of typed arrays, and
 * the best `limit` by (count, slot) without sorting them all: most candidates share one key by
 * chance, and only the part of a count level that is taken needs ordering. Slots are small integers:
 * no boxing, no floating-point hashing. The table starts small enough for the first-level cache (slot
 * and count side by side), and `top` is linear: a histogram of the counts finds the level where the
 * cut falls, and a heap keeps the newest `limit` of that level (at a million posts, finding the cut
 * count by count and keeping the level's newest in a sorted list took half of a lookup).
 */
class Tally {
  private shift = 22; // 32 - log2(table size)
  private cells = new Int32Array(2 << 10); // per entry: slot, count (0: free)
  private used = new Int32Array(1 << 10);
  private n = 0;
  private levels = new Int32Array(128); // top: how many have each count
  private heap = new Int32Array(64); // top: the newest slots of the cut level, smallest first

  clear() {
    for (let k = 0; k < this.n; k++) this.cells[2 * this.used[k]! + 1] = 0;
    this.n = 0;
  }

  bump(slot: number, w: number) {
    if (this.n * 2 >= this.used.length) this.grow();
    const cells = this.cells;
    const mask = this.used.length - 1;
    let s = Math.imul(slot, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const c = cells[2 * s + 1]!;
      if (c === 0) {
        cells[2 * s] = slot;
        cells[2 * s + 1] = w;
        this.used[this.n++] = s;
        return;
      }
      if (cells[2 * s] === slot) {
        cells[2 * s + 1] = c + 1;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  private grow() {
    const n = this.n;
    const slots = new Int32Array(n);
    const counts = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      slots[k] = this.cells[2 * this.used[k]!]!;
      counts[k] = this.cells[2 * this.used[k]! + 1]!;
    }
    const size = this.used.length * 2;
    this.shift--;
    this.cells = new Int32Array(2 * size);
    this.used = new Int32Array(size);
    this.n = 0;
    for (let k = 0; k < n; k++) this.bump(slots[k]!, counts[k]!); // a new slot starts at the weight given: its count
  }

  /** The best `limit` (count desc, then slot desc). */
  top(limit: number): { ids: number[]; shared: number[] } {
    const n = this.n;
    const used = this.used;
    const cells = this.cells;
    // The count at which the cut falls: the largest c such that at least `limit` have a count ≥ c. Most
    // candidates share one key: unless `limit` share more, the cut is at 1 and no histogram is needed.
    let cut = 1;
    if (n > limit) {
      let max = 0;
      let ones = 0;
      for (let k = 0; k < n; k++) {
        const c = cells[2 * used[k]! + 1]!;
        if (c === 1) ones++;
        else if (c > max) max = c;
      }
      if (n - ones >= limit) {
        if (this.levels.length <= max) this.levels = new Int32Array(2 * max);
        const levels = this.levels;
        levels.fill(0, 0, max + 1);
        for (let k = 0; k < n; k++) levels[cells[2 * used[k]! + 1]!]!++;
        for (let atLeast = 0, c = max; c > 1; c--) {
          atLeast += levels[c]!;
          if (atLeast >= limit) {
            cut = c;
            break;
          }
        }
      }
    }
    // Above the cut: all of them (fewer than `limit`), sorted by insertion. At the cut: the newest
    // `limit` in a min-heap (most are passed over after one comparison with its smallest), of which
    // those that still fit are taken.
    const ids: number[] = [];
    const shared: number[] = [];
    if (this.heap.length < limit) this.heap = new Int32Array(limit);
    const heap = this.heap;
    let size = 0;
    for (let k = 0; k < n; k++) {
      const c = cells[2 * used[k]! + 1]!;
      const slot = cells[2 * used[k]!]!;
      if (c > cut) {
        let i = ids.length;
        ids.push(slot);
        shared.push(c);
        while (i > 0 && (shared[i - 1]! < c || (shared[i - 1] === c && ids[i - 1]! < slot))) {
          ids[i] = ids[i - 1]!;
          shared[i] = shared[i - 1]!;
          i--;
        }
        ids[i] = slot;
        shared[i] = c;
      } else if (c === cut) {
        if (size < limit) {
          let i = size++; // sift up
          while (i > 0 && heap[(i - 1) >> 1]! > slot) {
            heap[i] = heap[(i - 1) >> 1]!;
            i = (i - 1) >> 1;
          }
          heap[i] = slot;
        } else if (slot > heap[0]!) siftDown(heap, size, slot); // the smallest makes room
      }
    }
    // The heap's largest `want`, largest first: its smallest are removed one by one.
    const want = Math.max(0, limit - ids.length);
    while (size > want) siftDown(heap, --size, heap[size]!);
    const base = ids.length;
    for (let i = 0; i < size; i++) {
      ids.push(0);
      shared.push(cut);
    }
    while (size > 0) {
      ids[base + size - 1] = heap[0]!;
      siftDown(heap, --size, heap[size]!);
    }
    return { ids, shared };
  }
}

/** Puts `slot` at the root of a min-heap of `size` and moves it down to its place. */
function siftDown(heap: Int32Array, size: number, slot: number) {
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    if (c + 1 < size && heap[c + 1]! < heap[c]!) c++;
    if (heap[c]! >= slot) break;
    heap[i] = heap[c]!;
    i = c;
  }
  heap[i] = slot;
}
