// Opinion text pipeline benchmark (in-process part of issue #4's performance targets):
//
//   "In-process pipeline (normalise + segment + match + classify + simhash + cluster lookup), one core:
//    ≥ 20,000 posts/s, and ≥ 35% of the speed of jieba segmentation alone on the same posts in the same run."
//
// Posts: about 200 characters each, made by joining posts of the built-in corpus (src/text/corpus) in
// rotation, so they carry its mix of styles, punctuation, emoji, @handles, URLs and traditional
// characters. Timed on one thread, the stages interleaved in rounds of 500 posts (so that all see the
// same machine load), each stage's figure the median over rounds of posts per CPU-second of this
// process (one core; wall-clock rates are printed too):
// - jieba alone: @node-rs/jieba `cut(post, false)` (the native segmenter; words as JS strings);
// - the fast segmenter alone: segment.ts `segmentSpans` on the normalised post (the pipeline's own);
// - the pipeline: `analyse(post)` (normalise, segment, keyword groups, URLs, SimHash/MinHash keys,
//   features) + `classify` — the target figure;
// - the pipeline + the in-memory cluster lookup (ClusterIndex.add: key lookup, verification, insert).
// The ratio is pipeline ÷ jieba alone. Run alone: `npm run bench -- opinion-pipeline`.
import { OpinionClassifier } from '../src/text/classifier.ts';
import { loadCorpus } from '../src/text/corpus/index.ts';
import { normalizePost } from '../src/text/normalize.ts';
import { analyse, defaultGroups } from '../src/text/pipeline.ts';
import { jiebaCut, newSpans, segmentSpans, warmSegmenter } from '../src/text/segment.ts';
import { ClusterIndex } from '../src/text/simhash.ts';
import { round, type BenchContext, type BenchResult } from './lib.ts';

const POSTS = Number(process.env.FRONTLINE_BENCH_OPINION_POSTS ?? 20_000);
const SECONDS = Number(process.env.FRONTLINE_BENCH_OPINION_SECONDS ?? 3);
const ROUND = 500;
const TARGET_PER_S = 20_000;
const TARGET_RATIO = 0.35;

/** ~200-character posts from the corpus, deterministic. */
export function makePosts(n: number, length = 200): string[] {
  const texts = loadCorpus().all.map((e) => e.text);
  const out: string[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    let s = '';
    while (s.length < length) {
      s += (s ? ' ' : '') + texts[k % texts.length]!;
      k += 7; // a stride that is prime to the corpus size mixes styles and categories
    }
    out.push(s.slice(0, length + (i % 21) - 10));
  }
  return out;
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
function interleaved(stages: Stage[], seconds: number, round: number): void {
  for (const s of stages) for (let i = 0; i < Math.min(round, 1000); i++) s.fn(i); // warm-up
  const end = performance.now() + seconds * 1000 * stages.length;
  let base = 0;
  while (performance.now() < end || stages[0]!.rates.length < 5) {
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

  const posts = makePosts(POSTS);
  const avgLen = posts.reduce((a, p) => a + p.length, 0) / posts.length;
  ctx.log(`${posts.length} posts, ${avgLen.toFixed(0)} characters on average; about ${SECONDS} s per stage, interleaved`);

  let sink = 0;
  const normalized = posts.map((p) => normalizePost(p));
  const spans = newSpans();
  const index = new ClusterIndex();
  const at = (i: number) => posts[i % posts.length]!;
  const stages: Stage[] = [
    { name: 'jieba alone (native cut)', rates: [], wall: [], fn: (i) => (sink += jiebaCut(at(i)).length) },
    { name: 'fast segmenter alone', rates: [], wall: [], fn: (i) => (sink += segmentSpans(normalized[i % posts.length]!, spans).n) },
    { name: 'normalizePost alone', rates: [], wall: [], fn: (i) => (sink += normalizePost(at(i)).length) },
    { name: 'pipeline (analyse + classify)', rates: [], wall: [], fn: (i) => (sink += clf.classify(analyse(at(i))).relevanceScore) },
    {
      name: 'pipeline + in-memory cluster lookup',
      rates: [],
      wall: [],
      fn: (i) => {
        const a = analyse(at(i));
        sink += clf.classify(a).relevanceScore;
        index.add({ id: String(i), normalized: a.normalized, simhash: a.simhash, textHash: a.textHash, bandKeys: a.bandKeys });
      },
    },
  ];
  interleaved(stages, SECONDS, ROUND);
  for (const s of stages) {
    ctx.log(`${s.name}: median ${median(s.rates).toFixed(0)} posts per CPU-second, ${median(s.wall).toFixed(0)} posts/s wall (${s.rates.length} rounds of ${ROUND})`);
  }
  if (sink === 42) ctx.log('');
  const [jiebaS, fastS, normS, pipeS, clusterS] = stages;
  const jieba = median(jiebaS!.rates);
  const fastSeg = median(fastS!.rates);
  const norm = median(normS!.rates);
  const pipeline = median(pipeS!.rates);
  const withCluster = median(clusterS!.rates);
  // The ratio round by round (same load for both), then its median.
  const ratios = pipeS!.rates.map((r, k) => r / jiebaS!.rates[k]!);
  ctx.log(`in-memory cluster index: ${index.size} posts`);
  const ratio = median(ratios);
  ctx.log(`ratio pipeline ÷ jieba alone: ${(ratio * 100).toFixed(0)}% (median of per-round ratios)`);
  const heap = process.memoryUsage();
  results.push(
    { name: 'opinion: pipeline (normalise+segment+match+classify+simhash), one core', value: round(pipeline, 0), unit: 'posts/CPU-s', target: `≥ ${TARGET_PER_S}`, ok: pipeline >= TARGET_PER_S },
    { name: 'opinion: jieba segmentation alone (native), one core', value: round(jieba, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: pipeline ÷ jieba alone', value: round(ratio * 100, 0), unit: '%', target: `≥ ${TARGET_RATIO * 100}`, ok: ratio >= TARGET_RATIO },
    { name: 'opinion: fast segmenter alone', value: round(fastSeg, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: normalizePost alone', value: round(norm, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: pipeline + in-memory cluster lookup', value: round(withCluster, 0), unit: 'posts/CPU-s' },
    { name: 'opinion: pipeline, wall clock (busy machine: lower)', value: round(median(pipeS!.wall), 0), unit: 'posts/s' },
    { name: 'opinion: jieba alone, wall clock', value: round(median(jiebaS!.wall), 0), unit: 'posts/s' },
    { name: 'opinion: post length (average)', value: round(avgLen, 0), unit: 'chars' },
    { name: 'opinion: classifier training (train split)', value: round(trainMs, 0), unit: 'ms' },
    { name: 'opinion: fast segmenter dictionary load', value: seg.loadMs, unit: 'ms' },
    { name: 'opinion: native jieba load', value: round(jiebaLoad, 0), unit: 'ms' },
    { name: 'opinion: heap used after the run', value: round(heap.heapUsed / 2 ** 20, 0), unit: 'MiB' },
  );
  return results;
}
