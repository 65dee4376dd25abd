// The candidate index: for a new post, which cluster representatives share one of its keys (text
// hash "t:", URL "u:", MinHash bands "m…:"). It is what keeps a cluster lookup as fast with a million
// stored posts as with ten thousand: a key is one probe of an in-memory table instead of a B-tree
// search, and a key shared by many posts costs at most MAX_PER_KEY steps (its most recent
// representatives), whatever the size of the store.
//
// One index per org, per app instance, in typed arrays: 12 bytes per (representative, key), a bucket
// per two or fewer, and 134 bytes per representative for its shingle histogram (below); 17 keys per
// representative make ≈ 350–450 bytes per representative (the arrays grow by doubling), ≈ 300 MiB for
// the 750,000 representatives of a million posts. The database stays the
// truth: every representative row carries its org and keys, and before each ingest the index reads
// the rows added since it last looked (opinion.ingest.ts does this under the org's ingest lock, so on
// PostgreSQL every instance sees what the others wrote). A key is kept as a 32-bit hash: a collision
// only adds a candidate, which the shingle check then refuses.
//
// Layout: `head[bucket]` is the newest posting of the keys hashing to that bucket; each posting holds
// its key hash, its representative and the next older posting of the same bucket. Postings are only
// appended (representatives are never removed), so a bucket's chain is newest first.

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
  hashes: number[];
  kinds: KeyKind[];
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

export function hashKeys(keys: readonly string[]): HashedKeys {
  const hashes: number[] = [];
  const kinds: KeyKind[] = [];
  for (const k of keys) {
    hashes.push(keyHash(k));
    kinds.push(k.startsWith('t:') ? KeyKind.Exact : k.startsWith('u:') ? KeyKind.Url : KeyKind.Band);
  }
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
  /** Index slots of `ids` (for `couldMatch`). */
  slots: number[];
}

export class CandidateIndex {
  /** The highest representative id added; the next sync reads rows above it. */
  lastRepId = 0;
  private mask: number;
  private head: Int32Array;
  // Postings: key hash, representative slot, next older posting in the bucket.
  private postKey: Uint32Array;
  private postSlot: Uint32Array;
  private postNext: Int32Array;
  private n = 0;
  // Representatives by slot (the order they were added): id, shingle set size, histogram.
  private slotRep: Uint32Array;
  private sizes: Uint16Array;
  private hists: Uint8Array;
  private slots = 0;
  // Scratch for ranking (reused; one lookup at a time).
  private readonly tally = new Tally();

  constructor(bucketBits = 16, initialReps = 1 << 12) {
    this.mask = (1 << bucketBits) - 1;
    this.head = new Int32Array(1 << bucketBits).fill(-1);
    this.postKey = new Uint32Array(initialReps * 16);
    this.postSlot = new Uint32Array(initialReps * 16);
    this.postNext = new Int32Array(initialReps * 16);
    this.slotRep = new Uint32Array(initialReps);
    this.sizes = new Uint16Array(initialReps);
    this.hists = new Uint8Array(initialReps * HISTOGRAM_BYTES);
  }

  /** Representatives added. */
  get reps() {
    return this.slots;
  }

  /** Postings held (representative × key). */
  get postings() {
    return this.n;
  }

  /** Bytes held by the typed arrays. */
  get bytes() {
    return (
      this.head.byteLength + this.postKey.byteLength + this.postSlot.byteLength + this.postNext.byteLength +
      this.slotRep.byteLength + this.sizes.byteLength + this.hists.byteLength
    );
  }

  /**
   * Adds a representative (an id below 2^32; ids must grow: the database's, in insertion order) with
   * its keys' hashes and its shingle set's size and histogram.
   */
  add(repId: number, hashes: readonly number[], size: number, hist: Uint8Array): void {
    if (this.slots === this.slotRep.length) {
      this.slotRep = grown(this.slotRep, this.slots, this.slots * 2);
      this.sizes = grown(this.sizes, this.slots, this.slots * 2);
      this.hists = grown(this.hists, this.slots * HISTOGRAM_BYTES, this.slots * 2 * HISTOGRAM_BYTES);
    }
    const slot = this.slots++;
    this.slotRep[slot] = repId;
    this.sizes[slot] = Math.min(size, 65535);
    this.hists.set(hist, slot * HISTOGRAM_BYTES);
    if (this.n + hashes.length > this.postKey.length) {
      const cap = Math.max(this.postKey.length * 2, this.n + hashes.length);
      this.postKey = grown(this.postKey, this.n, cap);
      this.postSlot = grown(this.postSlot, this.n, cap);
      this.postNext = grown(this.postNext, this.n, cap);
    }
    for (let k = 0; k < hashes.length; k++) {
      const h = hashes[k]!;
      if (hashes.indexOf(h) < k) continue; // a key twice in one representative counts once
      const b = h & this.mask;
      const i = this.n++;
      this.postKey[i] = h;
      this.postSlot[i] = slot;
      this.postNext[i] = this.head[b]!;
      this.head[b] = i;
    }
    // Keep about one key per bucket or fewer: a lookup walks its bucket's chain.
    if (this.n > 2 * this.head.length) this.rehash();
    if (repId > this.lastRepId) this.lastRepId = repId;
  }

  /** Four times the buckets; chains relinked oldest first, so each stays newest first. */
  private rehash() {
    this.head = new Int32Array(this.head.length * 4).fill(-1);
    this.mask = this.head.length - 1;
    for (let i = 0; i < this.n; i++) {
      const b = this.postKey[i]! & this.mask;
      this.postNext[i] = this.head[b]!;
      this.head[b] = i;
    }
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

  /** The candidates of a post with these keys: its twin and at most `limit` others, best first. */
  lookup(keys: HashedKeys, limit: number): Candidates {
    let twin = -1;
    const t = this.tally;
    t.clear();
    for (let k = 0; k < keys.hashes.length; k++) {
      const h = keys.hashes[k]!;
      const kind = keys.kinds[k]!;
      let i = this.head[h & this.mask]!;
      if (kind === KeyKind.Exact) {
        for (let steps = 0; i >= 0 && steps < MAX_STEPS; steps++, i = this.postNext[i]!) {
          if (this.postKey[i] === h) {
            twin = this.slotRep[this.postSlot[i]!]!;
            break;
          }
        }
        continue;
      }
      // The most recent representatives holding this key, newest first, at most MAX_PER_KEY. As
      // ClusterIndex: a URL key first met makes the count URL_WEIGHT; every other key adds one.
      const w = kind === KeyKind.Url ? URL_WEIGHT : 1;
      let found = 0;
      for (let steps = 0; i >= 0 && found < MAX_PER_KEY && steps < MAX_STEPS; steps++, i = this.postNext[i]!) {
        if (this.postKey[i] !== h) continue;
        t.bump(this.postSlot[i]!, w); // slots grow with ids: ranking by slot is ranking by id
        found++;
      }
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
 * Shared-key counts per representative for one lookup (at most 16 × MAX_PER_KEY of them) in an
 * open-addressing table of typed arrays, and the best `limit` by (count, id) without sorting them
 * all: most candidates share one key by chance, and only the part of a count level that is taken
 * needs ordering.
 */
class Tally {
  private bits = 12;
  private ids = new Float64Array(1 << this.bits);
  private counts = new Int32Array(1 << this.bits);
  private used = new Int32Array(1 << this.bits);
  private n = 0;

  clear() {
    for (let k = 0; k < this.n; k++) this.counts[this.used[k]!] = 0;
    this.n = 0;
  }

  bump(id: number, w: number) {
    const mask = this.ids.length - 1;
    // Representative ids are integers below 2^53: mix their low 32 bits for the slot.
    let s = Math.imul((id % 4294967296) | 0, 0x9e3779b1) >>> (32 - this.bits);
    for (;;) {
      const c = this.counts[s]!;
      if (c === 0) {
        if (this.n * 2 >= this.ids.length) {
          this.grow();
          this.bump(id, w);
          return;
        }
        this.ids[s] = id;
        this.counts[s] = w;
        this.used[this.n++] = s;
        return;
      }
      if (this.ids[s] === id) {
        this.counts[s] = c + 1;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  private grow() {
    const entries = Array.from({ length: this.n }, (_, k) => [this.ids[this.used[k]!]!, this.counts[this.used[k]!]!] as const);
    this.bits += 1;
    this.ids = new Float64Array(1 << this.bits);
    this.counts = new Int32Array(1 << this.bits);
    this.used = new Int32Array(1 << this.bits);
    this.n = 0;
    for (const [id, c] of entries) this.bump(id, c); // a new id starts at the weight given: its count
  }

  /** The best `limit` (count desc, then id desc). */
  top(limit: number): { ids: number[]; shared: number[] } {
    const n = this.n;
    // The count at which the cut falls: the largest c such that at least `limit` have a count ≥ c.
    let max = 0;
    for (let k = 0; k < n; k++) max = Math.max(max, this.counts[this.used[k]!]!);
    let cut = 1;
    if (n > limit) {
      const atLeast = new Int32Array(max + 2);
      for (let k = 0; k < n; k++) atLeast[this.counts[this.used[k]!]!]!++;
      let sum = 0;
      for (cut = max; cut > 1; cut--) {
        sum += atLeast[cut]!;
        if (sum >= limit) break;
      }
    }
    const above: Array<[number, number]> = [];
    const level: number[] = [];
    for (let k = 0; k < n; k++) {
      const s = this.used[k]!;
      const c = this.counts[s]!;
      if (c > cut) above.push([this.ids[s]!, c]);
      else if (c === cut) level.push(this.ids[s]!);
    }
    above.sort((x, y) => y[1] - x[1] || y[0] - x[0]);
    const ids = above.map((e) => e[0]);
    const shared = above.map((e) => e[1]);
    if (ids.length < limit && level.length) {
      const lv = Float64Array.from(level).sort(); // ascending; take from the end (newest first)
      for (let k = lv.length - 1; k >= 0 && ids.length < limit; k--) {
        ids.push(lv[k]!);
        shared.push(cut);
      }
    }
    return { ids, shared };
  }
}
