import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minShared } from './opinion.ingest.ts';
import { textCoreAddon } from '../../../text/textcore.ts';
import { CandidateIndex, decodeHistogram, encodeHistogram, histogramOf, HISTOGRAM_BYTES, hashKeys, intersectionBound, keyHash, KeyKind, MAX_PER_KEY, TAIL_SHARE, URL_WEIGHT } from './opinion.candidates.ts';

const H = new Uint8Array(HISTOGRAM_BYTES);

const keys = (...k: string[]) => hashKeys(k);

test('candidate index: twin, ranking by shared keys then recency, URL weight', () => {
  const cases: Array<{ name: string; stored: Array<[number, string[]]>; probe: string[]; twin: number; ids: number[]; shared?: number[] }> = [
    { name: 'nothing stored', stored: [], probe: ['t:a', 'm0:1'], twin: -1, ids: [] },
    { name: 'same text hash is the twin, not a band candidate', stored: [[1, ['t:a', 'm0:1']]], probe: ['t:a'], twin: 1, ids: [] },
    { name: 'newest twin wins', stored: [[1, ['t:a']], [2, ['t:a']]], probe: ['t:a'], twin: 2, ids: [] },
    {
      name: 'more shared bands rank first, then the newer',
      stored: [[1, ['t:x', 'm0:1', 'm1:2']], [2, ['t:y', 'm0:1']], [3, ['t:z', 'm1:2']]],
      probe: ['t:q', 'm0:1', 'm1:2'],
      twin: -1,
      ids: [1, 3, 2],
      shared: [2, 1, 1],
    },
    {
      name: 'a URL key first seen counts as a match',
      stored: [[1, ['t:x', 'm0:1']], [2, ['t:y', 'u:https://a.cn/x']]],
      probe: ['t:q', 'm0:1', 'u:https://a.cn/x'],
      twin: -1,
      ids: [2, 1],
      shared: [URL_WEIGHT, 1],
    },
    { name: 'a key repeated in one representative counts once', stored: [[1, ['m0:1', 'm0:1']]], probe: ['m0:1'], twin: -1, ids: [1], shared: [1] },
  ];
  for (const c of cases) {
    const index = new CandidateIndex(8, 4);
    for (const [id, k] of c.stored) index.add(id, keys(...k).hashes, 0, H);
    const got = index.lookup(keys(...c.probe), 32);
    assert.equal(got.twin, c.twin, c.name);
    assert.deepEqual(got.ids, c.ids, c.name);
    if (c.shared) assert.deepEqual(got.shared, c.shared, c.name);
  }
});

test('candidate index: a common key yields only its most recent representatives; limit; lastRepId; compaction', () => {
  // 16 buckets at first: many keys share a bucket and chains interleave. Past 4,096 postings the tail
  // is compacted (and again later); every size in between must answer the same way.
  const index = new CandidateIndex(4, 2);
  const checkAt = new Set([200, 1400, 1366, 1367, 3000, 6000]);
  for (let id = 1; id <= 6000; id++) {
    index.add(id, keys(`t:${id}`, 'm0:common', `m1:${id % 7}`).hashes, 0, H);
    if (!checkAt.has(id)) continue;
    assert.equal(index.lastRepId, id);
    assert.equal(index.reps, id);
    assert.ok(index.postings <= 3 * id && index.postings >= id + MAX_PER_KEY, 'only postings beyond the newest MAX_PER_KEY of a key are dropped');
    const common = index.lookup(keys('m0:common'), 1000);
    assert.deepEqual(common.ids, Array.from({ length: MAX_PER_KEY }, (_, i) => id - i), `${id}: the newest, newest first`);
    const two = index.lookup(keys('m0:common', `m1:${(id - 1) % 7}`), 5);
    assert.deepEqual(two.ids, [id - 1, id - 8, id - 15, id - 22, id - 29], `${id}: sharing both keys ranks first; limit applies after ranking`);
    assert.equal(index.lookup(keys('t:17'), 5).twin, 17, `${id}: an old key found in a crowded bucket`);
    assert.equal(index.lookup(keys(`t:${id}`), 5).twin, id, `${id}: the newest key`);
    assert.equal(index.lookup(keys('m0:other'), 5).ids.length, 0);
  }
});

test('key hashes are 32-bit and differ for different keys', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) {
    const h = keyHash(`m${i % 16}:${(i * 2654435761) >>> 0}`);
    assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
    seen.add(h);
  }
  assert.ok(seen.size >= 9_990);
});

test('histograms travel through the database as text and come back the same', () => {
  const set = Int32Array.from([-2_000_000_000, -5, 0, 7, 1 << 24, 2_000_000_000]);
  const h = histogramOf(set);
  const back = decodeHistogram(encodeHistogram(set.length, h))!;
  assert.equal(back.size, 6);
  assert.deepEqual([...back.hist], [...h]);
  assert.equal(decodeHistogram('bm90IGEgaGlzdG9ncmFt'), null);
});

test('candidate index: couldShare refuses only by the bound', () => {
  const index = new CandidateIndex(4, 1);
  const a = histogramOf(Int32Array.from([1, 2, 3]));
  index.add(1, keys('m0:x').hashes, 3, a);
  assert.equal(index.sizeAt(0), 3);
  assert.equal(index.couldShare(0, histogramOf(Int32Array.from([1, 2, 3])), 3), true);
  assert.equal(index.couldShare(0, histogramOf(Int32Array.from([1 << 28, 2 << 28])), 1), false, 'no range in common');
});

// ---- against a reference ---------------------------------------------------------------------------

/**
 * The candidate index as documented, written plainly: per key, its representatives newest first (at
 * most MAX_PER_KEY once compacted); the tail since the last compaction in insertion order, of which a
 * lookup reads at most MAX_STEPS postings of the key's bucket; compaction when the tail passes
 * TAIL_SHARE of the compacted part (at least 4,096), with the bucket count doubled until about four
 * postings per bucket.
 */
class ReferenceIndex {
  private static readonly MAX_STEPS = MAX_PER_KEY * 8;
  private mask: number;
  private tail: Array<{ key: number; slot: number }> = [];
  private compacted = new Map<number, number[]>();
  private compactedCount = 0;
  private reps: Array<{ id: number; size: number; hist: Uint8Array }> = [];

  constructor(bucketBits: number, private readonly compacts: boolean) {
    this.mask = (1 << bucketBits) - 1;
  }

  get postings() {
    return this.compactedCount + this.tail.length;
  }

  add(id: number, hashes: Uint32Array, size: number, hist: Uint8Array) {
    const slot = this.reps.length;
    this.reps.push({ id, size: Math.min(size, 65535), hist: Uint8Array.from(hist) });
    for (const key of new Set(hashes)) this.tail.push({ key, slot });
    if (!this.compacts || this.tail.length <= Math.max(4096, this.compactedCount * TAIL_SHARE)) return;
    this.compactAll();
  }

  /** Merges the tail into the compacted part. */
  compactAll() {
    let buckets = this.mask + 1;
    while (buckets * 4 < this.postings) buckets *= 2;
    this.mask = buckets - 1;
    for (const { key, slot } of this.tail) {
      const list = this.compacted.get(key) ?? [];
      list.unshift(slot);
      if (list.length > MAX_PER_KEY) list.pop();
      this.compacted.set(key, list);
    }
    this.compactedCount = [...this.compacted.values()].reduce((n, l) => n + l.length, 0);
    this.tail = [];
  }

  /** The newest `want` slots holding key h, as a lookup reads them. */
  private slotsOf(h: number, want: number): number[] {
    const out: number[] = [];
    for (let i = this.tail.length - 1, steps = 0; i >= 0 && steps < ReferenceIndex.MAX_STEPS; i--) {
      if ((this.tail[i]!.key & this.mask) !== (h & this.mask)) continue;
      steps++;
      if (this.tail[i]!.key === h && out.push(this.tail[i]!.slot) === want) return out;
    }
    for (const slot of this.compacted.get(h) ?? []) if (out.push(slot) === want) return out;
    return out;
  }

  lookup(keys: { hashes: Uint32Array; kinds: Uint8Array }, limit: number) {
    let twin = -1;
    const counts = new Map<number, number>();
    keys.hashes.forEach((h, k) => {
      if (keys.kinds[k] === KeyKind.Exact) {
        const [slot] = this.slotsOf(h, 1);
        if (slot !== undefined) twin = this.reps[slot]!.id;
        return;
      }
      const w = keys.kinds[k] === KeyKind.Url ? URL_WEIGHT : 1;
      for (const slot of this.slotsOf(h, MAX_PER_KEY)) counts.set(slot, counts.has(slot) ? counts.get(slot)! + 1 : w);
    });
    const slots = [...counts.keys()].sort((x, y) => counts.get(y)! - counts.get(x)! || y - x).slice(0, limit);
    return { twin, ids: slots.map((s) => this.reps[s]!.id), shared: slots.map((s) => counts.get(s)!), slots };
  }

  bound(slot: number, hist: Uint8Array) {
    return intersectionBound(this.reps[slot]!.hist, 0, hist, 0);
  }

  couldShare(slot: number, hist: Uint8Array, need: number) {
    return this.bound(slot, hist) >= need;
  }

  sizeAt(slot: number) {
    return this.reps[slot]!.size;
  }
}

/** A small deterministic generator (tests must not depend on Math.random). */
function rng(seed: number) {
  return (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
}

function randomHistogram(int: (n: number) => number): Uint8Array {
  const h = new Uint8Array(HISTOGRAM_BYTES);
  const kind = int(4); // small counts (most posts), any counts, some saturated, none
  for (let i = 0; i < HISTOGRAM_BYTES; i++) {
    if (kind === 0) h[i] = int(4) | (int(4) << 4);
    else if (kind === 1) h[i] = int(15) | (int(15) << 4);
    else if (kind === 2) h[i] = int(8) === 0 ? 0xff : int(256);
  }
  return h;
}

test('candidate index: the same answers as a plain reference, tail and compacted parts mixed, crowded keys', () => {
  for (const { seed, bucketBits, compacts, reps } of [
    { seed: 1, bucketBits: 3, compacts: true, reps: 3000 },
    { seed: 2, bucketBits: 10, compacts: true, reps: 2500 },
    { seed: 3, bucketBits: 5, compacts: false, reps: 1200 },
  ]) {
    const int = rng(seed);
    const index = new CandidateIndex(bucketBits, 4, compacts);
    const ref = new ReferenceIndex(bucketBits, compacts);
    const { probeOf, repOf } = workload(int);
    let id = 0;
    for (let k = 1; k <= reps; k++) {
      const { hashes, size, hist } = repOf();
      id += 1 + int(3);
      index.add(id, hashes, size, hist);
      ref.add(id, hashes, size, hist);
      if (k % 150 !== 0 && k !== reps) continue;
      assert.equal(index.postings, ref.postings, `${seed}/${k}: postings`);
      assert.equal(index.lastRepId, id);
      agree(index, ref, int, probeOf, `${seed}/${k}`);
    }
  }
});

test('candidate index: the histogram checks of lookupChecked are intersectionBound, for every pair of bytes', () => {
  // Representative a has every histogram byte equal to a; the probe, every byte equal to b: the bound
  // is 128 × PAIR_MIN(a, b). Each representative's size is its byte, so needOf can ask for exactly the
  // bound (possible) or one more (not).
  const index = new CandidateIndex(4, 256);
  // 16 keys of 16 representatives each: all within MAX_PER_KEY.
  assert.ok(MAX_PER_KEY >= 16);
  for (let a = 0; a < 256; a++) index.add(a + 1, [keyHash(`m${a % 16}:all`)], a, new Uint8Array(HISTOGRAM_BYTES).fill(a));
  const keys = hashKeys(Array.from({ length: 16 }, (_, g) => `m${g}:all`));
  for (let b = 0; b < 256; b++) {
    const probe = new Uint8Array(HISTOGRAM_BYTES).fill(b);
    for (const extra of [0, 1]) {
      const got = index.lookupChecked(keys, 256, probe, (a) => intersectionBound(new Uint8Array(HISTOGRAM_BYTES).fill(a), 0, probe, 0) + extra);
      assert.equal(got.ids.length, 256);
      assert.ok(got.possible.every((p) => p === (extra === 0)), `probe byte ${b}, need = bound + ${extra}`);
    }
  }
});

/**
 * Random keys: unique ones, a pool shared by a few posts each, and crowded ones (one on about a third
 * of the posts: hundreds in one bucket's tail, past MAX_STEPS for the keys that share its bucket).
 */
function workload(int: (n: number) => number) {
  const crowded = [keyHash('m0:crowd'), keyHash('m1:crowd'), keyHash('u:https://crowd.cn/')];
  const pool = Array.from({ length: 400 }, (_, i) => keyHash(`m${i % 16}:${i}`));
  const someKey = () => {
    const r = int(20);
    if (r < 6) return crowded[r % 3 === 0 ? 0 : int(3)]!;
    if (r < 14) return pool[int(pool.length)]!;
    return int(2 ** 32);
  };
  const probeOf = () => {
    const n = 1 + int(18);
    const hashes = Uint32Array.from({ length: n }, someKey);
    if (int(4) === 0) hashes[n - 1] = hashes[0]!; // a key twice in a post counts twice
    const kinds = Uint8Array.from(hashes, (h) => (h === crowded[2] || int(12) === 0 ? KeyKind.Url : int(10) === 0 ? KeyKind.Exact : KeyKind.Band));
    return { hashes, kinds };
  };
  const repOf = () => {
    const hashes = Uint32Array.from({ length: 1 + int(16) }, someKey);
    if (int(5) === 0) hashes[0] = hashes[hashes.length - 1]!; // a key twice in one representative counts once
    return { hashes, size: int(400), hist: randomHistogram(int) };
  };
  return { probeOf, repOf };
}

/** Whether native/textcore is built (CI builds it: src/text/textcore.test.ts fails there if it is not). */
const nativeBuilt = textCoreAddon() !== null && process.env.FRONTLINE_NATIVE !== '0';
if (!nativeBuilt) console.warn('!!! native/textcore is not built here (npm run postinstall): the native lookup is not compared');

/** 25 random lookups: the index answers as the reference (lookup, lookupChecked, the bounds), natively too. */
function agree(index: CandidateIndex, ref: ReferenceIndex, int: (n: number) => number, probeOf: () => { hashes: Uint32Array; kinds: Uint8Array }, at: string) {
      for (let q = 0; q < 25; q++) {
        const keys = probeOf();
        const limit = [1, 5, 32, 32, 200][int(5)]!;
        const got = index.lookup(keys, limit);
        const want = ref.lookup(keys, limit);
        assert.deepEqual(got, want, `${at}/${q}: lookup`);
        const hist = randomHistogram(int);
        const needOf = (size: number) => (size * 3) % 160;
        const checked = index.lookupChecked(keys, limit, hist, needOf);
        assert.deepEqual({ twin: checked.twin, ids: checked.ids, shared: checked.shared, slots: checked.slots }, want, `${at}/${q}: lookupChecked`);
        const possible = want.slots.map((s, i) => want.shared[i]! >= URL_WEIGHT || ref.couldShare(s, hist, needOf(ref.sizeAt(s))));
        assert.deepEqual(checked.possible, possible, `${at}/${q}: lookupChecked's histogram checks`);
        // The native lookup (native/textcore/lookup.c) answers as the TypeScript one, with the ingest's
        // minShared as the bar.
        const setSize = int(400);
        const bar = (size: number) => minShared(setSize, size);
        CandidateIndex.native = false;
        const inTs = index.lookupChecked(keys, limit, hist, bar, setSize);
        CandidateIndex.native = true;
        if (nativeBuilt) assert.deepEqual(index.lookupChecked(keys, limit, hist, bar, setSize), inTs, `${at}/${q}: the native lookup`);
        for (const s of want.slots) {
          assert.equal(index.sizeAt(s), ref.sizeAt(s));
          const bound = ref.bound(s, hist);
          assert.equal(index.couldShare(s, hist, bound), true);
          assert.equal(index.couldShare(s, hist, bound + 1), false);
        }
      }
}

test('candidate index: a bulk load answers as the reference with everything compacted, and so do adds after it', () => {
  for (const { seed, bucketBits, reps, after } of [
    { seed: 4, bucketBits: 3, reps: 3000, after: 2500 },
    { seed: 5, bucketBits: 10, reps: 300, after: 6000 },
    { seed: 6, bucketBits: 4, reps: 0, after: 200 },
    { seed: 7, bucketBits: 2, reps: 9000, after: 0 },
  ]) {
    const int = rng(seed);
    const { probeOf, repOf } = workload(int);
    const stored = Array.from({ length: reps }, (_, k) => ({ id: 3 * k + 1 + int(3), ...repOf() }));
    const index = new CandidateIndex(bucketBits, 4);
    const ref = new ReferenceIndex(bucketBits, true);
    index.startBulk();
    assert.throws(() => index.lookup(probeOf(), 5), /bulk/);
    for (const r of stored) {
      index.add(r.id, r.hashes, r.size, r.hist);
      ref.add(r.id, r.hashes, r.size, r.hist);
    }
    index.endBulk();
    ref.compactAll();
    assert.equal(index.reps, reps);
    assert.equal(index.postings, ref.postings, `${seed}: postings (the newest ${MAX_PER_KEY} of each key)`);
    assert.equal(index.lastRepId, stored.at(-1)?.id ?? 0);
    agree(index, ref, int, probeOf, `${seed}: after the bulk load`);
    let id = index.lastRepId;
    for (let k = 1; k <= after; k++) {
      const { hashes, size, hist } = repOf();
      id += 1 + int(3);
      index.add(id, hashes, size, hist);
      ref.add(id, hashes, size, hist);
      if (k % 500 !== 0 && k !== after) continue;
      assert.equal(index.postings, ref.postings, `${seed}/${k}: postings`);
      agree(index, ref, int, probeOf, `${seed}/${k}: added after the bulk load`);
    }
  }
  assert.throws(() => {
    const used = new CandidateIndex();
    used.add(1, [1], 0, H);
    used.startBulk();
  }, /empty/);
});

test('candidate index: the native lookup bounds saturated counts as the TypeScript one does (a pair of 15s: no bound)', (t) => {
  if (!nativeBuilt) return t.skip('native/textcore not built');
  // One byte of 0xff (two ranges of "15 or more") in both histograms, the rest empty: a plain minimum
  // would bound the shared shingles at 30, below the 56 that two sets of 100 need; saturated, no bound.
  const index = new CandidateIndex(4, 16);
  const hist = new Uint8Array(HISTOGRAM_BYTES);
  hist[17] = 0xff;
  index.add(1, [keyHash('m0:x')], 100, hist);
  index.add(2, [keyHash('m0:x')], 100, new Uint8Array(HISTOGRAM_BYTES).fill(0x11));
  const keys = hashKeys(['m0:x']);
  const bar = (size: number) => minShared(100, size);
  for (const native of [false, true]) {
    CandidateIndex.native = native;
    const got = index.lookupChecked(keys, 32, hist, bar, 100);
    assert.deepEqual(got.ids, [2, 1]);
    assert.deepEqual(got.possible, [false, true], native ? 'native' : 'TypeScript');
  }
  CandidateIndex.native = true;
});
