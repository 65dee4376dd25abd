import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClassifier, loadCorpus } from '../../../text/corpus/index.ts';
import { OpinionClassifier } from '../../../text/classifier.ts';
import { analyse } from '../../../text/pipeline.ts';
import { nearDuplicate, shingleSet, signature, signedShingleSet } from '../../../text/simhash.ts';
import { AnalysisPool, analysePost, asSignedSet, clusterHashes, clusterKeys, decodeSketch, encodeSketch, type ClassifierRef, type IngestRules, type PostAnalysis, type PostText } from './opinion.analysis.ts';
import { minShared, sameClaim } from './opinion.ingest.ts';
import { hashKeys, histogramOf, intersectionBound } from './opinion.candidates.ts';

const texts = loadCorpus().all.map((e) => e.text);

test('the key hashes the pipeline computes without key texts are those of the key texts (clusterHashes = hashKeys(clusterKeys))', () => {
  // Corpus posts, link-only posts (URL keys, with and without bands), a one-character and an empty dedup form.
  const extra = ['https://t.cn/A6pL0vZk', '看 https://mp.weixin.qq.com/s/abc', '转发！', '好', '', '🙏🙏🙏'];
  let links = 0;
  for (const t of [...texts, ...extra]) {
    const a = analyse(t);
    const want = hashKeys(clusterKeys(a));
    const got = clusterHashes(a);
    assert.deepEqual([...got.hashes], [...want.hashes], t);
    assert.deepEqual([...got.kinds], [...want.kinds], t);
    assert.deepEqual(Array.from(analysePost(t).hashed.hashes), [...want.hashes], t);
    if (want.kinds.includes(2)) links++;
  }
  assert.ok(links >= 2, 'link keys are covered');
});

test('sameClaim on signed shingle sets decides as nearDuplicate, on every pair of 300 corpus posts', () => {
  const sample = texts.slice(0, 300);
  const norm = sample.map((t) => analyse(t).normalized);
  const sets = norm.map((n) => asSignedSet(shingleSet(n)));
  let same = 0;
  for (let i = 0; i < sample.length; i++) {
    for (let j = i + 1; j < sample.length; j++) {
      const want = nearDuplicate(norm[i]!, norm[j]!);
      assert.equal(sameClaim(sets[i]!, sets[j]!), want, `${i} ~ ${j}`);
      assert.equal(sameClaim(sets[j]!, sets[i]!), want, `${j} ~ ${i}`);
      if (want) same++;
    }
  }
  assert.ok(same > 50, `the sample holds near-duplicates (${same})`);
  // Edge cases: empty sets, one empty, containment of a short text in a long one.
  const e = new Int32Array(0);
  assert.equal(sameClaim(e, e), true);
  assert.equal(sameClaim(e, sets[0]!), false);
  const long = norm[0]! + norm[1]!;
  assert.equal(sameClaim(asSignedSet(shingleSet(norm[0]!)), asSignedSet(shingleSet(long))), nearDuplicate(norm[0]!, long));
});

test('the histogram bound is never below the shared shingles, and refuses no pair the test passes', () => {
  const sample = texts.slice(300, 600);
  const sets = sample.map((t) => asSignedSet(shingleSet(analyse(t).normalized)));
  const hists = sets.map(histogramOf);
  let refused = 0;
  let failing = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const a = sets[i]!;
      const b = sets[j]!;
      const inter = a.filter((x) => b.includes(x)).length;
      const bound = intersectionBound(hists[i]!, 0, hists[j]!, 0);
      assert.ok(bound >= inter, `${i} ~ ${j}: bound ${bound} < shared ${inter}`);
      const passes = sameClaim(a, b);
      if (passes) assert.ok(bound >= minShared(a.length, b.length), `${i} ~ ${j}: a passing pair refused`);
      else {
        failing++;
        if (bound < minShared(a.length, b.length)) refused++;
      }
    }
  }
  assert.ok(refused > 0.8 * failing, `most failing pairs are refused by the bound alone (${refused} of ${failing})`);
  // Ranges with 15 or more shingles in both sets give no bound.
  const crowded = Int32Array.from({ length: 40 }, (_, k) => k).sort();
  assert.ok(intersectionBound(histogramOf(crowded), 0, histogramOf(crowded), 0) >= 255);
});

test('a sketch (key hashes, set size, histogram) reads back as written; anything else reads as none', () => {
  const a = analysePost(texts[5]!);
  const back = decodeSketch(encodeSketch(a.hashed.hashes, a.set.length, a.hist))!;
  assert.deepEqual([...back.hashes], Array.from(a.hashed.hashes));
  assert.equal(back.size, a.set.length);
  assert.deepEqual([...back.hist], [...a.hist]);
  // At an odd offset in a larger buffer (as a driver may hand it over), with no keys, or too large a set.
  const shifted = Buffer.concat([Buffer.from([9]), encodeSketch([0xffffffff, 1], 70000, a.hist)]).subarray(1);
  assert.deepEqual({ ...decodeSketch(shifted)!, hist: null }, { hashes: Uint32Array.from([0xffffffff, 1]), size: 65535, hist: null });
  assert.deepEqual([...decodeSketch(encodeSketch([], 0, a.hist))!.hashes], []);
  for (const bad of [null, undefined, Buffer.alloc(0), Buffer.from('AAEC', 'base64'), encodeSketch([1], 3, a.hist).subarray(0, 20)]) assert.equal(decodeSketch(bad), null);
});

test('asSignedSet keeps the set: same elements, sorted as signed integers', () => {
  const set = shingleSet(analyse(texts[3]!).normalized);
  const copy = Array.from(set);
  const signed = asSignedSet(set);
  assert.deepEqual([...signed].map((x) => x >>> 0).sort((a, b) => a - b), copy);
  for (let i = 1; i < signed.length; i++) assert.ok(signed[i - 1]! < signed[i]!);
});

test('signedShingleSet is asSignedSet(shingleSet): every corpus post, right after its signature and alone; short, empty and long texts', () => {
  const same = (t: string) => {
    const want = [...asSignedSet(shingleSet(t))];
    assert.deepEqual([...signedShingleSet(t)], want, t.slice(0, 40));
    signature(t); // the ingest's order: the signature's bigrams are reused
    assert.deepEqual([...signedShingleSet(t)], want, t.slice(0, 40));
    return want.length;
  };
  let total = 0;
  for (const t of texts) total += same(analyse(t).normalized);
  assert.ok(total > 10_000);
  for (const t of ['', '啊', '哈哈哈哈哈哈', 'ab', '12', '一二三四五六七八九十']) same(t);
  // Above 4,096 shingles the radix path: 6,000 distinct characters make ~6,000 bigrams.
  const long = Array.from({ length: 6000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
  assert.ok(same(long) > 4096);
  // A repeated text: duplicates removed.
  assert.ok(same('新冠疫苗接种'.repeat(900)) < 10);
});

const pool = new AnalysisPool(1);
after(() => pool.close());

test('posts analysed on a worker thread are exactly what analysePost gives in process, with the office groups and author hashes', async () => {
  const rules = (version: string, rule: string): IngestRules => ({
    version,
    groups: [{ id: 'g-mask', name: '口罩', rule }, { id: 'g-price', name: '涨价', rule: '涨价|哄抬' }],
    authorKey: Buffer.alloc(32, 7).toString('base64'),
  });
  const v1 = rules('v1', '口罩');
  const batch: PostText[] = texts.slice(0, 400).map((text, i) => ({ text, source: i % 2 ? 'weibo' : 'wechat', author: i % 5 ? `用户${i % 37}` : undefined }));
  const onWorker = await pool.analyseMany(batch, v1);
  assert.equal(pool.threads, 1, 'the batch went to the worker thread');
  const here = batch.map((p) => analysePost(p.text, v1, p.source, p.author));
  assert.equal(onWorker.length, here.length);
  const plain = (p: PostAnalysis) => ({
    ...p,
    features: [...p.features],
    set: [...p.set],
    hist: [...p.hist],
    hashed: { hashes: Array.from(p.hashed.hashes), kinds: Array.from(p.hashed.kinds) },
  });
  for (let i = 0; i < batch.length; i++) assert.deepEqual(plain(onWorker[i]!), plain(here[i]!), `post ${i}`);
  assert.deepEqual(Array.from(here[0]!.hashed.hashes), [...hashKeys(clusterKeys(analyse(batch[0]!.text))).hashes]);
  // The rules did something: groups matched, authors hashed (alike for the same source and author only).
  assert.ok(here.some((p) => p.groups.includes('g-mask')) && here.some((p) => p.groups.includes('g-price')));
  assert.ok(here.every((p) => p.groups.every((g) => g === 'g-mask' || g === 'g-price')));
  assert.equal(here[0]!.authorHash, null);
  assert.equal(here[1]!.authorHash, here[1 + 37 * 4]!.authorHash); // 用户1 on weibo both times
  assert.notEqual(here[1]!.authorHash, here[38]!.authorHash); // 用户1 on wechat
  assert.match(here[1]!.authorHash!, /^[A-Za-z0-9_-]{22}$/);
  // New rules reach the worker (sent once per version), and the same rules again need not be resent.
  const v2 = rules('v2', '疫情');
  const second = await pool.analyseMany(batch, v2);
  assert.deepEqual(second.map((p) => p.groups), batch.map((p) => analysePost(p.text, v2, p.source, p.author).groups));
  assert.notDeepEqual(second.map((p) => p.groups), here.map((p) => p.groups));
  assert.deepEqual((await pool.analyseMany(batch, v1)).map((p) => p.groups), here.map((p) => p.groups));
  // Without rules: the built-in groups and no author hashes, on the worker as in process.
  const bare = await pool.analyseMany(batch);
  assert.deepEqual(bare.map((p) => p.groups), batch.map((p) => analysePost(p.text).groups));
  assert.ok(bare.every((p) => p.authorHash === null));
  // A small batch is analysed in process, with the same result.
  assert.deepEqual((await pool.analyseMany(batch.slice(0, 3), v1)).map(plain), here.slice(0, 3).map(plain));
});

test('with a classifier, posts are classified on the worker exactly as the main thread would; a classifier that learned reaches the worker', async () => {
  const base = defaultClassifier();
  let sends = 0;
  const ref = (version: string, clf: OpinionClassifier): ClassifierRef => ({
    version,
    clf,
    json: () => {
      sends++;
      return clf.toJSON();
    },
  });
  const batch: PostText[] = texts.slice(0, 300).map((text) => ({ text, source: 'weibo' }));
  const m1 = ref('m1', base);
  const onWorker = await pool.analyseMany(batch, undefined, m1);
  const want = batch.map((p) => {
    const c = base.classify(analyse(p.text));
    return { relevant: c.relevant, relevanceScore: c.relevanceScore, category: c.category };
  });
  assert.deepEqual(onWorker.map((p) => p.classified), want);
  assert.ok(want.some((c) => c.category === 'rumor') && want.some((c) => !c.relevant), 'a mix of decisions');
  assert.equal(sends, 1);
  await pool.analyseMany(batch, undefined, m1);
  assert.equal(sends, 1, 'the same version is not sent again');
  // The model learns that the first relevant post is a price-gouging lead: the next batch, with the new
  // version, is classified by the new model on the worker.
  const learned = OpinionClassifier.fromJSON(base.toJSON());
  const k = want.findIndex((c) => c.relevant && c.category !== 'price_gouging');
  learned.learn(analyse(batch[k]!.text), { relevant: true, category: 'price_gouging' });
  const again = await pool.analyseMany(batch, undefined, ref('m2', learned));
  assert.equal(sends, 2);
  assert.equal(again[k]!.classified!.category, 'price_gouging');
  assert.deepEqual(
    again.map((p) => p.classified),
    batch.map((p) => {
      const c = learned.classify(analyse(p.text));
      return { relevant: c.relevant, relevanceScore: c.relevanceScore, category: c.category };
    }),
  );
  // A model the worker cannot read: that batch is analysed in process (same answers), and the next
  // batch sends the model again instead of leaving the worker without it.
  let broken = true;
  const m3: ClassifierRef = {
    version: 'm3',
    clf: base,
    json: () => {
      sends++;
      return broken ? ({ format: 'not a model' } as unknown as ReturnType<OpinionClassifier['toJSON']>) : base.toJSON();
    },
  };
  assert.deepEqual((await pool.analyseMany(batch, undefined, m3)).map((p) => p.classified), want);
  assert.equal(sends, 3);
  broken = false;
  assert.deepEqual((await pool.analyseMany(batch, undefined, m3)).map((p) => p.classified), want);
  assert.equal(sends, 4, 'sent again after the worker failed');
  await pool.analyseMany(batch, undefined, m3);
  assert.equal(sends, 4, 'and then kept');
  assert.equal(pool.threads, 1, 'the worker is still running');
  // Without a classifier nothing is classified; a small batch in process is classified the same way.
  assert.ok((await pool.analyseMany(batch)).every((p) => p.classified === undefined));
  assert.deepEqual((await pool.analyseMany(batch.slice(0, 3), undefined, m1)).map((p) => p.classified), want.slice(0, 3));
});
