// Opinion classifier: is a post about the epidemic (relevance, a binary head) and what kind of post it
// is (category, a 5-way head), by a linear model over the pipeline's hashed features (jieba words,
// character bigrams, punctuation, and the built-in lexicon's groups as rule features).
//
// - Both heads are logistic regression (binary and multinomial) trained by AdaGrad; weights of both
//   heads for a feature sit side by side in one Float32Array (6 floats a feature), so scoring a post is
//   one pass over its features.
// - Training is deterministic (a seeded shuffle); the category head learns from relevant posts (and,
//   lightly weighted, from irrelevant ones as "other"), with class weights against imbalance; an
//   irrelevant post's category is always "other".
// - `learn` is the online update from an analyst's label: AdaGrad steps on that post until the model
//   agrees with the analyst by a margin (at most a few steps), so the label takes effect at once for the
//   post and its close variants and the accumulated AdaGrad state keeps later steps measured.
import type { Analysed } from './pipeline.ts';
import { mulberry32 } from './random.ts';
import { analyse, FEATURE_DIM } from './pipeline.ts';

export type Category = 'rumor' | 'price_gouging' | 'concern' | 'positive' | 'other';
export const CATEGORIES: readonly Category[] = ['rumor', 'price_gouging', 'concern', 'positive', 'other'];
const NC = CATEGORIES.length;
const STRIDE = 1 + NC;
const CAT_INDEX: Record<Category, number> = { rumor: 0, price_gouging: 1, concern: 2, positive: 3, other: 4 };

export interface LabelledExample {
  text: string;
  relevant: boolean;
  category: Category;
}

export interface Classification {
  relevant: boolean;
  /** "other" whenever relevant is false. */
  category: Category;
  /** P(relevant). */
  relevanceScore: number;
  /** P(category | relevant) from the category head. */
  scores: Record<Category, number>;
}

export interface TrainOptions {
  epochs: number;
  /** AdaGrad learning rate. */
  lr: number;
  /** L2 penalty applied to active weights. */
  l2: number;
  seed: number;
  /** Weight of irrelevant posts (as "other") in the category head. */
  irrelevantWeight: number;
  /** Relevance threshold on P(relevant). */
  threshold: number;
  /** Learning rate of analyst labels (learn). */
  onlineLr: number;
  /** Weigh the relevance classes against their imbalance (inverse frequency, capped at 4). */
  balanceRelevance: boolean;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 12, lr: 0.3, l2: 1e-4, seed: 20200123, irrelevantWeight: 0.3, threshold: 0.5, onlineLr: 0.5, balanceRelevance: true };


/** Softmax of zs[0, NC) into probs. */
function softmax(): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < NC; c++) if (zs[c]! > max) max = zs[c]!;
  let sum = 0;
  for (let c = 0; c < NC; c++) sum += probs[c] = Math.exp(zs[c]! - max);
  for (let c = 0; c < NC; c++) probs[c]! /= sum;
  return probs;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

const zs = new Float64Array(STRIDE);
const probs = new Float64Array(NC);
const delta = new Float64Array(NC);

export class OpinionClassifier {
  /** Weights: feature f's relevance weight at f*6, its category weights at f*6+1…f*6+5. */
  private readonly w: Float32Array;
  /** AdaGrad accumulators, same layout. */
  private readonly g: Float32Array;
  /** Biases (relevance, then categories) and their accumulators. */
  private readonly b: Float64Array;
  private readonly gb: Float64Array;
  readonly options: TrainOptions;
  /** Examples trained on and analyst labels learned since. */
  trainedOn = 0;
  labelsLearned = 0;

  private constructor(options: TrainOptions, w?: Float32Array, g?: Float32Array, b?: Float64Array, gb?: Float64Array) {
    this.options = options;
    this.w = w ?? new Float32Array(FEATURE_DIM * STRIDE);
    this.g = g ?? new Float32Array(FEATURE_DIM * STRIDE);
    this.b = b ?? new Float64Array(STRIDE);
    this.gb = gb ?? new Float64Array(STRIDE);
  }

  /** Trains both heads on labelled posts (deterministic for the same examples and options). */
  static train(examples: readonly LabelledExample[], options: Partial<TrainOptions> = {}): OpinionClassifier {
    const opts = { ...DEFAULT_TRAIN, ...options };
    const clf = new OpinionClassifier(opts);
    const analysed = examples.map((e) => analyse(e.text));
    clf.fit(analysed, examples, opts);
    return clf;
  }

  /** Trains on posts already analysed (same order as `labels`). */
  static trainAnalysed(analysed: readonly Analysed[], labels: readonly { relevant: boolean; category: Category }[], options: Partial<TrainOptions> = {}): OpinionClassifier {
    const opts = { ...DEFAULT_TRAIN, ...options };
    const clf = new OpinionClassifier(opts);
    clf.fit(analysed, labels, opts);
    return clf;
  }

  private fit(analysed: readonly Analysed[], labels: readonly { relevant: boolean; category: Category }[], opts: TrainOptions) {
    const n = analysed.length;
    // Class weights of the category head: inverse frequency among the posts it learns from, in [0.5, 3].
    const counts = new Float64Array(NC);
    for (const l of labels) counts[CAT_INDEX[l.relevant ? l.category : 'other']]! += l.relevant ? 1 : opts.irrelevantWeight;
    const total = counts.reduce((a, c) => a + c, 0);
    const classWeight = Array.from(counts, (c) => (c > 0 ? Math.min(3, Math.max(0.5, total / (NC * c))) : 1));
    const relevantShare = labels.filter((l) => l.relevant).length / Math.max(1, n);
    const relWeight = (relevant: boolean) =>
      !opts.balanceRelevance || relevantShare === 0 || relevantShare === 1 ? 1 : Math.min(4, 0.5 / (relevant ? relevantShare : 1 - relevantShare));
    const order = Array.from({ length: n }, (_, i) => i);
    const rand = mulberry32(opts.seed);
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const i of order) {
        const a = analysed[i]!;
        const l = labels[i]!;
        this.stepRelevance(a.features, l.relevant, opts.lr, opts.l2, relWeight(l.relevant));
        const cat = CAT_INDEX[l.relevant ? l.category : 'other'];
        const weight = (l.relevant ? 1 : opts.irrelevantWeight) * classWeight[cat]!;
        this.stepCategory(a.features, cat, weight, opts.lr, opts.l2);
      }
    }
    this.trainedOn += n;
  }

  private relevanceZ(f: Int32Array, v: number): number {
    const w = this.w;
    let z = this.b[0]!;
    for (let i = 0; i < f.length; i++) z += w[f[i]! * STRIDE]! * v;
    return z;
  }

  private categoryProbs(f: Int32Array, v: number): Float64Array {
    const w = this.w;
    for (let c = 0; c < NC; c++) zs[c] = this.b[1 + c]!;
    for (let i = 0; i < f.length; i++) {
      const base = f[i]! * STRIDE + 1;
      zs[0]! += w[base]! * v;
      zs[1]! += w[base + 1]! * v;
      zs[2]! += w[base + 2]! * v;
      zs[3]! += w[base + 3]! * v;
      zs[4]! += w[base + 4]! * v;
    }
    return softmax();
  }

  private stepRelevance(f: Int32Array, relevant: boolean, lr: number, l2: number, weight = 1, bias = true) {
    if (f.length === 0) return;
    const v = 1 / Math.sqrt(f.length);
    const p = sigmoid(this.relevanceZ(f, v));
    const d = (p - (relevant ? 1 : 0)) * weight;
    const { w, g } = this;
    for (let i = 0; i < f.length; i++) {
      const k = f[i]! * STRIDE;
      const grad = d * v + l2 * w[k]!;
      g[k]! += grad * grad;
      w[k]! -= (lr * grad) / (Math.sqrt(g[k]!) + 1e-8);
    }
    if (!bias) return;
    this.gb[0]! += d * d;
    this.b[0]! -= (lr * d) / (Math.sqrt(this.gb[0]!) + 1e-8);
  }

  private stepCategory(f: Int32Array, cat: number, weight: number, lr: number, l2: number, bias = true) {
    if (f.length === 0 || weight === 0) return;
    const v = 1 / Math.sqrt(f.length);
    const p = this.categoryProbs(f, v);
    const d = delta;
    for (let c = 0; c < NC; c++) d[c] = (p[c]! - (c === cat ? 1 : 0)) * weight;
    const { w, g } = this;
    for (let i = 0; i < f.length; i++) {
      const base = f[i]! * STRIDE + 1;
      for (let c = 0; c < NC; c++) {
        const k = base + c;
        const grad = d[c]! * v + l2 * w[k]!;
        if (grad === 0) continue;
        g[k]! += grad * grad;
        w[k]! -= (lr * grad) / (Math.sqrt(g[k]!) + 1e-8);
      }
    }
    if (!bias) return;
    for (let c = 0; c < NC; c++) {
      this.gb[1 + c]! += d[c]! * d[c]!;
      this.b[1 + c]! -= (lr * d[c]!) / (Math.sqrt(this.gb[1 + c]!) + 1e-8);
    }
  }

  classify(a: Pick<Analysed, 'features'>): Classification {
    const f = a.features;
    const v = f.length ? 1 / Math.sqrt(f.length) : 0;
    // Both heads in one pass over the features (a feature's 6 weights share a cache line).
    const w = this.w;
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    let z4 = 0;
    let z5 = 0;
    for (let i = 0; i < f.length; i++) {
      const base = f[i]! * STRIDE;
      z0 += w[base]!;
      z1 += w[base + 1]!;
      z2 += w[base + 2]!;
      z3 += w[base + 3]!;
      z4 += w[base + 4]!;
      z5 += w[base + 5]!;
    }
    const b = this.b;
    const relevanceScore = sigmoid(b[0]! + z0 * v);
    zs[0] = b[1]! + z1 * v;
    zs[1] = b[2]! + z2 * v;
    zs[2] = b[3]! + z3 * v;
    zs[3] = b[4]! + z4 * v;
    zs[4] = b[5]! + z5 * v;
    const p = softmax();
    let best = 0;
    for (let c = 1; c < NC; c++) if (p[c]! > p[best]!) best = c;
    const relevant = relevanceScore >= this.options.threshold;
    return {
      relevant,
      category: relevant ? CATEGORIES[best]! : 'other',
      relevanceScore,
      scores: { rumor: p[0]!, price_gouging: p[1]!, concern: p[2]!, positive: p[3]!, other: p[4]! },
    };
  }

  /**
   * Learns from an analyst's label of one post: AdaGrad steps (at most 10) until the model agrees with
   * the label by a margin (P(relevant) on the right side of the threshold by 0.15; the labelled
   * category most probable with P ≥ 0.5). Returns the number of steps taken.
   */
  learn(a: Analysed, label: { relevant: boolean; category: Category }): number {
    const lr = this.options.onlineLr;
    const t = this.options.threshold;
    const cat = CAT_INDEX[label.relevant ? label.category : 'other'];
    let steps = 0;
    for (; steps < 10; steps++) {
      const r = this.classify(a);
      const relOk = label.relevant ? r.relevanceScore >= Math.min(0.95, t + 0.15) : r.relevanceScore <= Math.max(0.05, t - 0.15);
      const p = r.scores[CATEGORIES[cat]!];
      const catOk = !label.relevant || (p >= 0.5 && r.category === CATEGORIES[cat]);
      if (relOk && catOk) break;
      // Biases stay as trained: one post's label moves the weights of its own features only, so a
      // burst of labels of one category does not tilt every other post towards it.
      if (!relOk) this.stepRelevance(a.features, label.relevant, lr, 0, 2, false);
      if (!catOk) this.stepCategory(a.features, cat, 2, lr, 0, false);
    }
    this.labelsLearned++;
    return steps;
  }

  /** Sparse, portable form (base64 typed arrays of the non-zero entries). */
  toJSON(): SerializedClassifier {
    const idx: number[] = [];
    for (let i = 0; i < this.w.length; i++) if (this.w[i] !== 0 || this.g[i] !== 0) idx.push(i);
    const wi = new Int32Array(idx);
    const wv = new Float32Array(idx.length);
    const gv = new Float32Array(idx.length);
    idx.forEach((k, j) => {
      wv[j] = this.w[k]!;
      gv[j] = this.g[k]!;
    });
    const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return {
      format: 'frontline-opinion-linear',
      version: 1,
      dim: FEATURE_DIM,
      categories: [...CATEGORIES],
      options: this.options,
      trainedOn: this.trainedOn,
      labelsLearned: this.labelsLearned,
      bias: Array.from(this.b),
      biasAcc: Array.from(this.gb),
      index: b64(wi),
      weights: b64(wv),
      accumulators: b64(gv),
    };
  }

  static fromJSON(j: unknown): OpinionClassifier {
    const s = j as SerializedClassifier;
    if (!s || s.format !== 'frontline-opinion-linear' || s.version !== 1) throw new Error('not a serialized opinion classifier (format frontline-opinion-linear v1)');
    if (s.dim !== FEATURE_DIM || s.categories.join() !== CATEGORIES.join()) throw new Error('serialized classifier has a different feature space or categories');
    const buf = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    };
    const idx = new Int32Array(buf(s.index));
    const wv = new Float32Array(buf(s.weights));
    const gv = new Float32Array(buf(s.accumulators));
    const w = new Float32Array(FEATURE_DIM * STRIDE);
    const g = new Float32Array(FEATURE_DIM * STRIDE);
    for (let j2 = 0; j2 < idx.length; j2++) {
      w[idx[j2]!] = wv[j2]!;
      g[idx[j2]!] = gv[j2]!;
    }
    const clf = new OpinionClassifier({ ...DEFAULT_TRAIN, ...s.options }, w, g, Float64Array.from(s.bias), Float64Array.from(s.biasAcc));
    clf.trainedOn = s.trainedOn;
    clf.labelsLearned = s.labelsLearned;
    return clf;
  }

  /** A deep copy (e.g. to measure before/after learning without touching the shared model). */
  clone(): OpinionClassifier {
    const c = new OpinionClassifier({ ...this.options }, this.w.slice(), this.g.slice(), this.b.slice(), this.gb.slice());
    c.trainedOn = this.trainedOn;
    c.labelsLearned = this.labelsLearned;
    return c;
  }
}

export interface SerializedClassifier {
  format: 'frontline-opinion-linear';
  version: 1;
  dim: number;
  categories: string[];
  options: TrainOptions;
  trainedOn: number;
  labelsLearned: number;
  bias: number[];
  biasAcc: number[];
  index: string;
  weights: string;
  accumulators: string;
}

export interface Evaluation {
  relevanceAccuracy: number;
  relevance: { precision: number; recall: number };
  categories: Record<Category, { precision: number; recall: number; f1: number; support: number }>;
  macroF1: number;
  /** Share of posts whose category is right (irrelevant posts count as "other"). */
  categoryAccuracy: number;
  n: number;
}

/** Quality on labelled posts (an irrelevant post's true category is "other"). Pass `analysed` to skip analysing again. */
export function evaluate(clf: OpinionClassifier, examples: readonly LabelledExample[], analysed?: readonly Analysed[]): Evaluation {
  let relOk = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let catOk = 0;
  const conf = CATEGORIES.map(() => ({ tp: 0, fp: 0, fn: 0, support: 0 }));
  examples.forEach((e, i) => {
    const r = clf.classify(analysed?.[i] ?? analyse(e.text));
    if (r.relevant === e.relevant) relOk++;
    if (r.relevant && e.relevant) tp++;
    else if (r.relevant) fp++;
    else if (e.relevant) fn++;
    const truth = CAT_INDEX[e.relevant ? e.category : 'other'];
    const pred = CAT_INDEX[r.category];
    conf[truth]!.support++;
    if (truth === pred) {
      conf[truth]!.tp++;
      catOk++;
    } else {
      conf[truth]!.fn++;
      conf[pred]!.fp++;
    }
  });
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const categories = {} as Evaluation['categories'];
  let f1sum = 0;
  CATEGORIES.forEach((c, i) => {
    const m = conf[i]!;
    const precision = div(m.tp, m.tp + m.fp);
    const recall = div(m.tp, m.tp + m.fn);
    const f1 = div(2 * precision * recall, precision + recall);
    categories[c] = { precision, recall, f1, support: m.support };
    f1sum += f1;
  });
  const n = examples.length;
  return {
    relevanceAccuracy: div(relOk, n),
    relevance: { precision: div(tp, tp + fp), recall: div(tp, tp + fn) },
    categories,
    macroF1: f1sum / NC,
    categoryAccuracy: div(catOk, n),
    n,
  };
}
