import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CandidateIndex, decodeHistogram, encodeHistogram, histogramOf, HISTOGRAM_BYTES, hashKeys, keyHash, MAX_PER_KEY, URL_WEIGHT } from './opinion.candidates.ts';

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
    assert.ok(index.postings <= 3 * id && index.postings >= id + MAX_PER_KEY, 'only postings beyond the newest 50 of a key are dropped');
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
