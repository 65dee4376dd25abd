// The CPU part of an ingest — normalise, segment, features, keyword rules, SimHash/MinHash keys, the
// shingle set, the office's keyword groups and the author hash of each post — on worker threads, so
// that on a machine with two cores one core analyses the next batch while the event loop parses
// requests, assigns clusters and writes the batch before. The office's groups and the author key
// travel with each batch as IngestRules (compiled once per version in each thread). The classifier
// learns from every label on the main thread; a worker gets a copy of it whenever it has learned since
// (ClassifierRef: a version, and the model's portable form) and classifies there too — classifying
// was the event loop's largest piece of work per post that did not need its state. A post analysed
// on a worker is exactly what analysePost gives in process (see opinion.analysis.test.ts). Small
// batches, and every batch if no worker could start, are analysed in process.
import crypto from 'node:crypto';
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../kernel/ts-worker.ts';
import { analyse, GroupsWithDefaults, type Analysed } from '../../../text/pipeline.ts';
import type { KeywordGroupDef } from '../../../text/keywords.ts';
import { signedShingleSet } from '../../../text/simhash.ts';
import { CATEGORIES, OpinionClassifier, type Category, type SerializedClassifier } from '../../../text/classifier.ts';
import { histogramOf, HISTOGRAM_BYTES, keyHash, KeyKind, type HashedKeys } from './opinion.candidates.ts';

/** What an ingest needs of a post's text. */
export interface PostAnalysis {
  normalized: string;
  /** 64-bit SimHash, 16 hex characters (kept on representative rows). */
  simhash: string;
  /** The classifier's hashed features. */
  features: Int32Array;
  /** Its candidate keys for clustering (clusterKeys: text hash, MinHash bands; the URL of a link-only post), hashed. */
  hashed: HashedKeys;
  /** Unique shingle hashes of the normalised text, as asSignedSet (the near-duplicate check). */
  set: Int32Array;
  /** The set's histogram (opinion.candidates.ts): what the candidate index keeps of it. */
  hist: Uint8Array;
  /** The office's keyword groups the post matches (the built-in ones without IngestRules). */
  groups: string[];
  /** HMAC of source and author (authorHash), null without an author or without IngestRules. */
  authorHash: string | null;
  /** The classifier's decision, when the analysis was given one (analysePost's clf, analyseMany's model). */
  classified?: PostClass;
}

/** What the ingest keeps of a classification. */
export interface PostClass {
  relevant: boolean;
  relevanceScore: number;
  category: Category;
}

/**
 * The instance's classifier as the analysis takes it: a version that changes whenever it learns, the
 * model, and its portable form for the workers (made when first sent).
 */
export interface ClassifierRef {
  version: string;
  clf: OpinionClassifier;
  json(): SerializedClassifier;
}

const CATEGORY_INDEX = new Map(CATEGORIES.map((c, i) => [c, i]));

/** What the analysis needs of the instance's state: the office's keyword groups and the author key. */
export interface IngestRules {
  /** Changes whenever the groups or the key do: each thread compiles the groups once per version. */
  version: string;
  groups: KeywordGroupDef[];
  /** The author-hash key, base64. */
  authorKey: string;
}

/** What the pool sends a worker: a slice of posts as parallel arrays (cheaper to copy than objects). */
export interface AnalysisRequest {
  id: number;
  texts: string[];
  sources: string[];
  authors: Array<string | undefined>;
  /** The rules' version, and the rules themselves when they are new to this worker. */
  rulesVersion?: string;
  rules?: IngestRules;
  /** The classifier's version, and the classifier itself when it is new to this worker. */
  modelVersion?: string;
  model?: SerializedClassifier;
}

/** A post as the ingest hands it over. */
export interface PostText {
  text: string;
  source: string;
  author?: string;
}

/** HMAC(key, source ‖ author), 22 base64url characters: counts distinct accounts without keeping who they are. */
export function authorHash(key: Buffer, source: string, author: string | undefined): string | null {
  const a = author?.trim();
  if (!a) return null;
  return crypto.createHmac('sha256', key).update(`${source}\u0000${a}`).digest('base64url').slice(0, 22);
}

/** IngestRules compiled, one version per thread (the ingest sends the same rules batch after batch). */
let compiled: { version: string; groups: GroupsWithDefaults; key: Buffer } | null = null;
function compile(rules: IngestRules) {
  if (compiled?.version !== rules.version) compiled = { version: rules.version, groups: new GroupsWithDefaults(rules.groups), key: Buffer.from(rules.authorKey, 'base64') };
  return compiled;
}

/**
 * Candidate keys stored for a cluster representative and looked up for a new post: the text hash
 * ("t:") and the MinHash bands ("m…:", 32-bit). The SimHash bands are left out: on the corpus they add
 * no recall (pair recall 0.967 on the held-out split with or without them) and their 16-bit buckets
 * fill up as the store grows, which would make lookups slower with every post.
 */
export function clusterKeys(a: Pick<Analysed, 'bandKeys' | 'normalized' | 'urls'>): string[] {
  const keys = a.bandKeys.filter((k) => !k.startsWith('b'));
  for (const u of linkKeys(a)) keys.push(u);
  return keys;
}

/** A post that is little more than a link is the link: its URL finds the cluster ("u:" keys). */
function linkKeys(a: Pick<Analysed, 'normalized' | 'urls'>): string[] {
  return a.urls.length && a.normalized.replace(/[^\p{L}\p{N}]/gu, '').length < 20 ? a.urls.map((u) => `u:${u}`) : [];
}

/** Kinds of n keys without links: the text hash, then bands (shared, read-only; one per n). */
const KINDS: Uint8Array[] = [];
function plainKinds(n: number): Uint8Array {
  let k = KINDS[n];
  if (!k) {
    k = KINDS[n] = new Uint8Array(n).fill(KeyKind.Band);
    if (n) k[0] = KeyKind.Exact;
  }
  return k;
}

/** hashKeys(clusterKeys(a)), from the hashes the pipeline computed (no key texts built). */
export function clusterHashes(a: Pick<Analysed, 'keyHashes' | 'normalized' | 'urls'>): { hashes: Uint32Array; kinds: Uint8Array } {
  const links = linkKeys(a);
  const n = a.keyHashes.length;
  // Most posts are no link: their keys are the pipeline's, as they are (read, never written).
  if (!links.length) return { hashes: a.keyHashes, kinds: plainKinds(n) };
  const hashes = new Uint32Array(n + links.length);
  const kinds = new Uint8Array(n + links.length).fill(KeyKind.Band);
  hashes.set(a.keyHashes);
  kinds[0] = KeyKind.Exact;
  links.forEach((u, i) => {
    hashes[n + i] = keyHash(u);
    kinds[n + i] = KeyKind.Url;
  });
  return { hashes, kinds };
}

/** A post's analysis; with rules, its groups are the office's and its author is hashed; with a classifier, classified. */
export function analysePost(text: string, rules?: IngestRules, source = '', author?: string, clf?: OpinionClassifier): PostAnalysis {
  const c = rules && compile(rules);
  const a = analyse(text, c?.groups);
  const set = a.shingles ?? signedShingleSet(a.normalized);
  let classified: PostClass | undefined;
  if (clf) {
    const r = clf.classify(a);
    classified = { relevant: r.relevant, relevanceScore: r.relevanceScore, category: r.category };
  }
  return {
    normalized: a.normalized,
    simhash: a.simhash,
    features: a.features,
    hashed: clusterHashes(a),
    set,
    hist: a.shingleHistogram ?? histogramOf(set),
    groups: a.groups,
    authorHash: c ? authorHash(c.key, source, author) : null,
    classified,
  };
}

const analyseAll = (posts: readonly PostText[], rules?: IngestRules, clf?: OpinionClassifier) => posts.map((p) => analysePost(p.text, rules, p.source, p.author, clf));

/**
 * Analyses of a slice of posts as a worker sends them: strings in arrays, and every typed array of
 * every post in one buffer per kind, moved (not copied) to the main thread. Copying a thousand
 * objects with a dozen typed arrays each cost the event loop more than clustering them.
 */
interface Packed {
  normalized: string[];
  simhash: string[];
  /** Per post, its groups joined by GROUP_SEPARATOR. */
  groups: string[];
  authorHash: Array<string | null>;
  /** Per kind: all posts' values end to end, and where each post's start (n + 1 offsets). */
  features: Int32Array;
  featureAt: Int32Array;
  sets: Int32Array;
  setAt: Int32Array;
  hashes: Uint32Array;
  kinds: Uint8Array;
  hashAt: Int32Array;
  hists: Uint8Array;
  /** When classified: per post, relevant (0/1) and the category's index; and the relevance score. */
  classes?: Uint8Array;
  scores?: Float64Array;
}

function concat<T extends Int32Array | Uint32Array | Uint8Array>(make: new (n: number) => T, parts: ArrayLike<number>[]): { all: T; at: Int32Array } {
  const at = new Int32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) at[i + 1] = at[i]! + parts[i]!.length;
  const all = new make(at[parts.length]!);
  parts.forEach((p, i) => all.set(p, at[i]!));
  return { all, at };
}

export function pack(posts: PostAnalysis[]): { packed: Packed; transfer: ArrayBuffer[] } {
  const f = concat(Int32Array, posts.map((p) => p.features));
  const s = concat(Int32Array, posts.map((p) => p.set));
  const h = concat(Uint32Array, posts.map((p) => p.hashed.hashes));
  const k = concat(Uint8Array, posts.map((p) => p.hashed.kinds));
  const hists = concat(Uint8Array, posts.map((p) => p.hist)).all;
  const packed: Packed = {
    normalized: posts.map((p) => p.normalized),
    simhash: posts.map((p) => p.simhash),
    groups: posts.map((p) => p.groups.join(GROUP_SEPARATOR)),
    authorHash: posts.map((p) => p.authorHash),
    features: f.all,
    featureAt: f.at,
    sets: s.all,
    setAt: s.at,
    hashes: h.all,
    kinds: k.all,
    hashAt: h.at,
    hists,
  };
  const transfer = [f.all, f.at, s.all, s.at, h.all, k.all, h.at, hists].map((a) => a.buffer as ArrayBuffer);
  if (posts.length && posts.every((p) => p.classified)) {
    const classes = new Uint8Array(2 * posts.length);
    const scores = new Float64Array(posts.length);
    posts.forEach((p, i) => {
      classes[2 * i] = p.classified!.relevant ? 1 : 0;
      classes[2 * i + 1] = CATEGORY_INDEX.get(p.classified!.category)!;
      scores[i] = p.classified!.relevanceScore;
    });
    packed.classes = classes;
    packed.scores = scores;
    transfer.push(classes.buffer, scores.buffer);
  }
  return { packed, transfer };
}

export function unpack(p: Packed): PostAnalysis[] {
  return p.normalized.map((normalized, i) => ({
    normalized,
    simhash: p.simhash[i]!,
    features: p.features.subarray(p.featureAt[i]!, p.featureAt[i + 1]!),
    set: p.sets.subarray(p.setAt[i]!, p.setAt[i + 1]!),
    hashed: { hashes: p.hashes.subarray(p.hashAt[i]!, p.hashAt[i + 1]!), kinds: p.kinds.subarray(p.hashAt[i]!, p.hashAt[i + 1]!) as unknown as ArrayLike<KeyKind> },
    hist: p.hists.subarray(i * HISTOGRAM_BYTES, (i + 1) * HISTOGRAM_BYTES),
    groups: p.groups[i] ? p.groups[i]!.split(GROUP_SEPARATOR) : [],
    authorHash: p.authorHash[i]!,
    classified:
      p.classes && p.scores ? { relevant: p.classes[2 * i] === 1, relevanceScore: p.scores[i]!, category: CATEGORIES[p.classes[2 * i + 1]!]! } : undefined,
  }));
}

/** Between a post's group ids in a packed batch (ids never contain it). */
const GROUP_SEPARATOR = '\u0001';

/**
 * A shingle set (shingleSet: sorted unsigned 32-bit hashes) as signed integers sorted as such: the
 * same set, whose elements the JIT keeps as machine integers (values above 2^31 would be doubles) —
 * the cluster check merges dozens of these per post. Signed order is the unsigned order rotated: the
 * values from 2^31 up (negative as signed) come first.
 */
export function asSignedSet(set: Uint32Array): Int32Array {
  let lo = 0;
  let hi = set.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (set[mid]! < 0x80000000) lo = mid + 1;
    else hi = mid;
  }
  const out = new Int32Array(set.length);
  out.set(new Int32Array(set.buffer, set.byteOffset + lo * 4, set.length - lo));
  out.set(new Int32Array(set.buffer, set.byteOffset, lo), set.length - lo);
  return out;
}

// ---- a representative's sketch, as stored ---------------------------------------------------------

/** Version byte of the stored sketch format. */
const SKETCH_V1 = 1;

/**
 * What a cluster representative's row keeps for the candidate index (opinion.candidates.ts), in one
 * binary column: version, key count, shingle set size (uint16 LE), the keys' 32-bit hashes (LE), the
 * set's histogram. Reading a million of them after a restart is a copy each, where the key texts
 * (migration 0007) had to be split and hashed again.
 */
export function encodeSketch(hashes: ArrayLike<number>, size: number, hist: Uint8Array): Buffer {
  const n = Math.min(hashes.length, 255);
  const buf = Buffer.alloc(4 + 4 * n + HISTOGRAM_BYTES);
  buf[0] = SKETCH_V1;
  buf[1] = n;
  buf.writeUInt16LE(Math.min(size, 65535), 2);
  for (let i = 0; i < n; i++) buf.writeUInt32LE(hashes[i]! >>> 0, 4 + 4 * i);
  buf.set(hist.subarray(0, HISTOGRAM_BYTES), 4 + 4 * n);
  return buf;
}

/** A stored sketch read back; null for anything that is not one (the caller then adds no keys). */
export function decodeSketch(buf: Uint8Array | null | undefined): { hashes: Uint32Array; size: number; hist: Uint8Array } | null {
  if (!buf || buf.length < 4 || buf[0] !== SKETCH_V1) return null;
  const n = buf[1]!;
  if (buf.length !== 4 + 4 * n + HISTOGRAM_BYTES) return null;
  // Byte arithmetic and a plain Uint8Array view: a DataView and a Buffer's subarray per row were most
  // of the cost of reading a million of them.
  const hashes = new Uint32Array(n);
  for (let i = 0, o = 4; i < n; i++, o += 4) hashes[i] = (buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24)) >>> 0;
  return { hashes, size: buf[2]! | (buf[3]! << 8), hist: new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * n, HISTOGRAM_BYTES) };
}

/** Below this many posts a batch is analysed in process: the round trip would cost more. */
const MIN_FOR_WORKERS = 64;

interface Pending {
  resolve: (r: PostAnalysis[]) => void;
  reject: (e: unknown) => void;
}

/** Worker threads that analyse posts; one fewer than the cores (at least one, at most four). */
export class AnalysisPool {
  private workers: Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private turn = 0;
  private broken = false;
  /** The version of the rules each worker last received. */
  private sent = new WeakMap<Worker, string>();
  /** The version of the classifier each worker last received. */
  private sentModel = new WeakMap<Worker, string>();

  /** Where a stopped worker is reported (the routes set the app's logger). */
  warn: (message: string) => void = (m) => console.warn(m);

  constructor(private readonly size = Math.max(1, Math.min(4, os.availableParallelism() - 1))) {}

  /** Worker threads running (0 before the first large batch, or if none could start). */
  get threads() {
    return this.workers.length;
  }

  private start() {
    if (this.workers.length || this.broken) return;
    try {
      const entry = new URL('./opinion.analysis.worker.ts', import.meta.url);
      for (let i = 0; i < this.size; i++) {
        const w = startTsWorker(entry);
        w.unref();
        w.on('message', (m: { id: number; out?: Packed; error?: string }) => {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.out) p?.resolve(unpack(m.out));
          else {
            // The worker may not hold what was sent with the request (a model it could not read): send
            // the rules and the classifier again with the next one.
            this.sent.delete(w);
            this.sentModel.delete(w);
            p?.reject(new Error(m.error));
          }
        });
        w.on('error', (err) => this.fail(err));
        w.on('exit', (code) => this.fail(new Error(`analysis worker exited (${code})`)));
        this.workers.push(w);
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error) {
    if (this.broken) return;
    this.broken = true;
    this.warn(`opinion analysis workers stopped; analysing in process: ${err.message}`);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private run(w: Worker, posts: PostText[], rules: IngestRules | undefined, model: ClassifierRef | undefined): Promise<PostAnalysis[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Rules and the classifier once per version and worker.
      const send = rules && this.sent.get(w) !== rules.version ? rules : undefined;
      if (send) this.sent.set(w, send.version);
      const sendModel = model && this.sentModel.get(w) !== model.version ? model.json() : undefined;
      if (sendModel) this.sentModel.set(w, model!.version);
      const request: AnalysisRequest = {
        id,
        texts: posts.map((p) => p.text),
        sources: posts.map((p) => p.source),
        authors: posts.map((p) => p.author),
        rulesVersion: rules?.version,
        rules: send,
        modelVersion: model?.version,
        model: sendModel,
      };
      w.postMessage(request);
    });
  }

  /**
   * Analyses posts, on the workers when the batch is large enough; the same results either way. With
   * a model, each analysis carries its classification by that model.
   */
  async analyseMany(posts: readonly PostText[], rules?: IngestRules, model?: ClassifierRef): Promise<PostAnalysis[]> {
    if (posts.length >= MIN_FOR_WORKERS) this.start();
    if (posts.length < MIN_FOR_WORKERS || this.broken || !this.workers.length) return analyseAll(posts, rules, model?.clf);
    // One slice per worker, handed out in turn so that concurrent batches spread over the workers.
    const n = this.workers.length;
    const per = Math.ceil(posts.length / n);
    const parts: Array<Promise<PostAnalysis[]>> = [];
    for (let i = 0; i < n && i * per < posts.length; i++) parts.push(this.run(this.workers[this.turn++ % n]!, posts.slice(i * per, (i + 1) * per), rules, model));
    try {
      return (await Promise.all(parts)).flat();
    } catch {
      return analyseAll(posts, rules, model?.clf); // a worker failed mid-batch: do it here
    }
  }

  async close() {
    this.broken = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
