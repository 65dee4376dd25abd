// Near-duplicate recall as the store grows. The corpus's pair recall (opinion-quality.test.ts) is
// measured on a few hundred posts; here 10,000 synthetic posts (src/text/corpus/synthetic.ts: the
// benchmark's stream) are clustered as the server does (ClusterIndex, with the keys the server stores:
// text hash and MinHash bands), then 250 of them, spread over the store, come back rewritten — one
// character in five replaced, near the near-duplicate bar — and must find their original's cluster.
// With the earlier banding (16 bands × 2 rows of trigram MinHash) 215 of 250 did (86%: this test
// fails), and fewer as the store grew (52% at a million; bench/opinion.ts measures that curve); with
// 32 bands × 3 rows of bigram MinHash, 243 (97%).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyse } from './pipeline.ts';
import { ClusterIndex, nearDuplicate, type ClusterItem } from './simhash.ts';
import { rewritten, syntheticPosts } from './corpus/synthetic.ts';
import { mulberry32 } from './random.ts';

const item = (id: string, text: string): ClusterItem => {
  const a = analyse(text);
  return { id, normalized: a.normalized, simhash: a.simhash, textHash: a.textHash, bandKeys: a.bandKeys.filter((k) => !k.startsWith('b')) };
};

test('near-duplicate recall at 10,000 stored posts: ≥ 90% of rewritten posts (one character in five changed) join their original', (t) => {
  const N = 10_000;
  const next = syntheticPosts(11);
  const index = new ClusterIndex();
  const texts: string[] = [];
  for (let i = 0; i < N; i++) {
    texts.push(next());
    index.add(item(String(i), texts[i]!));
  }
  const rand = mulberry32(5);
  let near = 0;
  let joined = 0;
  for (let i = 0; i < N; i += N / 250) {
    const probe = item(`probe-${i}`, rewritten(texts[i]!, 5, rand));
    // Only probes that pass the exact near-duplicate test against their original count.
    if (!nearDuplicate(probe.normalized, item('', texts[i]!).normalized)) continue;
    near++;
    if (index.match(probe).clusterId === index.clusterOf(String(i))) joined++;
  }
  t.diagnostic(`${joined} of ${near} rewritten posts joined their original's cluster (${((100 * joined) / near).toFixed(1)}%)`);
  assert.ok(near >= 240, `${near} of 250 rewritten posts are near-duplicates of their original`);
  assert.ok(joined >= 0.9 * near, `${joined} of ${near} joined`);
});
