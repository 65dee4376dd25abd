// The candidate index: for a new post, which cluster representatives share one of its keys (text
// hash "t:", URL "u:", MinHash bands "m…:"). A key is one probe of an in-memory table instead of a
// B-tree search, and a key shared by many posts costs at most MAX_PER_KEY steps (its most recent
// representatives), whatever the size of the store (measured per post: 35–77 µs at 10,000 stored
// posts, 158–205 µs at 1,000,000 with representatives cached; docs/opinion.md).
//
// One index per org, per app instance, in typed arrays: 8–12 bytes per (representative, key), 2 bytes
// per key for its bucket, and 134 bytes per representative for its shingle histogram (below): 289 MiB
// for the 789,000 representatives of a million posts. The database stays the truth: every representative row carries its org and keys, and before each ingest the index reads
// the rows added since it last looked (opinion.ingest.ts does this under the org's ingest lock, so on
// PostgreSQL every instance sees what the others wrote). A key is kept as a 32-bit hash: a collision
// only adds a candidate, which the shingle check then refuses.
//
// Layout: see CandidateIndex (a compacted part grouped by bucket, and a chained tail).

/** Per key, only this many of the most recent representatives are candidates (as ClusterIndex). */
export const MAX_PER_KEY = 50;
/** A chain walk stops after this many postings, whatever their keys (buckets shared by other keys). */
const MAX_STEPS = MAX_PER_KEY * 8;
/** A URL key is as good as a match: its candidates rank before any shared-band count. */
export const URL_WEIGHT = 100;

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

/** 32-bit FNV-1a with a final mix, of a key's text. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h ^ (h >>> 16)) >>> 0;
}

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

export class CandidateIndex {
  /** The highest representative id added; the next sync reads rows above it. */
  lastRepId = 0;
  // Postings (key hash, representative slot) in two parts, both walked newest first:
  // - the compacted part, grouped by bucket (bucket b at [cStart[b], cStart[b + 1]), by key, newest
  //   first): a key shared by many representatives is read as one contiguous run, a few cache lines,
  //   instead of a pointer chase with a cache miss per step — at a million posts, the difference
  //   between a lookup that stays flat and one that does not;
  // - the tail, added since the last compaction, chained per bucket (tNext) from tHead.
  // When the tail reaches a quarter of the compacted part, both are merged again (counting sort by
  // bucket), with about four keys per bucket: each posting is moved O(log n) times in all.
  private mask: number;
  private cKey = new Uint32Array(0);
  private cSlot = new Uint32Array(0);
  private cStart: Int32Array;
  private tHead: Int32Array;
  private tKey: Uint32Array;
  private tSlot: Uint32Array;
  private tNext: Int32Array;
  private t = 0;
  // Representatives by slot (the order they were added): id, shingle set size, histogram.
  private slotRep: Uint32Array;
  private sizes: Uint16Array;
  private hists: Uint8Array;
  private slots = 0;
  // Scratch for ranking (reused; one lookup at a time).
  private readonly tally = new Tally();

  /**
   * `compacts`: false for a short-lived index (a batch's own posts), which stays a chained tail.
   */
  constructor(bucketBits = 10, initialReps = 1 << 10, private readonly compacts = true) {
    this.mask = (1 << bucketBits) - 1;
    this.cStart = new Int32Array(this.mask + 2);
    this.tHead = new Int32Array(this.mask + 1).fill(-1);
    this.tKey = new Uint32Array(initialReps * 16);
    this.tSlot = new Uint32Array(initialReps * 16);
    this.tNext = new Int32Array(initialReps * 16);
    this.slotRep = new Uint32Array(initialReps);
    this.sizes = new Uint16Array(initialReps);
    this.hists = new Uint8Array(initialReps * HISTOGRAM_BYTES);
  }

  /** Representatives added. */
  get reps() {
    return this.slots;
  }

  /** Postings held (representative × key; beyond MAX_PER_KEY per key, older ones are dropped). */
  get postings() {
    return this.cKey.length + this.t;
  }

  /** Bytes held by the typed arrays. */
  get bytes() {
    return [this.cKey, this.cSlot, this.cStart, this.tHead, this.tKey, this.tSlot, this.tNext, this.slotRep, this.sizes, this.hists].reduce((n, a) => n + a.byteLength, 0);
  }

  /**
   * Adds a representative (an id below 2^32; ids must grow: the database's, in insertion order) with
   * its keys' hashes and its shingle set's size and histogram.
   */
  add(repId: number, hashes: ArrayLike<number>, size: number, hist: Uint8Array): void {
    if (this.slots === this.slotRep.length) {
      this.slotRep = grown(this.slotRep, this.slots, this.slots * 2);
      this.sizes = grown(this.sizes, this.slots, this.slots * 2);
      this.hists = grown(this.hists, this.slots * HISTOGRAM_BYTES, this.slots * 2 * HISTOGRAM_BYTES);
    }
    const slot = this.slots++;
    this.slotRep[slot] = repId;
    this.sizes[slot] = Math.min(size, 65535);
    this.hists.set(hist, slot * HISTOGRAM_BYTES);
    if (this.t + hashes.length > this.tKey.length) {
      const cap = Math.max(this.tKey.length * 2, this.t + hashes.length);
      this.tKey = grown(this.tKey, this.t, cap);
      this.tSlot = grown(this.tSlot, this.t, cap);
      this.tNext = grown(this.tNext, this.t, cap);
    }
    for (let k = 0; k < hashes.length; k++) {
      const h = hashes[k]!;
      let twice = false; // a key twice in one representative counts once
      for (let j = 0; j < k && !twice; j++) twice = hashes[j] === h;
      if (twice) continue;
      const b = h & this.mask;
      const i = this.t++;
      this.tKey[i] = h;
      this.tSlot[i] = slot;
      this.tNext[i] = this.tHead[b]!;
      this.tHead[b] = i;
    }
    if (this.compacts && this.t > Math.max(4096, this.cKey.length / 4)) this.compact();
    if (repId > this.lastRepId) this.lastRepId = repId;
  }

  /**
   * Merges the tail into the compacted part, with buckets for about four keys each. Within a bucket
   * postings are ordered by key, then newest first, so a key is found by binary search and read as
   * one run (a bucket shared with a key of a hundred thousand posts costs a few more steps, not a
   * lost lookup); only the MAX_PER_KEY newest of a key are kept — older ones are never read.
   */
  private compact() {
    const total = this.cKey.length + this.t;
    let buckets = this.mask + 1; // never fewer: a new bucket must take its postings from one old bucket
    while (buckets * 4 < total) buckets *= 2;
    const mask = buckets - 1;
    const start = new Int32Array(buckets + 1);
    for (let i = 0; i < this.cKey.length; i++) start[(this.cKey[i]! & mask) + 1]!++;
    for (let i = 0; i < this.t; i++) start[(this.tKey[i]! & mask) + 1]!++;
    for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
    // Newest first within a bucket: the tail (newer than anything compacted) from its newest end, then
    // the compacted postings, which an old bucket passes on in its order (by key, newest first).
    const fill = start.slice(0, buckets);
    const key = new Uint32Array(total);
    const slot = new Uint32Array(total);
    for (let i = this.t - 1; i >= 0; i--) {
      const at = fill[this.tKey[i]! & mask]!++;
      key[at] = this.tKey[i]!;
      slot[at] = this.tSlot[i]!;
    }
    for (let i = 0; i < this.cKey.length; i++) {
      const at = fill[this.cKey[i]! & mask]!++;
      key[at] = this.cKey[i]!;
      slot[at] = this.cSlot[i]!;
    }
    // Each bucket by key (stable: newest first within a key), keeping MAX_PER_KEY per key, packed.
    // Buckets hold about four postings: sorted in place by insertion; a crowded one (a key shared by
    // many posts) by an index sort.
    const cStart = new Int32Array(buckets + 1);
    let w = 0;
    for (let b = 0; b < buckets; b++) {
      const s = start[b]!;
      const e = start[b + 1]!;
      cStart[b] = w;
      if (e - s <= 32) {
        for (let i = s + 1; i < e; i++) {
          const k = key[i]!;
          const v = slot[i]!;
          let j = i - 1;
          while (j >= s && key[j]! > k) {
            key[j + 1] = key[j]!;
            slot[j + 1] = slot[j]!;
            j--;
          }
          key[j + 1] = k;
          slot[j + 1] = v;
        }
      } else {
        const order = Array.from({ length: e - s }, (_, i) => s + i).sort((x, y) => key[x]! - key[y]! || x - y);
        const k2 = order.map((i) => key[i]!);
        const s2 = order.map((i) => slot[i]!);
        key.set(k2, s);
        slot.set(s2, s);
      }
      for (let i = s, run = 0; i < e; i++) {
        run = i > s && key[i] === key[i - 1] ? run + 1 : 0;
        if (run >= MAX_PER_KEY) continue;
        key[w] = key[i]!;
        slot[w++] = slot[i]!;
      }
    }
    cStart[buckets] = w;
    this.mask = mask;
    this.cKey = key.slice(0, w);
    this.cSlot = slot.slice(0, w);
    this.cStart = cStart;
    this.tHead = new Int32Array(buckets).fill(-1);
    this.t = 0;
  }

  /**
   * Whether the representative in `slot` could share `need` shingles with a set of this histogram:
   * false means it certainly cannot (the near-duplicate test would fail), without reading its set.
   */
  couldShare(slot: number, hist: Uint8Array, need: number): boolean {
    return intersectionBound(this.hists, slot * HISTOGRAM_BYTES, hist, 0) >= need;
  }

  /** The size of the shingle set of the representative in `slot`. */
  sizeAt(slot: number): number {
    return this.sizes[slot]!;
  }

  /**
   * Calls fn(slot) for the representatives holding key hash h, newest first, until fn returns false:
   * first the tail's chain (at most MAX_STEPS postings of any key), then the key's run in the
   * compacted bucket (found by binary search).
   */
  private walk(h: number, fn: (slot: number) => boolean) {
    const b = h & this.mask;
    for (let i = this.tHead[b]!, steps = 0; i >= 0 && steps < MAX_STEPS; i = this.tNext[i]!, steps++) {
      if (this.tKey[i] === h && !fn(this.tSlot[i]!)) return;
    }
    let lo = this.cStart[b]!;
    let hi = this.cStart[b + 1]!;
    const end = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cKey[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < end && this.cKey[i] === h; i++) if (!fn(this.cSlot[i]!)) return;
  }

  /** The candidates of a post with these keys: its twin and at most `limit` others, best first. */
  lookup(keys: HashedKeys, limit: number): Candidates {
    let twin = -1;
    const t = this.tally;
    t.clear();
    for (let k = 0; k < keys.hashes.length; k++) {
      const h = keys.hashes[k]!;
      const kind = keys.kinds[k]!;
      if (kind === KeyKind.Exact) {
        this.walk(h, (slot) => {
          twin = this.slotRep[slot]!;
          return false;
        });
        continue;
      }
      // The most recent representatives holding this key, newest first, at most MAX_PER_KEY. As
      // ClusterIndex: a URL key first met makes the count URL_WEIGHT; every other key adds one.
      const w = kind === KeyKind.Url ? URL_WEIGHT : 1;
      let found = 0;
      this.walk(h, (slot) => {
        t.bump(slot, w); // slots grow with ids: ranking by slot is ranking by id
        return ++found < MAX_PER_KEY;
      });
    }
    const { ids: slots, shared } = t.top(limit);
    return { twin, ids: slots.map((x) => this.slotRep[x]!), shared, slots };
  }
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, used: number, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a.subarray(0, used));
  return b;
}

/**
 * Shared-key counts per representative slot for one lookup (at most 16 × MAX_PER_KEY of them) in an
 * open-addressing table of typed arrays, and the best `limit` by (count, slot) without sorting them
 * all: most candidates share one key by chance, and only the part of a count level that is taken
 * needs ordering. Slots are small integers: no boxing, no floating-point hashing.
 */
class Tally {
  private shift = 20; // 32 - log2(table size)
  private keys = new Int32Array(1 << 12);
  private counts = new Int32Array(1 << 12);
  private used = new Int32Array(1 << 12);
  private n = 0;

  clear() {
    for (let k = 0; k < this.n; k++) this.counts[this.used[k]!] = 0;
    this.n = 0;
  }

  bump(slot: number, w: number) {
    if (this.n * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let s = Math.imul(slot, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const c = this.counts[s]!;
      if (c === 0) {
        this.keys[s] = slot;
        this.counts[s] = w;
        this.used[this.n++] = s;
        return;
      }
      if (this.keys[s] === slot) {
        this.counts[s] = c + 1;
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
      slots[k] = this.keys[this.used[k]!]!;
      counts[k] = this.counts[this.used[k]!]!;
    }
    const size = this.keys.length * 2;
    this.shift--;
    this.keys = new Int32Array(size);
    this.counts = new Int32Array(size);
    this.used = new Int32Array(size);
    this.n = 0;
    for (let k = 0; k < n; k++) this.bump(slots[k]!, counts[k]!); // a new slot starts at the weight given: its count
  }

  /** The best `limit` (count desc, then slot desc). */
  top(limit: number): { ids: number[]; shared: number[] } {
    const n = this.n;
    const used = this.used;
    const counts = this.counts;
    const keys = this.keys;
    // The count at which the cut falls: the largest c such that at least `limit` have a count ≥ c.
    let cut = 1;
    if (n > limit) {
      let max = 0;
      for (let k = 0; k < n; k++) max = Math.max(max, counts[used[k]!]!);
      for (cut = max; cut > 1; cut--) {
        let atLeast = 0;
        for (let k = 0; k < n; k++) if (counts[used[k]!]! >= cut) atLeast++;
        if (atLeast >= limit) break;
      }
    }
    // Above the cut: all of them, sorted (few). At the cut: the newest that still fit, kept sorted
    // ascending in `best` — most are passed over after one comparison.
    const above: number[] = [];
    for (let k = 0; k < n; k++) if (counts[used[k]!]! > cut) above.push(used[k]!);
    above.sort((x, y) => counts[y]! - counts[x]! || keys[y]! - keys[x]!);
    const ids = above.map((s) => keys[s]!);
    const shared = above.map((s) => counts[s]!);
    const best: number[] = [];
    const want = limit - ids.length;
    if (want > 0) {
      for (let k = 0; k < n; k++) {
        if (counts[used[k]!] !== cut) continue;
        const slot = keys[used[k]!]!;
        if (best.length === want) {
          if (slot <= best[0]!) continue;
          best.shift(); // the smallest makes room
        }
        let i = 0;
        while (i < best.length && best[i]! < slot) i++;
        best.splice(i, 0, slot);
      }
      for (let i = best.length - 1; i >= 0; i--) {
        ids.push(best[i]!);
        shared.push(cut);
      }
    }
    return { ids, shared };
  }
}
