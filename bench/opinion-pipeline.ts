// Opinion text pipeline benchmark (in-process part of issue #4's performance targets):
//
//   "In-process pipeline (normalise + segment + match + classify + simhash + cluster lookup), one core:
//    ≥ 20,000 posts/s, and ≥ 35% of the speed of jieba segmentation alone on the same posts in the same run."
//
// Posts: the benchmarks' synthetic stream (src/text/corpus/synthetic.ts, as bench/opinion.ts ingests
// over HTTP): about 200 characters, written by a character Markov chain trained on the built-in corpus
// (its styles, punctuation, emoji, @handles and URLs, no post copied), one in four a repost of an earlier
// one. Every post is new to the stage that clusters (until session 9 the stream was corpus posts joined
// in rotation, 20,000 of them cycled: after the first pass every lookup was an exact repeat).
// Timed on one thread, the stages interleaved in rounds of 500 posts (so that all see the
// same machine load), each stage's figure the median over rounds of posts per CPU-second of this
// process (one core; wall-clock rates are printed too):
// - jieba alone: @node-rs/jieba `cut(post, false)` (the native segmenter; words as JS strings);
// - the fast segmenter alone: segment.ts `segmentSpans` on the normalised post (the pipeline's own);
// - analysis + classification: what an analysis worker does per post (opinion.analysis.ts `analysePost`:
//   normalise, segment, keyword groups, URLs, SimHash and MinHash keys, shingle set and histogram,
//   features) + `classify`;
// - the pipeline — the target figure, the stages the issue lists: the same + the cluster lookup as the
//   server makes it, in memory (the candidate index, histogram checks, verification of the shingle
//   sets, and the post kept as a representative, at most 12 a cluster; no database, no batch).
// The ratio is the pipeline ÷ jieba alone, round by round. Run alone: `npm run bench -- opinion-pipeline`.
import { OpinionClassifier } from '../src/text/classifier.ts';
import { loadCorpus } from '../src/text/corpus/index.ts';
import { syntheticPosts } from '../src/text/corpus/synthetic.ts';
import { normalizePost } from '../src/text/normalize.ts';
import { defaultGroups, nativeText } from '../src/text/pipeline.ts';
import { jiebaCut, newSpans, segmentSpans, warmSegmenter } from '../src/text/segment.ts';
import { analysePost, type PostAnalysis } from '../src/server/modules/opinion/opinion.analysis.ts';
import { CandidateIndex } from '../src/server/modules/opinion/opinion.candidates.ts';
import { chooseCluster, MAX_REPS, sameClaim, storedCandidates } from '../src/server/modules/opinion/opinion.ingest.ts';
import type { RepInfo } from '../src/server/modules/opinion/opinion.state.ts';
import { round, type BenchContext, type BenchResult } from './lib.ts';

/** Enough that the clustering stage never sees a post twice (about 200 rounds in a fast hour). */
const POSTS = Number(process.env.FRONTLINE_BENCH_OPINION_POSTS ?? 150_000);
const SECONDS = Number(process.env.FRONTLINE_BENCH_OPINION_SECONDS ?? 3);
const ROUND = 500;
const TARGET_PER_S = 20_000;
const TARGET_RATIO = 0.35;

/**
 * The server's cluster decision for one post at a time, in memory: as assignClusters (opinion.ingest.ts)
 * without the database and the batch — a twin by text hash, else the candidates of the index checked
 * by histogram, then verified; a post that does not repeat a text is kept as a representative, at
 * most MAX_REPS a cluster.
 */
class InMemoryClusters {
  private readonly index = new CandidateIndex(); // as the server makes one (opinion.state.ts)
  private readonly reps: RepInfo[] = [];
  private readonly repsOf = new Map<string, number>();
  private readonly none = { ids: [], shared: [], info: () => undefined };
  private next = 0;

  get size(): number {
    return this.reps.length;
  }

  assign(a: PostAnalysis): string {
    const t = this.index.twinOf(a.hashed);
    const twin = t >= 0 ? this.reps[t] : undefined;
    if (twin && sameClaim(a.set, twin.set)) return twin.clusterId;
    const found = storedCandidates(this.index, a);
    const rep = chooseCluster(a.set, [], { ...found, info: (id) => this.reps[id] }, this.none);
    const clusterId = rep?.clusterId ?? String(this.next++);
    const kept = this.repsOf.get(clusterId) ?? 0;
    if (kept < MAX_REPS) {
      this.index.add(this.reps.length, a.hashed.hashes, a.set.length, a.hist);
      this.reps.push({ clusterId, set: a.set });
      this.repsOf.set(clusterId, kept + 1);
    }
    return clusterId;
  }
}

interface Stage {
  name: string;
  /** Called once per post; `i` counts posts across rounds. */
  fn: (i: number) => void;
  /** Posts per second of CPU time of this process, per round (the "one core" figure). */
  rates: number[];
  /** Posts per second of wall time, per round. */
  wall: number[];
}

/**
 * Runs the stages interleaved, round after round (each stage on the same ROUND posts per round),
 * until `seconds` per stage have passed, so that every stage sees the same machine load. A round's
 * rate is posts ÷ CPU time of this process (user + system, all its threads): "one core" throughput,
 * which a busy machine inflates through shared caches but not through waiting for the CPU; wall-clock
 * rates are kept too. A stage's figure is the median of its rounds.
 */
function interleaved(stages: Stage[], seconds: number, round: number, posts: number): void {
  for (const s of stages) for (let i = 0; i < round; i++) s.fn(i); // warm-up
  const end = performance.now() + seconds * 1000 * stages.length;
  let base = round;
  while ((performance.now() < end || stages[0]!.rates.length < 5) && base + round <= posts) {
    for (const s of stages) {
      const t = performance.now();
      const c = process.cpuUsage();
      for (let i = 0; i < round; i++) s.fn(base + i);
      const cpu = process.cpuUsage(c);
      s.rates.push((round / Math.max(1, cpu.user + cpu.system)) * 1e6);
      s.wall.push((round / (performance.now() - t)) * 1000);
    }
    base += round;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  let t = performance.now();
  const seg = warmSegmenter();
  ctx.log(`fast segmenter dictionary: ${seg.words} words, ${seg.nodes} trie nodes, ${(seg.bytes / 2 ** 20).toFixed(1)} MiB, loaded in ${seg.loadMs} ms`);
  t = performance.now();
  jiebaCut('预热');
  const jiebaLoad = performance.now() - t;
  defaultGroups();
  t = performance.now();
  const clf = OpinionClassifier.train(loadCorpus().train);
  const trainMs = performance.now() - t;
  ctx.log(`native jieba loaded in ${jiebaLoad.toFixed(0)} ms; classifier trained on ${clf.trainedOn} posts in ${trainMs.toFixed(0)} ms`);

  t = performance.now();
  const next = syntheticPosts(17);
  // As the server gets them: parsed from JSON (flat strings; the generator builds them by concatenation).
  const posts = JSON.parse(JSON.stringify(Array.from({ length: POSTS }, () => next()))) as string[];
  const avgLen = posts.reduce((a, p) => a + p.length, 0) / posts.length;
  ctx.log(`${posts.length} posts, ${avgLen.toFixed(0)} characters on average, generated in ${((performance.now() - t) / 1000).toFixed(1)} s; about ${SECONDS} s per stage, interleaved`);

  let sink = 0;
  const normalized = posts.map((p) => normalizePost(p));
  const spans = newSpans();
  const clusters = new InMemoryClusters();
  const native = nativeText();
  ctx.log(native ? 'native text core (native/textcore) in use; one stage runs without it' : '!!! native text core not built (npm run postinstall): TypeScript only');
  const stages: Stage[] = [
    { name: 'jieba alone (native cut)', rates: [], wall: [], fn: (i) => (sink += jiebaCut(posts[i]!).length) },
    { name: 'fast segmenter alone', rates: [], wall: [], fn: (i) => (sink += segmentSpans(normalized[i]!, spans).n) },
    { name: 'normalizePost alone', rates: [], wall: [], fn: (i) => (sink += normalizePost(posts[i]!).length) },
    { name: 'analysis + classification', rates: [], wall: [], fn: (i) => (sink += clf.classify(analysePost(posts[i]!)).relevanceScore) },
    {
      name: 'analysis + classification, TypeScript only (no native core)',
      rates: [],
      wall: [],
      fn: (i) => {
        nativeText(false);
        sink += clf.classify(analysePost(posts[i]!)).relevanceScore;
        nativeText(native);
      },
    },
    {
      name: 'pipeline: analysis + classification + cluster lookup',
      rates: [],
      wall: [],
      fn: (i) => {
        const a = analysePost(posts[i]!);
        sink += clf.classify(a).relevanceScore;
        sink += clusters.assign(a).length;
      },
    },
  ];
  interleaved(stages, SECONDS, ROUND, posts.length);
  for (const s of stages) {
    ctx.log(`${s.name}: median ${median(s.rates).toFixed(0)} posts per CPU-second, ${median(s.wall).toFixed(0)} posts/s wall (${s.rates.length} rounds of ${ROUND})`);
  }
  if (sink === 42) ctx.log('');
  const [jiebaS, fastS, normS, analysisS, tsOnlyS, clusterS] = stages;
  const jieba = median(jiebaS!.rates);
  const fastSeg = median(fastS!.rates);
  const norm = median(normS!.rates);
  const analysis = median(analysisS!.rates);
  const tsOnly = median(tsOnlyS!.rates);
  const withCluster = median(clusterS!.rates);
  // The ratio round by round (same load for both), then its median.
  const ratios = clusterS!.rates.map((r, k) => r / jiebaS!.rates[k]!);
  ctx.log(`clustered ${clusterS!.rates.length * ROUND + ROUND} posts, ${clusters.size} kept as representatives`);
  const ratio = median(ratios);
  ctx.log(`ratio pipeline (with the cluster lookup) ÷ jieba alone: ${(ratio * 100).toFixed(0)}% (median of per-round ratios)`);
  const heap = process.memoryUsage();
  results.push(
    { name: 'opinion: pipeline (normalise+segment+match+classify+simhash+cluster lookup), one core', value: round(withCluster, 0), unit: 'posts/CPU-s', target: `≥ ${TARGET_PER_S}`, ok: withCluster >= TARGET_PER_S },
    { name: 'opinion: jieba segmentation alone (native), one core', value: round(jieba, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: pipeline ÷ jieba alone', value: round(ratio * 100, 0), unit: '%', target: `≥ ${TARGET_RATIO * 100}`, ok: ratio >= TARGET_RATIO },
    { name: 'opinion: analysis + classification (the pipeline without the cluster lookup)', value: round(analysis, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: analysis + classification, TypeScript only (no native core)', value: round(tsOnly, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: native text core in use', value: native ? 1 : 0, unit: 'yes=1' },
    { name: 'opinion: fast segmenter alone', value: round(fastSeg, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: normalizePost alone', value: round(norm, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: pipeline, wall clock (busy machine: lower)', value: round(median(clusterS!.wall), 0), unit: 'posts/s' },
    { name: 'opinion: jieba alone, wall clock', value: round(median(jiebaS!.wall), 0), unit: 'posts/s' },
    { name: 'opinion: post length (average)', value: round(avgLen, 0), unit: 'chars' },
    { name: 'opinion: classifier training (train split)', value: round(trainMs, 0), unit: 'ms' },
    { name: 'opinion: fast segmenter dictionary load', value: seg.loadMs, unit: 'ms' },
    { name: 'opinion: native jieba load', value: round(jiebaLoad, 0), unit: 'ms' },
    { name: 'opinion: heap used after the run', value: round(heap.heapUsed / 2 ** 20, 0), unit: 'MiB' },
  );
  return results;
}
