// What each app instance keeps in memory for opinion monitoring, always rebuilt from the database
// so that instances agree: the classifier (the built-in model plus every analyst label, replayed in
// order), the compiled keyword groups, the refutation index, and the author-hash key.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kernel } from '../../kernel/index.ts';
import { OpinionClassifier, type SerializedClassifier } from '../../../text/classifier.ts';
import { defaultClassifier } from '../../../text/corpus/index.ts';
import { analyse } from '../../../text/pipeline.ts';
import { normalizePost } from '../../../text/normalize.ts';
import { intersect, signedShingleSet } from '../../../text/simhash.ts';
import type { Category } from './opinion.schema.ts';
import type { DbOrTrx } from '../../db/index.ts';
import { CandidateIndex, HISTOGRAM_BYTES } from './opinion.candidates.ts';
import { repsSince } from './opinion.queries.ts';
import { AnalysisPool, decodeSketch, type ClassifierRef, type IngestRules } from './opinion.analysis.ts';
import { newId } from '../../kernel/crypto.ts';

/** How long an instance trusts its caches before checking the database for others' changes. */
const REFRESH_MS = 1000;

interface RefutationEntry {
  id: string;
  orgId: string;
  /** How many shingles its claim has (claimShingles). */
  size: number;
}

interface State {
  clf: OpinionClassifier | null;
  /** The classifier's portable form for the analysis workers, for the version it was made at. */
  clfJson: { version: string; json: SerializedClassifier } | null;
  labelSeq: number;
  labelsCheckedAt: number;
  /** The office's enabled keyword groups, as the analysis takes them (compiled in each analysing thread). */
  rules: IngestRules | null;
  groupsVersion: string;
  groupsCheckedAt: number;
  refutations: RefutationEntry[];
  /** Per claim shingle, the refutations whose claims have it (positions in `refutations`). */
  refutationIndex: Map<number, number[]>;
  /** A bit per shingle hash's low REFUTATION_BITS bits: clear means no claim has it. */
  refutationBits: Uint32Array;
  refutationsVersion: string;
  refutationsCheckedAt: number;
  authorKey: Buffer | null;
  /** Per org: the candidate index of its cluster representatives. */
  indexes: Map<string, CandidateIndex>;
  /** Representatives recently looked at or added: cluster and sorted shingle set, least recently used dropped. */
  repCache: Map<number, RepInfo>;
  /** Per org, the cluster-move counter this instance's repCache agrees with (opinion.queries.ts clusterMoves). */
  movesSeen: Map<string, number>;
  /** Worker threads for the CPU part of ingests (started on the first large batch). */
  analysis: AnalysisPool | null;
  /** Serialises cluster assignment inside this process. */
  ingestChain: Promise<unknown>;
}

const states = new WeakMap<Kernel, State>();

export function stateOf(kernel: Kernel): State {
  let s = states.get(kernel);
  if (!s) {
    s = {
      clf: null,
      clfJson: null,
      labelSeq: 0,
      labelsCheckedAt: 0,
      rules: null,
      groupsVersion: '',
      groupsCheckedAt: 0,
      refutations: [],
      refutationIndex: new Map(),
      refutationBits: new Uint32Array(1 << (REFUTATION_BITS - 5)),
      refutationsVersion: '',
      refutationsCheckedAt: 0,
      authorKey: null,
      indexes: new Map(),
      repCache: new Map(),
      movesSeen: new Map(),
      analysis: null,
      ingestChain: Promise.resolve(),
    };
    states.set(kernel, s);
  }
  return s;
}

/** Run fn after every earlier ingest of this process has finished (cluster assignment is sequential). */
export function serialised<T>(kernel: Kernel, fn: () => Promise<T>): Promise<T> {
  const s = stateOf(kernel);
  const run = s.ingestChain.then(fn, fn);
  s.ingestChain = run.catch(() => undefined);
  return run;
}

export function analysisPool(kernel: Kernel): AnalysisPool {
  const s = stateOf(kernel);
  return (s.analysis ??= new AnalysisPool());
}

export async function closeAnalysis(kernel: Kernel) {
  const s = stateOf(kernel);
  await s.analysis?.close();
  s.analysis = null;
}

// ---- cluster candidates ------------------------------------------------------------------------

export interface RepInfo {
  clusterId: string;
  /** Its normalised text's shingle set (opinion.analysis.ts asSignedSet). */
  set: Int32Array;
}

/** Representatives kept in repCache (≈ 1 KiB each): the recent ones, which are most candidates. */
export const REP_CACHE = 100_000;

/**
 * The org's candidate index, brought up to date with the representatives stored since it last looked.
 * Call it inside serialised(); under the org's ingest lock it sees every instance's writes.
 */
export async function syncedIndex(kernel: Kernel, db: DbOrTrx, orgId: string): Promise<CandidateIndex> {
  const s = stateOf(kernel);
  let index = s.indexes.get(orgId);
  if (index) {
    await addRepsSince(db, orgId, index);
    return index;
  }
  // A load from nothing (after a restart): in bulk, and in the map only once complete.
  index = new CandidateIndex();
  index.startBulk();
  await addRepsSince(db, orgId, index);
  index.endBulk();
  // Another load that finished while this one read (a caller outside serialised()) has the same rows.
  const other = s.indexes.get(orgId);
  if (other) return syncedIndex(kernel, db, orgId);
  s.indexes.set(orgId, index);
  return index;
}

/** Adds the representatives stored after index.lastRepId, page by page. */
async function addRepsSince(db: DbOrTrx, orgId: string, index: CandidateIndex) {
  for (;;) {
    const rows = await repsSince(db, orgId, index.lastRepId, 10_000);
    for (const r of rows) {
      // Rows another sync added while this one waited for its query (a caller outside serialised()) are not added twice.
      if (Number(r.id) <= index.lastRepId) continue;
      // Without a sketch (not expected: migration 0008 fills them) no key finds it and the bound never refuses.
      const k = decodeSketch(r.sketch) ?? { hashes: NO_KEYS, size: 0, hist: NO_BOUND };
      index.add(Number(r.id), k.hashes, k.size, k.hist);
    }
    if (rows.length < 10_000) return;
  }
}

const NO_BOUND = new Uint8Array(HISTOGRAM_BYTES).fill(0xff);
const NO_KEYS = new Uint32Array(0);

/**
 * Loads every org's candidate index in the background after start, one org at a time in the ingest
 * queue, so that the first ingest after a restart does not wait for it (a million stored posts take
 * tens of seconds to read). Errors are ignored: the first ingest then loads the index itself.
 */
export async function warmCandidateIndexes(kernel: Kernel): Promise<number> {
  const orgs = await kernel.db.selectFrom('opinion_cluster_reps').select('org_id').distinct().execute();
  let loaded = 0;
  for (const { org_id } of orgs) {
    if (!org_id) continue;
    await serialised(kernel, () => syncedIndex(kernel, kernel.db, org_id));
    loaded++;
  }
  return loaded;
}

export function cachedRep(kernel: Kernel, id: number): RepInfo | undefined {
  const cache = stateOf(kernel).repCache;
  const r = cache.get(id);
  if (r) {
    cache.delete(id); // most recently used last
    cache.set(id, r);
  }
  return r;
}

/**
 * Clears the representative cache if an analyst moved posts between the org's clusters since this
 * instance last looked (on any instance): cached cluster ids may be stale. Call it under the org's
 * ingest lock, before assigning clusters. Moves are rare (an analyst's decision), so clearing all is fine.
 */
export function checkClusterMoves(kernel: Kernel, orgId: string, gen: number) {
  const s = stateOf(kernel);
  const seen = s.movesSeen.get(orgId);
  if (seen !== undefined && seen !== gen) s.repCache.clear();
  s.movesSeen.set(orgId, gen);
}

/** Cached representatives of merged clusters now lead to the cluster each went into. */
export function redirectCachedReps(kernel: Kernel, into: ReadonlyMap<string, string>) {
  if (!into.size) return;
  for (const info of stateOf(kernel).repCache.values()) {
    const to = into.get(info.clusterId);
    if (to) info.clusterId = to;
  }
}

export function cacheRep(kernel: Kernel, id: number, info: RepInfo) {
  const cache = stateOf(kernel).repCache;
  cache.set(id, info);
  if (cache.size > REP_CACHE) cache.delete(cache.keys().next().value!);
}

// ---- classifier --------------------------------------------------------------------------------

/** The current model: built-in corpus, then analysts' labels in the order given (all instances alike). */
export async function classifier(kernel: Kernel, force = false): Promise<OpinionClassifier> {
  const s = stateOf(kernel);
  if (!s.clf) {
    s.clf = OpinionClassifier.fromJSON(defaultClassifier().toJSON());
    s.clfJson = null;
    s.labelSeq = 0;
    force = true;
  }
  const now = Date.now();
  if (force || now - s.labelsCheckedAt >= REFRESH_MS) {
    s.labelsCheckedAt = now;
    for (;;) {
      const rows = await kernel.db
        .selectFrom('opinion_labels as l')
        .innerJoin('opinion_posts as p', 'p.id', 'l.post_id')
        .select(['l.seq', 'l.relevant', 'l.category', 'p.text'])
        .where('l.seq', '>', s.labelSeq)
        .orderBy('l.seq')
        .limit(1000)
        .execute();
      for (const r of rows) {
        s.clf.learn(analyse(r.text), { relevant: r.relevant === 1, category: r.category as Category });
        s.labelSeq = Number(r.seq);
      }
      if (rows.length < 1000) break;
    }
  }
  return s.clf;
}

/**
 * The classifier for the analysis (opinion.analysis.ts ClassifierRef), refreshed as classifier() does:
 * its version is the last label it learned (a state makes its classifier once, and its analysis
 * workers are its own), and its portable form is made once per version, when a worker first needs it
 * (about 1.3 MB; labels come a few a minute at most).
 */
export async function classifierRef(kernel: Kernel): Promise<ClassifierRef> {
  const clf = await classifier(kernel);
  const s = stateOf(kernel);
  const version = `labels:${s.labelSeq}`;
  return {
    version,
    clf,
    json: () => {
      if (s.clfJson?.version !== version) s.clfJson = { version, json: clf.toJSON() };
      return s.clfJson.json;
    },
  };
}

// ---- keyword groups ----------------------------------------------------------------------------

/**
 * What the ingest's analysis takes from this instance (opinion.analysis.ts IngestRules): the office's
 * enabled keyword groups, checked for changes at most every REFRESH_MS, and the author key. The
 * version changes with either.
 */
export async function ingestRules(kernel: Kernel, force = false): Promise<IngestRules> {
  const s = stateOf(kernel);
  const now = Date.now();
  if (!s.rules || force || now - s.groupsCheckedAt >= REFRESH_MS) {
    s.groupsCheckedAt = now;
    const v = await kernel.db
      .selectFrom('opinion_keyword_groups')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('at')])
      .executeTakeFirstOrThrow();
    const version = `${v.n}|${v.at ?? ''}`;
    if (!s.rules || version !== s.groupsVersion) {
      const groups = await kernel.db.selectFrom('opinion_keyword_groups').select(['id', 'name', 'rule']).where('enabled', '=', 1).orderBy('id').execute();
      const authorKey = authorKeyOf(kernel).toString('base64');
      // Unique per instance and change: another instance's rules never pass for these in a thread.
      s.rules = { version: `${newId()}|${version}`, groups, authorKey };
      s.groupsVersion = version;
    }
  }
  return s.rules;
}

export function invalidateGroups(kernel: Kernel) {
  stateOf(kernel).groupsCheckedAt = 0;
  stateOf(kernel).groupsVersion = '';
}

// ---- refutations -------------------------------------------------------------------------------

/**
 * The shingles a claim is matched by: those of its normalised text as clustering takes them (the
 * character bigrams of the dedup form — repost boilerplate off, letters, digits and Han only, Chinese
 * numerals as digits), as a sorted signed set like a post's (PostAnalysis.set), so a post is matched
 * with the set its analysis already made.
 */
export const claimShingles = (text: string): Int32Array => signedShingleSet(normalizePost(text));

/** Shingles of `claim` that `post` has too, as a share of the claim's (0 for a claim of fewer than 2). */
export function claimCoverage(claim: Int32Array, post: Int32Array): number {
  return claim.length < 2 ? 0 : intersect(claim, post) / claim.length;
}

/** A post repeats a refuted claim when it contains most of the claim's shingles. */
export const CLAIM_COVERAGE = 0.6;
/** Bits of the refutation filter: 64 Kibit (8 KiB), a few hundred claims' shingles set a few percent of them. */
const REFUTATION_BITS = 16;

async function refreshRefutations(kernel: Kernel, force: boolean) {
  const s = stateOf(kernel);
  const now = Date.now();
  if (!force && now - s.refutationsCheckedAt < REFRESH_MS) return s;
  s.refutationsCheckedAt = now;
  const v = await kernel.db
    .selectFrom('opinion_refutations')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('at')])
    .executeTakeFirstOrThrow();
  const version = `${v.n}|${v.at ?? ''}`;
  if (version === s.refutationsVersion) return s;
  const rows = await kernel.db.selectFrom('opinion_refutations').select(['id', 'org_id', 'claim']).orderBy('created_at').orderBy('id').execute();
  const index = new Map<number, number[]>();
  const bits = new Uint32Array(1 << (REFUTATION_BITS - 5));
  s.refutations = rows.map((r, i) => {
    const set = claimShingles(r.claim);
    for (const x of set) {
      (index.get(x) ?? index.set(x, []).get(x)!).push(i);
      const b = x & ((1 << REFUTATION_BITS) - 1);
      bits[b >>> 5]! |= 1 << (b & 31);
    }
    return { id: r.id, orgId: r.org_id, size: set.length };
  });
  s.refutationIndex = index;
  s.refutationBits = bits;
  s.refutationsVersion = version;
  return s;
}

export function invalidateRefutations(kernel: Kernel) {
  stateOf(kernel).refutationsCheckedAt = 0;
}

/**
 * A matcher for this batch: the refutation (of these orgs) whose claim the post repeats best — the
 * largest share of the claim's shingles in the post's set, at least CLAIM_COVERAGE; among equals the
 * earliest created (then the lowest id) — or null. Per post, a filter bit per shingle and a map
 * lookup for those that pass: about 3 µs with 100 claims, where re-normalising the text and building
 * its bigrams as strings took about 30 on the event loop (bench/.work, same posts).
 */
export async function refutationMatcher(kernel: Kernel, orgIds: ReadonlySet<string>) {
  const s = await refreshRefutations(kernel, false);
  const { refutations, refutationIndex: index, refutationBits: bits } = s;
  const hits = new Int32Array(refutations.length);
  const touched: number[] = [];
  const mask = (1 << REFUTATION_BITS) - 1;
  return (set: Int32Array): string | null => {
    if (!refutations.length) return null;
    for (let k = 0; k < set.length; k++) {
      const b = set[k]! & mask;
      if ((bits[b >>> 5]! & (1 << (b & 31))) === 0) continue;
      const list = index.get(set[k]!);
      if (list) for (const i of list) if (hits[i]!++ === 0) touched.push(i);
    }
    let best = -1;
    let bestScore = 0;
    for (const i of touched) {
      const r = refutations[i]!;
      const score = r.size < 2 ? 0 : hits[i]! / r.size;
      if (score >= CLAIM_COVERAGE && orgIds.has(r.orgId) && (score > bestScore || (score === bestScore && i < best))) {
        best = i;
        bestScore = score;
      }
      hits[i] = 0;
    }
    touched.length = 0;
    return best < 0 ? null : refutations[best]!.id;
  };
}

// ---- author key --------------------------------------------------------------------------------

/** The key of the author hashes (opinion.analysis.ts authorHash): the configured one, or one kept in the data directory. */
function authorKeyOf(kernel: Kernel): Buffer {
  const s = stateOf(kernel);
  return (s.authorKey ??= loadAuthorKey(kernel));
}

function loadAuthorKey(kernel: Kernel): Buffer {
  if (kernel.config.authorKey) return Buffer.from(kernel.config.authorKey, 'utf8');
  const dir = path.join(kernel.config.dataDir, 'keys');
  const file = path.join(dir, 'author.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  } catch {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = crypto.randomBytes(32);
    try {
      fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      return key;
    } catch {
      return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'); // another process won the race
    }
  }
}
