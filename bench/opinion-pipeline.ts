// Opinion text pipeline benchmark (in-process part of issue #4's performance targets):
//
//   "In-process pipeline (normalise + segment + match + classify + simhash + cluster lookup), one core:
//    ≥ 20,000 posts/s, and ≥ 35% of the speed of jieba segmentation alone on the same posts in the same run."
//
// Posts: about 200 characters each, made by joining posts of the built-in corpus (src/text/corpus) in
// rotation, so they carry its mix of styles, punctuation, emoji, @handles, URLs and traditional
// characters. Timed on one thread, each stage for a fixed wall time after a warm-up:
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

/** Runs `fn` over the posts in rotation for `seconds`; posts per second. */
function throughput(posts: readonly string[], seconds: number, fn: (p: string, i: number) => void): number {
  const warm = Math.min(posts.length, 2000);
  for (let i = 0; i < warm; i++) fn(posts[i]!, i);
  let done = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let now = t0;
  while (now < end) {
    for (let j = 0; j < 500; j++, done++) fn(posts[done % posts.length]!, done);
    now = performance.now();
  }
  return (done / (now - t0)) * 1000;
}

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
  ctx.log(`${posts.length} posts, ${avgLen.toFixed(0)} characters on average; ${SECONDS} s per stage`);

  let sink = 0;
  const jieba = throughput(posts, SECONDS, (p) => {
    sink += jiebaCut(p).length;
  });
  ctx.log(`jieba alone: ${jieba.toFixed(0)} posts/s`);

  const normalized = posts.map((p) => normalizePost(p));
  const spans = newSpans();
  const fastSeg = throughput(normalized, SECONDS, (p) => {
    sink += segmentSpans(p, spans).n;
  });
  ctx.log(`fast segmenter alone (normalised input): ${fastSeg.toFixed(0)} posts/s`);

  const norm = throughput(posts, SECONDS, (p) => {
    sink += normalizePost(p).length;
  });
  ctx.log(`normalizePost alone: ${norm.toFixed(0)} posts/s`);

  const pipeline = throughput(posts, SECONDS, (p) => {
    const a = analyse(p);
    sink += clf.classify(a).relevanceScore;
  });
  ctx.log(`pipeline (analyse + classify): ${pipeline.toFixed(0)} posts/s`);

  const index = new ClusterIndex();
  const withCluster = throughput(posts, SECONDS, (p, i) => {
    const a = analyse(p);
    sink += clf.classify(a).relevanceScore;
    index.add({ id: String(i), normalized: a.normalized, simhash: a.simhash, textHash: a.textHash, bandKeys: a.bandKeys });
  });
  ctx.log(`pipeline + in-memory cluster lookup: ${withCluster.toFixed(0)} posts/s (${index.size} posts indexed)`);
  if (sink === 42) ctx.log('');

  const ratio = pipeline / jieba;
  ctx.log(`ratio pipeline ÷ jieba alone: ${(ratio * 100).toFixed(0)}%`);
  const heap = process.memoryUsage();
  results.push(
    { name: 'opinion: pipeline (normalise+segment+match+classify+simhash)', value: round(pipeline, 0), unit: 'posts/s', target: `≥ ${TARGET_PER_S}`, ok: pipeline >= TARGET_PER_S },
    { name: 'opinion: jieba segmentation alone (native)', value: round(jieba, 0), unit: 'posts/s' },
    { name: 'opinion: pipeline ÷ jieba alone', value: round(ratio * 100, 0), unit: '%', target: `≥ ${TARGET_RATIO * 100}`, ok: ratio >= TARGET_RATIO },
    { name: 'opinion: fast segmenter alone', value: round(fastSeg, 0), unit: 'posts/s' },
    { name: 'opinion: normalizePost alone', value: round(norm, 0), unit: 'posts/s' },
    { name: 'opinion: pipeline + in-memory cluster lookup', value: round(withCluster, 0), unit: 'posts/s' },
    { name: 'opinion: post length (average)', value: round(avgLen, 0), unit: 'chars' },
    { name: 'opinion: classifier training (train split)', value: round(trainMs, 0), unit: 'ms' },
    { name: 'opinion: fast segmenter dictionary load', value: seg.loadMs, unit: 'ms' },
    { name: 'opinion: native jieba load', value: round(jiebaLoad, 0), unit: 'ms' },
    { name: 'opinion: heap used after the run', value: round(heap.heapUsed / 2 ** 20, 0), unit: 'MiB' },
  );
  return results;
}
