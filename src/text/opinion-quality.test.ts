// Quality of the opinion text pipeline on the built-in corpus's held-out split (issue #4, "Quality"):
// relevance accuracy ≥ 0.90, category macro-F1 ≥ 0.80, near-duplicate pair recall ≥ 0.90 with pair
// precision ≥ 0.95, and learning from analysts' labels. Everything was tuned on the train split only;
// the figures printed here (test diagnostics) are the held-out ones quoted in docs/opinion-text.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORIES, evaluate, OpinionClassifier, type Category } from './classifier.ts';
import { claimHash, defaultClassifier, loadCorpus, pairCounts, type CorpusExample } from './corpus/index.ts';
import { analyse, type Analysed } from './pipeline.ts';
import { ClusterIndex, intersect, shingleSet, similarity } from './simhash.ts';

const corpus = loadCorpus();
const analysed = new Map<string, Analysed>();
const A = (e: CorpusExample) => {
  let a = analysed.get(e.id);
  if (!a) analysed.set(e.id, (a = analyse(e.text)));
  return a;
};
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

test('the corpus: ≥ 800 labelled posts, every category, irrelevant look-alikes, split by claim', (t) => {
  const { all, train, test: held } = corpus;
  assert.ok(all.length >= 800, `${all.length} posts`);
  assert.equal(new Set(all.map((e) => e.id)).size, all.length, 'ids are unique');
  for (const c of CATEGORIES) assert.ok(all.some((e) => e.relevant && e.category === c), `relevant ${c}`);
  assert.ok(all.filter((e) => !e.relevant).length >= 80, 'irrelevant posts');
  const trainClaims = new Set(train.map((e) => e.claim));
  assert.ok(held.every((e) => !trainClaims.has(e.claim)), 'no claim group straddles train and test');
  assert.ok(held.length / all.length > 0.18 && held.length / all.length < 0.32, `test share ${held.length / all.length}`);
  const groups = new Map<string, number>();
  for (const e of all) groups.set(e.claim, (groups.get(e.claim) ?? 0) + 1);
  const multi = [...groups.values()].filter((n) => n > 1).length;
  assert.ok(multi >= 50, `${multi} claim groups with near-duplicate variants`);
  t.diagnostic(`${all.length} posts (train ${train.length}, test ${held.length}); ${groups.size} claim groups, ${multi} with variants`);
});

test('held-out classification: relevance accuracy ≥ 0.90, category macro-F1 ≥ 0.80', (t) => {
  const t0 = performance.now();
  const clf = defaultClassifier();
  t.diagnostic(`trained on ${clf.trainedOn} posts in ${(performance.now() - t0).toFixed(0)} ms (with analysis)`);
  const held = corpus.test;
  const ev = evaluate(clf, held, held.map(A));
  t.diagnostic(`relevance accuracy ${pct(ev.relevanceAccuracy)} (precision ${pct(ev.relevance.precision)}, recall ${pct(ev.relevance.recall)}), macro-F1 ${ev.macroF1.toFixed(3)}, n=${ev.n}`);
  for (const c of CATEGORIES) {
    const m = ev.categories[c];
    t.diagnostic(`  ${c.padEnd(14)} P ${m.precision.toFixed(2)}  R ${m.recall.toFixed(2)}  F1 ${m.f1.toFixed(2)}  support ${m.support}`);
  }
  assert.ok(ev.relevanceAccuracy >= 0.9, `relevance accuracy ${ev.relevanceAccuracy}`);
  assert.ok(ev.macroF1 >= 0.8, `macro-F1 ${ev.macroF1}`);
});

test('held-out clustering (key lookup + verification, greedy in corpus order): pair recall ≥ 0.90, precision ≥ 0.95', (t) => {
  const held = corpus.test;
  const index = new ClusterIndex();
  const cluster = held.map((e) => {
    const a = A(e);
    return index.add({ id: e.id, normalized: a.normalized, simhash: a.simhash, textHash: a.textHash, bandKeys: a.bandKeys }).clusterId;
  });
  const { tp, fp, fn } = pairCounts(held.map((e) => e.claim), cluster);
  let hard = 0;
  let hardMerged = 0;
  for (let i = 0; i < held.length; i++) {
    for (let j = i + 1; j < held.length; j++) {
      const same = held[i]!.claim === held[j]!.claim;
      const together = cluster[i] === cluster[j];
      // Hard negatives: different claims written alike (same template or topic).
      if (!same && similarity(A(held[i]!).normalized, A(held[j]!).normalized).jaccard >= 0.2) {
        hard++;
        if (together) hardMerged++;
      }
    }
  }
  const recall = tp / (tp + fn);
  const precision = tp / (tp + fp);
  t.diagnostic(`pairs within claims ${tp + fn}: recall ${pct(recall)}; pairs clustered ${tp + fp}: precision ${pct(precision)}; clusters ${new Set(cluster).size} for ${new Set(held.map((e) => e.claim)).size} claims`);
  t.diagnostic(`look-alike pairs of different claims (bigram Jaccard ≥ 0.2): ${hard}, merged ${hardMerged}`);
  assert.ok(recall >= 0.9, `pair recall ${recall}`);
  assert.ok(precision >= 0.95, `pair precision ${precision}`);
});

/**
 * Learning from analysts: a model trained without any post of one category learns it from analysts'
 * labels on half of the held-out claims (the category's posts and as many others), and is measured on
 * the other half, before and after.
 */
for (const held of ['positive', 'price_gouging'] as Category[]) {
  test(`learning: after analysts label ${held} posts, held-out ${held} recall and macro-F1 improve`, (t) => {
    const trainNo = corpus.train.filter((e) => !(e.relevant && e.category === held));
    const clf = OpinionClassifier.trainAnalysed(trainNo.map(A), trainNo);
    const labelled = (e: CorpusExample) => ((claimHash(e.claim) >>> 7) & 1) === 0;
    const labelSet = corpus.test.filter(labelled);
    const evalSet = corpus.test.filter((e) => !labelled(e));
    const target = labelSet.filter((e) => e.relevant && e.category === held);
    const others = labelSet.filter((e) => !(e.relevant && e.category === held)).slice(0, target.length);
    const before = evaluate(clf, evalSet, evalSet.map(A));
    // Interleaved, as labels arrive in a day's work.
    const labels = target.flatMap((e, i) => (others[i] ? [e, others[i]!] : [e]));
    for (const e of labels) clf.learn(A(e), e);
    const after = evaluate(clf, evalSet, evalSet.map(A));
    t.diagnostic(
      `${labels.length} labels (${target.length} ${held}); on ${evalSet.length} other held-out posts: ${held} recall ${before.categories[held].recall.toFixed(2)} → ${after.categories[held].recall.toFixed(2)}, F1 ${before.categories[held].f1.toFixed(2)} → ${after.categories[held].f1.toFixed(2)}, macro-F1 ${before.macroF1.toFixed(3)} → ${after.macroF1.toFixed(3)}`,
    );
    assert.ok(target.length >= 8, `${target.length} ${held} labels`);
    assert.ok(after.categories[held].recall >= before.categories[held].recall + 0.3, 'recall of the learned category');
    assert.ok(after.macroF1 > before.macroF1 + 0.05, 'macro-F1');
    assert.ok(after.relevanceAccuracy >= before.relevanceAccuracy - 0.03, 'relevance does not suffer');
  });
}

test('clustering keeps apart different claims written alike, over the whole corpus', (t) => {
  // The held-out split has no such pairs since its one mislabelled pair was fixed (a0462), so the
  // look-alikes of the whole corpus (parameters were chosen on the training split: a regression guard).
  const all = corpus.all;
  const index = new ClusterIndex();
  const sets = all.map((e) => shingleSet(A(e).normalized));
  const cluster = all.map((e) => {
    const a = A(e);
    return index.add({ id: e.id, normalized: a.normalized, simhash: a.simhash, textHash: a.textHash, bandKeys: a.bandKeys }).clusterId;
  });
  let hard = 0;
  let merged = 0;
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      if (all[i]!.claim === all[j]!.claim) continue;
      const n = intersect(sets[i]!, sets[j]!);
      if (n / (sets[i]!.length + sets[j]!.length - n) < 0.2) continue;
      hard++;
      if (cluster[i] === cluster[j]) merged++;
    }
  }
  t.diagnostic(`look-alike pairs of different claims in all ${all.length} posts (bigram Jaccard ≥ 0.2): ${hard}, merged ${merged}`);
  assert.ok(hard >= 20, `the corpus holds look-alikes of different claims (${hard})`);
  assert.ok(merged <= hard * 0.1, `${merged} of ${hard} look-alike pairs merged`);
});
