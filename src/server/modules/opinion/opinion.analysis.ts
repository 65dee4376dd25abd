// The CPU part of an ingest — normalise, segment, features, keyword rules, SimHash/MinHash keys and
// the shingle set of each post — on worker threads, so that on a machine with two cores one core
// analyses the next batch while the event loop parses requests, assigns clusters and writes the
// batch before. What needs the instance's live state (the classifier that learns from labels, the
// office's keyword groups, the author key) stays on the main thread; this part is pure, and a post
// analysed on a worker is exactly what analysePost gives in process (see opinion.analysis.test.ts).
// Small batches, and every batch if no worker could start, are analysed in process.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../kernel/ts-worker.ts';
import { analyse, type Analysed } from '../../../text/pipeline.ts';
import { shingleSet } from '../../../text/simhash.ts';
import { hashKeys, histogramOf, HISTOGRAM_BYTES, type HashedKeys, type KeyKind } from './opinion.candidates.ts';

/** What an ingest needs of a post's text. */
export interface PostAnalysis {
  normalized: string;
  /** 64-bit SimHash, 16 hex characters (kept on representative rows). */
  simhash: string;
  /** The classifier's hashed features. */
  features: Int32Array;
  /** Candidate keys for clustering, space-separated (text hash, MinHash bands; the URL of a link-only post). */
  keys: string;
  /** The keys hashed, for the candidate index. */
  hashed: HashedKeys;
  /** Unique shingle hashes of the normalised text, as asSignedSet (the near-duplicate check). */
  set: Int32Array;
  /** The set's histogram (opinion.candidates.ts): what the candidate index keeps of it. */
  hist: Uint8Array;
}

/**
 * Candidate keys stored for a cluster representative and looked up for a new post: the text hash
 * ("t:") and the MinHash bands ("m…:", 32-bit). The SimHash bands are left out: on the corpus they add
 * no recall (pair recall 0.967 on the held-out split with or without them) and their 16-bit buckets
 * fill up as the store grows, which would make lookups slower with every post.
 */
export function clusterKeys(a: Pick<Analysed, 'bandKeys' | 'normalized' | 'urls'>): string[] {
  const keys = a.bandKeys.filter((k) => !k.startsWith('b'));
  // A post that is little more than a link is the link: its URL finds the cluster.
  if (a.urls.length && a.normalized.replace(/[^\p{L}\p{N}]/gu, '').length < 20) for (const u of a.urls) keys.push(`u:${u}`);
  return keys;
}

export function analysePost(text: string): PostAnalysis {
  const a = analyse(text);
  const set = asSignedSet(shingleSet(a.normalized));
  const keys = clusterKeys(a);
  return { normalized: a.normalized, simhash: a.simhash, features: a.features, keys: keys.join(' '), hashed: hashKeys(keys), set, hist: histogramOf(set) };
}

/**
 * Analyses of a slice of posts as a worker sends them: strings in arrays, and every typed array of
 * every post in one buffer per kind, moved (not copied) to the main thread. Copying a thousand
 * objects with a dozen typed arrays each cost the event loop more than clustering them.
 */
interface Packed {
  normalized: string[];
  simhash: string[];
  keys: string[];
  /** Per kind: all posts' values end to end, and where each post's start (n + 1 offsets). */
  features: Int32Array;
  featureAt: Int32Array;
  sets: Int32Array;
  setAt: Int32Array;
  hashes: Uint32Array;
  kinds: Uint8Array;
  hashAt: Int32Array;
  hists: Uint8Array;
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
    keys: posts.map((p) => p.keys),
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
  return { packed, transfer };
}

export function unpack(p: Packed): PostAnalysis[] {
  return p.normalized.map((normalized, i) => ({
    normalized,
    simhash: p.simhash[i]!,
    keys: p.keys[i]!,
    features: p.features.subarray(p.featureAt[i]!, p.featureAt[i + 1]!),
    set: p.sets.subarray(p.setAt[i]!, p.setAt[i + 1]!),
    hashed: { hashes: p.hashes.subarray(p.hashAt[i]!, p.hashAt[i + 1]!), kinds: p.kinds.subarray(p.hashAt[i]!, p.hashAt[i + 1]!) as unknown as ArrayLike<KeyKind> },
    hist: p.hists.subarray(i * HISTOGRAM_BYTES, (i + 1) * HISTOGRAM_BYTES),
  }));
}

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
          else p?.reject(new Error(m.error));
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

  private run(w: Worker, texts: string[]): Promise<PostAnalysis[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, texts });
    });
  }

  /** Analyses texts, on the workers when the batch is large enough; the same results either way. */
  async analyseMany(texts: string[]): Promise<PostAnalysis[]> {
    if (texts.length >= MIN_FOR_WORKERS) this.start();
    if (texts.length < MIN_FOR_WORKERS || this.broken || !this.workers.length) return texts.map(analysePost);
    // One slice per worker, handed out in turn so that concurrent batches spread over the workers.
    const n = this.workers.length;
    const per = Math.ceil(texts.length / n);
    const parts: Array<Promise<PostAnalysis[]>> = [];
    for (let i = 0; i < n && i * per < texts.length; i++) parts.push(this.run(this.workers[this.turn++ % n]!, texts.slice(i * per, (i + 1) * per)));
    try {
      return (await Promise.all(parts)).flat();
    } catch {
      return texts.map(analysePost); // a worker failed mid-batch: do it here
    }
  }

  async close() {
    this.broken = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}
