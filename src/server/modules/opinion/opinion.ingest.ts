// Ingest: posts from connectors (push API), feeds and uploads go through one path. Each batch is
// analysed (normalise, segment, keyword groups, classify, SimHash) outside the transaction, then
// assigned to near-duplicate clusters and stored in one transaction: all of the batch or none.
// (source, externalId) is unique per org, so a retried batch answers "duplicate" and counts nothing twice.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { newId, timeOrderedId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { Phases } from '../../kernel/phases.ts';
import type { DbOrTrx, Trx } from '../../db/index.ts';
import type { OpinionClustersTable, OpinionPostsTable } from '../../db/types.ts';
import { normalizePost } from '../../../text/normalize.ts';
import { DEDUP, sameClaimBySizes, signedShingleSet } from '../../../text/simhash.ts';
import { encodeSketch, type PostAnalysis } from './opinion.analysis.ts';
import type { Category, IngestResult, PostInput } from './opinion.schema.ts';
import { CandidateIndex, URL_WEIGHT } from './opinion.candidates.ts';
import {
  analysisPool,
  cachedRep,
  cacheRep,
  classifierRef,
  checkClusterMoves,
  ingestRules,
  redirectCachedReps,
  refutationMatcher,
  serialised,
  syncedIndex,
  type RepInfo,
} from './opinion.state.ts';
import {
  clusterMoves,
  clusterRows,
  existingPosts,
  findSources,
  insertSource,
  lockOrgForIngest,
  repRows,
  writeIngest,
  type ClusterBump,
  type NewRep,
} from './opinion.queries.ts';

/** A cluster keeps up to this many representatives (its first post and variants that joined by
 * similarity, not exact repeats), so that later variants still find it while storage stays bounded. */
export const MAX_REPS = 12;
/** At most this many candidates are verified per post, most shared keys first, then most recent. */
const MAX_VERIFY = 32;
/** Posts published further ahead than this are refused (clock skew allowance). */
const FUTURE_SLACK_MS = 10 * 60_000;

export type SourceKind = 'push' | 'rss' | 'upload';

interface Prepared {
  index: number;
  input: PostInput;
  a: PostAnalysis;
  relevant: boolean;
  relevanceScore: number;
  category: Category;
}

/** Hour bucket of a time, in UTC ("2026-02-03T04"). */
export const hourOf = (isoTime: string) => new Date(isoTime).toISOString().slice(0, 13);

/** Bad input is refused before anything is stored: duplicate keys inside the batch, future times. */
export function validateBatch(posts: PostInput[], now: Date) {
  const details: Array<{ index: number; path: string; message: string }> = [];
  const seen = new Map<string, number>();
  posts.forEach((p, i) => {
    const k = `${p.source}\u0000${p.externalId}`;
    const first = seen.get(k);
    if (first !== undefined) details.push({ index: i, path: `posts.${i}.externalId`, message: `与第 ${first + 1} 条的来源和编号重复` });
    else seen.set(k, i);
    if (Date.parse(p.publishedAt) > now.getTime() + FUTURE_SLACK_MS) details.push({ index: i, path: `posts.${i}.publishedAt`, message: '发布时间晚于当前时间' });
  });
  if (details.length) throw new AppError('invalid_input', `有 ${details.length} 条数据无效，本批未保存`, details.slice(0, 200));
}

export async function ingestPosts(kernel: Kernel, actor: Actor | null, posts: PostInput[], phases?: Phases): Promise<IngestResult[]> {
  const a = await kernel.authz.require(actor, 'opinion.ingest');
  return ingestFor(kernel, { orgId: a.orgId, actor: a }, posts, 'push', phases);
}

/**
 * The ingest itself, for an org; feeds call it with the source's org and no actor. `phases` gets the
 * wall time of each step (the route's Server-Timing header): check, analyse (on the workers, with
 * classification), queue (waiting for earlier batches of this process), assign (cluster decisions),
 * write, commit.
 */
export async function ingestFor(
  kernel: Kernel,
  who: { orgId: string; actor: Actor | null },
  posts: PostInput[],
  kind: SourceKind,
  phases?: Phases,
): Promise<IngestResult[]> {
  const orgId = who.orgId;
  const now = kernel.clock();
  const nowIso = iso(now);

  validateBatch(posts, now);

  const sourceNames = [...new Set(posts.map((p) => p.source))];
  const sources = await findSources(kernel.db, orgId, sourceNames);
  const paused = sources.filter((s) => s.paused === 1).map((s) => s.name);
  if (paused.length) throw new AppError('conflict', `来源已暂停接收：${paused.join('、')}`);

  phases?.mark('check');
  // CPU work outside the transaction and outside the lock (the text analysis on worker threads).
  // The classifier goes with the batch: the workers classify as they analyse.
  const [rules, model] = await Promise.all([ingestRules(kernel), classifierRef(kernel)]);
  const analysed = await analysisPool(kernel).analyseMany(posts, rules, model);
  const prepared: Prepared[] = posts.map((input, index) => {
    const an = analysed[index]!;
    const c = an.classified ?? model.clf.classify(an);
    return {
      index,
      input,
      a: an,
      relevant: c.relevant,
      relevanceScore: Math.round(c.relevanceScore * 1000) / 1000,
      category: c.relevant ? c.category : 'other',
    };
  });
  const ancestors = new Set(
    (await kernel.db.selectFrom('org_closure').select('ancestor_id').where('descendant_id', '=', orgId).execute()).map((r) => r.ancestor_id),
  );
  const matchRefutation = await refutationMatcher(kernel, ancestors);

  phases?.mark('analyse');
  return serialised(kernel, async () => {
    phases?.mark('queue');
    // Catch up with stored representatives before taking the write lock (the first time, all of them).
    const index = await syncedIndex(kernel, kernel.db, orgId);
    let added: Array<{ id: number; hashes: ArrayLike<number>; hist: Uint8Array; info: RepInfo }> = [];
    const out = await kernel.db.transaction().execute(async (trx) => {
      await lockOrgForIngest(trx, kernel.engine, orgId);
      // Sources named for the first time are registered (connectors name themselves).
      const known = new Map((await findSources(trx, orgId, sourceNames)).map((s) => [s.name, s]));
      for (const name of sourceNames) {
        if (known.has(name)) continue;
        await insertSource(trx, { id: newId(), org_id: orgId, name, kind, url: null, paused: 0, poll_minutes: 10, failures: 0, posts: 0, created_at: nowIso, updated_at: nowIso });
      }
      for (const s of await findSources(trx, orgId, sourceNames)) known.set(s.name, s);

      const existing = new Map(
        (await existingPosts(trx, orgId, posts.map((p) => ({ source: p.source, externalId: p.externalId })))).map((r) => [`${r.source}\u0000${r.external_id}`, r]),
      );
      const fresh = prepared.filter((p) => !existing.has(`${p.input.source}\u0000${p.input.externalId}`));
      const results: IngestResult[] = new Array(posts.length);
      for (const p of prepared) {
        const e = existing.get(`${p.input.source}\u0000${p.input.externalId}`);
        if (e)
          results[p.index] = {
            externalId: p.input.externalId,
            id: e.id,
            status: 'duplicate',
            relevant: e.relevant === 1,
            category: e.category as Category,
            clusterId: e.cluster_id,
            refutationId: e.refutation_id,
          };
      }
      if (fresh.length) added = await storeFresh(kernel, trx, orgId, fresh, results, matchRefutation, nowIso, known, phases);
      await kernel.audit.record(
        {
          actor: who.actor,
          action: 'opinion.ingest',
          target: orgId,
          detail: { kind, sources: sourceNames.slice(0, 10), created: fresh.length, duplicates: posts.length - fresh.length },
        },
        trx,
      );
      return results;
    });
    phases?.mark('commit');
    // Committed: the new representatives join the index and the cache (had it failed, the next
    // ingest's catch-up would read whatever was stored).
    for (const r of added) {
      index.add(r.id, r.hashes, r.info.set.length, r.hist);
      cacheRep(kernel, r.id, r.info);
    }
    return out;
  });
}

/** Candidates from one index, best first (CandidateIndex.lookup), with the representatives' data. */
interface Ranked {
  ids: number[];
  shared: number[];
  info: (id: number) => RepInfo | undefined;
  /** False where the histograms show the candidate cannot pass (its set need not be read). */
  possible?: boolean[];
}

/**
 * The representative a post joins, as ClusterIndex (src/text/simhash.ts) decides it: a post with the
 * same text hash joins at once (verified, as a 32-bit hash can collide); otherwise the candidates
 * sharing most keys (then the most recent) are verified with the shingle sets, at most MAX_VERIFY of
 * them, and the first that passes wins. A URL key counts as a match. The candidates come from the
 * store and from the batch, each list already ranked: they are merged, not sorted. Null: the post
 * starts a cluster.
 */
export function chooseCluster(mine: Int32Array, twins: Array<RepInfo | undefined>, stored: Ranked, batch: Ranked): RepInfo | null {
  for (const t of twins) if (t && sameClaim(mine, t.set)) return t;
  let i = 0;
  let j = 0;
  for (let verified = 0; verified < MAX_VERIFY && (i < stored.ids.length || j < batch.ids.length); ) {
    // The batch's posts rank above stored representatives among equal counts (they are more recent).
    const fromBatch = j < batch.ids.length && (i >= stored.ids.length || batch.shared[j]! >= stored.shared[i]!);
    const list = fromBatch ? batch : stored;
    const at = fromBatch ? j++ : i++;
    const shared = list.shared[at]!;
    if (list.possible?.[at] === false) {
      verified++; // checked, by its histogram: not the same claim
      continue;
    }
    const info = list.info(list.ids[at]!);
    if (!info) continue; // a stored id without its row (not expected: ids come from committed rows)
    verified++;
    if (shared >= URL_WEIGHT || sameClaim(mine, info.set)) return info;
  }
  return null;
}

/**
 * Fewer shared shingles than this and two sets of these sizes cannot pass the near-duplicate test:
 * Jaccard ≥ J needs inter ≥ J·(|a|+|b|)/(1+J); containment needs inter ≥ C·|smaller|, and counts only
 * when the sizes are close enough. One below the floor: the exact test decides; this must never
 * refuse a pair the test would pass.
 */
export function minShared(al: number, bl: number): number {
  const small = Math.min(al, bl);
  const large = Math.max(al, bl);
  const forJaccard = (DEDUP.jaccard * (al + bl)) / (1 + DEDUP.jaccard);
  return Math.floor(Math.min(forJaccard, large > 0 && small / large >= DEDUP.sizeRatio ? DEDUP.containment * small : forJaccard)) - 1;
}

/**
 * nearDuplicate's decision (src/text/simhash.ts, sameClaimBySizes) on precomputed shingle sets (signed
 * order, see asSignedSet). Most candidates share a band by chance and few shingles, and a post is checked against
 * up to MAX_VERIFY of them: the merge is branch-free (a data-dependent branch per step is mispredicted
 * half the time), and it stops once what is left of it cannot reach the bar.
 */
export function sameClaim(a: Int32Array, b: Int32Array): boolean {
  const al = a.length;
  const bl = b.length;
  if (al === 0 || bl === 0) return sameClaimBySizes(0, al, bl);
  const need = minShared(al, bl);
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < al && j < bl) {
    if ((i & 15) === 0 && inter + Math.min(al - i, bl - j) < need) return false;
    const x = a[i]!;
    const y = b[j]!;
    const le = +(x <= y);
    const ge = +(x >= y);
    inter += le & ge;
    i += le;
    j += ge;
  }
  return sameClaimBySizes(inter, al, bl);
}

/**
 * A post's candidates among the stored representatives, best first, with those its histogram rules
 * out marked (`possible`: their sets need not be read).
 */
export function storedCandidates(index: CandidateIndex, a: Pick<PostAnalysis, 'hashed' | 'set' | 'hist'>) {
  return index.lookupChecked(a.hashed, MAX_VERIFY, a.hist, (size) => minShared(a.set.length, size), a.set.length);
}

/** Where a post goes: its cluster, whether the post starts it, and whether it repeats a post exactly. */
export interface Assignment {
  clusterId: string;
  starts: boolean;
  exact: boolean;
}

/**
 * Cluster decisions for a batch, in order: each post against the org's stored representatives (the
 * candidate index, synced) and against the posts before it in the batch. Reads only the
 * representatives to verify that are not cached. A post that starts a cluster gets a new id.
 */
export async function assignClusters(
  kernel: Kernel,
  db: DbOrTrx,
  index: CandidateIndex,
  posts: ReadonlyArray<{ a: Pick<PostAnalysis, 'hashed' | 'set' | 'hist'> }>,
): Promise<Assignment[]> {
  const infos = new Map<number, RepInfo>();
  /** The representatives of `ids` not yet read: from the cache, else from the database, in one query. */
  const read = async (ids: Iterable<number>) => {
    const missing = new Set<number>();
    for (const id of ids) {
      if (infos.has(id) || missing.has(id)) continue;
      const r = cachedRep(kernel, id);
      if (r) infos.set(id, r);
      else missing.add(id);
    }
    if (!missing.size) return;
    for (const [id, r] of await repRows(db, [...missing])) {
      const info = { clusterId: r.cluster_id, set: signedShingleSet(r.norm_text || normalizePost(r.post_text ?? '')) };
      infos.set(id, info);
      cacheRep(kernel, id, info);
    }
  };
  // A post that repeats a stored text joins its twin and needs nothing else (ClusterIndex decides it
  // the same way): its bands are not looked up. Then the others' candidates; those whose histograms
  // rule them out are decided without reading their sets.
  const twinIds = posts.map((p) => index.twinOf(p.a.hashed));
  await read(twinIds.filter((id) => id >= 0));
  const repeats = posts.map((p, k) => {
    const t = twinIds[k]! >= 0 ? infos.get(twinIds[k]!) : undefined;
    return t && sameClaim(p.a.set, t.set) ? t : undefined;
  });
  const found = posts.map((p, k) => (repeats[k] ? undefined : storedCandidates(index, p.a)));
  await read(found.flatMap((f) => (f ? f.ids.filter((_, i) => f.possible[i]) : [])));
  // Posts earlier in the batch are candidates too: every one that was not an exact repeat (the
  // caller may keep fewer as representatives; a post that matched one is still in its cluster).
  const local = new CandidateIndex(12, 1 << 10, false); // ids: positions in localInfo
  const localInfo: RepInfo[] = [];
  const storedInfo = (id: number) => infos.get(id);
  const batchInfo = (id: number) => localInfo[id];
  return posts.map((p, k) => {
    const repeat = repeats[k];
    if (repeat) return { clusterId: repeat.clusterId, starts: false, exact: true };
    const f = found[k]!;
    const near = local.lookup(p.a.hashed, MAX_VERIFY);
    // The stored twin, if any, failed its check above (a hash collision): only the batch's is left.
    const twin = near.twin >= 0 ? localInfo[near.twin] : undefined;
    const rep = chooseCluster(p.a.set, [twin], { ...f, info: storedInfo }, { ...near, info: batchInfo });
    if (rep && rep === twin) return { clusterId: rep.clusterId, starts: false, exact: true };
    const clusterId = rep?.clusterId ?? timeOrderedId();
    local.add(localInfo.length, p.a.hashed.hashes, p.a.set.length, p.a.hist);
    localInfo.push({ clusterId, set: p.a.set });
    return { clusterId, starts: rep === null, exact: false };
  });
}

/** Series names of the hourly counts ("cat:rumor"), each built once (a batch counts each post in three or more). */
function seriesNamer(prefix: string): (name: string) => string {
  const names = new Map<string, string>();
  return (name) => {
    let s = names.get(name);
    if (s === undefined) names.set(name, (s = prefix + name));
    return s;
  };
}
const categorySeries = seriesNamer('cat:');
const groupSeries = seriesNamer('grp:');

class SeriesCounts extends Map<string, number> {
  add(series: string) {
    this.set(series, (this.get(series) ?? 0) + 1);
  }
}

/** A batch's hourly counts, by hour then series (a batch spans few hours): "series|hour" keys at the end. */
class HourlyTally {
  private byHour = new Map<string, SeriesCounts>();
  at(hour: string): SeriesCounts {
    let c = this.byHour.get(hour);
    if (!c) this.byHour.set(hour, (c = new SeriesCounts()));
    return c;
  }
  toMap(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [hour, counts] of this.byHour) for (const [series, n] of counts) out.set(`${series}|${hour}`, n);
    return out;
  }
}

async function storeFresh(
  kernel: Kernel,
  trx: Trx,
  orgId: string,
  fresh: Prepared[],
  results: IngestResult[],
  matchRefutation: (set: Int32Array) => string | null,
  nowIso: string,
  sources: Map<string, { id: string }>,
  phases: Phases | undefined,
): Promise<Array<{ id: number; hashes: ArrayLike<number>; hist: Uint8Array; info: RepInfo }>> {
  const index = await syncedIndex(kernel, trx, orgId);
  checkClusterMoves(kernel, orgId, await clusterMoves(trx, orgId));
  const assigned = await assignClusters(kernel, trx, index, fresh);
  phases?.mark('assign');
  const existing = new Map<string, OpinionClustersTable>(
    (await clusterRows(trx, assigned.filter((a) => !a.starts).map((a) => a.clusterId))).map((c) => [c.id, c]),
  );
  // A representative cached before its cluster was merged (on another instance, or just now) leads to
  // the merged cluster's row: its posts go where the analyst merged it (a mark is one step from a live
  // cluster), and the cache learns it.
  const merged = new Map<string, string>();
  for (const c of existing.values()) if (c.merged_into) merged.set(c.id, c.merged_into);
  if (merged.size) {
    for (const c of await clusterRows(trx, [...new Set(merged.values())].filter((id) => !existing.has(id)))) existing.set(c.id, c);
    for (const a of assigned) a.clusterId = merged.get(a.clusterId) ?? a.clusterId;
    redirectCachedReps(kernel, merged);
  }

  const newClusters = new Map<string, OpinionClustersTable>();
  const bumps = new Map<string, ClusterBump>();
  const reps: NewRep[] = [];
  const repMemory: Array<{ hashes: ArrayLike<number>; hist: Uint8Array; info: RepInfo }> = [];
  const posts: OpinionPostsTable[] = [];
  const hourly = new HourlyTally();
  const perSource = new Map<string, number>();
  const perRefutation = new Map<string, number>();

  fresh.forEach((p, k) => {
    const { clusterId, starts, exact } = assigned[k]!;
    const id = timeOrderedId();
    const publishedAt = new Date(p.input.publishedAt).toISOString();
    let refutationId: string | null;
    let keep: boolean;
    if (starts) {
      refutationId = matchRefutation(p.a.set);
      newClusters.set(clusterId, {
        id: clusterId,
        org_id: orgId,
        size: 1,
        category: p.category,
        relevant: p.relevant ? 1 : 0,
        sample_post_id: id,
        sample_text: '', // the sample post's text (withSamples)
        first_seen: publishedAt,
        last_seen: publishedAt,
        refutation_id: refutationId,
        reps: 1,
        created_at: nowIso,
        updated_at: nowIso,
        merged_into: null,
        merged_at: null,
        merged_by: null,
      });
      keep = true;
    } else {
      const c = newClusters.get(clusterId) ?? existing.get(clusterId)!;
      refutationId = c.refutation_id ?? matchRefutation(p.a.set);
      if (refutationId && !c.refutation_id) c.refutation_id = refutationId;
      keep = !exact && c.reps < MAX_REPS;
      if (keep) c.reps += 1;
      if (newClusters.has(clusterId)) {
        c.size += 1;
        if (publishedAt > c.last_seen) c.last_seen = publishedAt;
        if (publishedAt < c.first_seen) c.first_seen = publishedAt;
      } else {
        const b = bumps.get(clusterId) ?? { id: clusterId, size: 0, reps: 0, firstSeen: publishedAt, lastSeen: publishedAt, refutationId: null };
        b.size += 1;
        if (keep) b.reps += 1;
        if (publishedAt > b.lastSeen) b.lastSeen = publishedAt;
        if (publishedAt < b.firstSeen) b.firstSeen = publishedAt;
        if (refutationId && !b.refutationId) b.refutationId = refutationId;
        bumps.set(clusterId, b);
      }
    }
    if (keep) {
      reps.push({
        org_id: orgId,
        cluster_id: clusterId,
        simhash: p.a.simhash,
        norm_text: '',
        post_id: id,
        sketch: encodeSketch(p.a.hashed.hashes, p.a.set.length, p.a.hist),
      });
      repMemory.push({ hashes: p.a.hashed.hashes, hist: p.a.hist, info: { clusterId, set: p.a.set } });
    }

    posts.push({
      id,
      org_id: orgId,
      source: p.input.source,
      external_id: p.input.externalId,
      text: p.input.text,
      url: p.input.url ?? null,
      author_hash: p.a.authorHash,
      published_at: publishedAt,
      ingested_at: nowIso,
      relevant: p.relevant ? 1 : 0,
      relevance_score: p.relevanceScore,
      category: p.category,
      groups: JSON.stringify(p.a.groups),
      cluster_id: clusterId,
      refutation_id: refutationId,
      label_relevant: null,
      label_category: null,
      labelled_by: null,
      labelled_at: null,
    });
    results[p.index] = { externalId: p.input.externalId, id, status: 'created', relevant: p.relevant, category: p.category, clusterId, refutationId };

    const counts = hourly.at(publishedAt.slice(0, 13)); // publishedAt is an ISO time in UTC: its hour
    counts.add('all');
    if (p.relevant) {
      counts.add('relevant');
      counts.add(categorySeries(p.category));
    }
    for (const g of p.a.groups) counts.add(groupSeries(g));
    perSource.set(p.input.source, (perSource.get(p.input.source) ?? 0) + 1);
    if (refutationId) perRefutation.set(refutationId, (perRefutation.get(refutationId) ?? 0) + 1);
  });

  const repIds = await writeIngest(trx, kernel.engine, kernel.database.sqlite, {
    orgId,
    now: nowIso,
    clusters: [...newClusters.values()],
    posts,
    reps,
    bumps: [...bumps.values()],
    hourly: hourly.toMap(),
    sources: new Map([...perSource].map(([name, n]) => [sources.get(name)!.id, n])),
    refutations: perRefutation,
  });
  phases?.mark('write');
  return repIds.map((id, i) => ({ id, ...repMemory[i]! }));
}
