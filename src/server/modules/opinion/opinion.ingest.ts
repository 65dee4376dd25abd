// Ingest: posts from connectors (push API), feeds and uploads go through one path. Each batch is
// analysed (normalise, segment, keyword groups, classify, SimHash) outside the transaction, then
// assigned to near-duplicate clusters and stored in one transaction: all of the batch or none.
// (source, externalId) is unique per org, so a retried batch answers "duplicate" and counts nothing twice.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { DbOrTrx, Engine, Trx } from '../../db/index.ts';
import type { OpinionClustersTable, OpinionPostsTable } from '../../db/types.ts';
import { analyse, type Analysed } from '../../../text/pipeline.ts';
import { DEDUP, shingleSet } from '../../../text/simhash.ts';
import type { Category, IngestResult, PostInput } from './opinion.schema.ts';
import { CandidateIndex, hashKeys, URL_WEIGHT, type HashedKeys } from './opinion.candidates.ts';
import {
  authorHasher,
  cachedRep,
  cacheRep,
  classifier,
  keywordGroups,
  refutationMatcher,
  serialised,
  syncedIndex,
  type RepInfo,
} from './opinion.state.ts';
import {
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
const MAX_REPS = 12;
/** At most this many candidates are verified per post, most shared keys first, then most recent. */
const MAX_VERIFY = 32;
/** Posts published further ahead than this are refused (clock skew allowance). */
const FUTURE_SLACK_MS = 10 * 60_000;

export type SourceKind = 'push' | 'rss' | 'upload';

interface Prepared {
  index: number;
  input: PostInput;
  a: Analysed;
  relevant: boolean;
  relevanceScore: number;
  category: Category;
  groups: string[];
  authorHash: string | null;
  keys: string[];
  hashed: HashedKeys;
  /** Sorted shingle set of the normalised text: verification against candidates, and kept if it becomes a representative. */
  set: Uint32Array;
}

/** Hour bucket of a time, in UTC ("2026-02-03T04"). */
export const hourOf = (isoTime: string) => new Date(isoTime).toISOString().slice(0, 13);

/**
 * Candidate keys stored for a cluster representative and looked up for a new post: the text hash
 * ("t:") and the MinHash bands ("m…:", 32-bit). The SimHash bands are left out: on the corpus they add
 * no recall (pair recall 0.967 on the held-out split with or without them) and their 16-bit buckets
 * fill up as the store grows, which would make lookups slower with every post.
 */
function keysOf(a: Analysed): string[] {
  const keys = a.bandKeys.filter((k) => !k.startsWith('b'));
  // A post that is little more than a link is the link: its URL finds the cluster.
  if (a.normalized.replace(/[^\p{L}\p{N}]/gu, '').length < 20) for (const u of a.urls) keys.push(`u:${u}`);
  return keys;
}

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

export async function ingestPosts(kernel: Kernel, actor: Actor | null, posts: PostInput[], kind: SourceKind = 'push'): Promise<IngestResult[]> {
  const a = await kernel.authz.require(actor, 'opinion.ingest');
  return ingestFor(kernel, { orgId: a.orgId, actor: a }, posts, kind);
}

/** The ingest itself, for an org; feeds call it with the source's org and no actor. */
export async function ingestFor(kernel: Kernel, who: { orgId: string; actor: Actor | null }, posts: PostInput[], kind: SourceKind): Promise<IngestResult[]> {
  const orgId = who.orgId;
  const now = kernel.clock();
  const nowIso = iso(now);

  validateBatch(posts, now);

  const sourceNames = [...new Set(posts.map((p) => p.source))];
  const sources = await findSources(kernel.db, orgId, sourceNames);
  const paused = sources.filter((s) => s.paused === 1).map((s) => s.name);
  if (paused.length) throw new AppError('conflict', `来源已暂停接收：${paused.join('、')}`);

  // CPU work outside the transaction and outside the lock.
  const clf = await classifier(kernel);
  const groups = await keywordGroups(kernel);
  const hashAuthor = authorHasher(kernel);
  const prepared: Prepared[] = posts.map((input, index) => {
    const an = analyse(input.text);
    const c = clf.classify(an);
    const keys = keysOf(an);
    return {
      index,
      input,
      a: an,
      relevant: c.relevant,
      relevanceScore: Math.round(c.relevanceScore * 1000) / 1000,
      category: c.relevant ? c.category : 'other',
      groups: groups.match(an.normalized),
      authorHash: hashAuthor(input.source, input.author),
      keys,
      hashed: hashKeys(keys),
      set: shingleSet(an.normalized),
    };
  });
  const ancestors = new Set(
    (await kernel.db.selectFrom('org_closure').select('ancestor_id').where('descendant_id', '=', orgId).execute()).map((r) => r.ancestor_id),
  );
  const matchRefutation = await refutationMatcher(kernel, ancestors);

  return serialised(kernel, async () => {
    // Catch up with stored representatives before taking the write lock (the first time, all of them).
    const index = await syncedIndex(kernel, kernel.db, orgId);
    let added: Array<{ id: number; hashes: number[]; info: RepInfo }> = [];
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
      if (fresh.length) added = await storeFresh(kernel, trx, orgId, fresh, results, matchRefutation, nowIso, known);
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
    // Committed: the new representatives join the index and the cache (had it failed, the next
    // ingest's catch-up would read whatever was stored).
    for (const r of added) {
      index.add(r.id, r.hashes);
      cacheRep(kernel, r.id, r.info);
    }
    return out;
  });
}

/** A candidate for a post's cluster: a representative and how many keys it shares with the post. */
interface Candidate {
  repId: number;
  shared: number;
  info: RepInfo;
}

/** A representative made earlier in the same batch; ids from 2^52 up rank as the most recent. */
const BATCH_REP_IDS = 2 ** 52;

/**
 * The representative a post joins, as ClusterIndex (src/text/simhash.ts) decides it: a post with the
 * same text hash joins at once (verified, as a 32-bit hash can collide); otherwise the candidates
 * sharing most keys (then the most recent) are verified with the shingle sets, at most MAX_VERIFY of
 * them, and the first that passes wins. A URL key counts as a match. Null: the post starts a cluster.
 */
export function chooseCluster(mine: Uint32Array, twins: Array<RepInfo | undefined>, candidates: Candidate[]): RepInfo | null {
  for (const t of twins) if (t && sameClaim(mine, t.set)) return t;
  candidates.sort((x, y) => y.shared - x.shared || y.repId - x.repId);
  for (let i = 0; i < candidates.length && i < MAX_VERIFY; i++) {
    const c = candidates[i]!;
    if (c.shared >= URL_WEIGHT || sameClaim(mine, c.info.set)) return c.info;
  }
  return null;
}

/** nearDuplicate's decision (src/text/simhash.ts) on precomputed sorted shingle sets. */
function sameClaim(a: Uint32Array, b: Uint32Array): boolean {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  const small = Math.min(a.length, b.length);
  const large = Math.max(a.length, b.length);
  if (large === 0) return true;
  const jaccard = inter / (a.length + b.length - inter);
  return jaccard >= DEDUP.jaccard || (small > 0 && inter / small >= DEDUP.containment && small / large >= DEDUP.sizeRatio);
}

/** What the clustering needs from a post's analysis: its candidate keys. */
export const clusterKeys = (a: Analysed) => keysOf(a);

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
  posts: ReadonlyArray<{ hashed: HashedKeys; set: Uint32Array }>,
): Promise<Assignment[]> {
  const found = posts.map((p) => index.lookup(p.hashed, MAX_VERIFY));
  const infos = new Map<number, RepInfo>();
  const missing = new Set<number>();
  for (const f of found) {
    for (const id of f.twin >= 0 ? [f.twin, ...f.ids] : f.ids) {
      if (infos.has(id) || missing.has(id)) continue;
      const r = cachedRep(kernel, id);
      if (r) infos.set(id, r);
      else missing.add(id);
    }
  }
  for (const [id, r] of await repRows(db, [...missing])) {
    const info = { clusterId: r.cluster_id, set: shingleSet(r.norm_text) };
    infos.set(id, info);
    cacheRep(kernel, id, info);
  }
  // Posts earlier in the batch are candidates too: every one that was not an exact repeat (the
  // caller may keep fewer as representatives; a post that matched one is still in its cluster).
  const local = new CandidateIndex(12, 1 << 12);
  const localInfo: RepInfo[] = [];
  return posts.map((p, k) => {
    const f = found[k]!;
    const near = local.lookup(p.hashed, MAX_VERIFY);
    const candidates: Candidate[] = [];
    f.ids.forEach((id, i) => {
      const info = infos.get(id);
      if (info) candidates.push({ repId: id, shared: f.shared[i]!, info });
    });
    near.ids.forEach((id, i) => candidates.push({ repId: id, shared: near.shared[i]!, info: localInfo[id - BATCH_REP_IDS]! }));
    const twins = [f.twin >= 0 ? infos.get(f.twin) : undefined, near.twin >= 0 ? localInfo[near.twin - BATCH_REP_IDS] : undefined];
    const rep = chooseCluster(p.set, twins, candidates);
    if (rep && (rep === twins[0] || rep === twins[1])) return { clusterId: rep.clusterId, starts: false, exact: true };
    const clusterId = rep?.clusterId ?? newId();
    local.add(BATCH_REP_IDS + localInfo.length, p.hashed.hashes);
    localInfo.push({ clusterId, set: p.set });
    return { clusterId, starts: rep === null, exact: false };
  });
}

async function storeFresh(
  kernel: Kernel,
  trx: Trx,
  orgId: string,
  fresh: Prepared[],
  results: IngestResult[],
  matchRefutation: (text: string) => string | null,
  nowIso: string,
  sources: Map<string, { id: string }>,
): Promise<Array<{ id: number; hashes: number[]; info: RepInfo }>> {
  const index = await syncedIndex(kernel, trx, orgId);
  const assigned = await assignClusters(kernel, trx, index, fresh);
  const existing = new Map<string, OpinionClustersTable>(
    (await clusterRows(trx, assigned.filter((a) => !a.starts).map((a) => a.clusterId))).map((c) => [c.id, c]),
  );

  const newClusters = new Map<string, OpinionClustersTable>();
  const bumps = new Map<string, ClusterBump>();
  const reps: NewRep[] = [];
  const repMemory: Array<{ hashes: number[]; info: RepInfo }> = [];
  const posts: OpinionPostsTable[] = [];
  const hourly = new Map<string, number>();
  const perSource = new Map<string, number>();
  const perRefutation = new Map<string, number>();

  fresh.forEach((p, k) => {
    const { clusterId, starts, exact } = assigned[k]!;
    const id = newId();
    const publishedAt = new Date(p.input.publishedAt).toISOString();
    let refutationId: string | null;
    let keep: boolean;
    if (starts) {
      refutationId = matchRefutation(p.input.text);
      newClusters.set(clusterId, {
        id: clusterId,
        org_id: orgId,
        size: 1,
        category: p.category,
        relevant: p.relevant ? 1 : 0,
        sample_post_id: id,
        sample_text: p.input.text.slice(0, 500),
        first_seen: publishedAt,
        last_seen: publishedAt,
        refutation_id: refutationId,
        reps: 1,
        created_at: nowIso,
        updated_at: nowIso,
      });
      keep = true;
    } else {
      const c = newClusters.get(clusterId) ?? existing.get(clusterId)!;
      refutationId = c.refutation_id ?? matchRefutation(p.input.text);
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
      reps.push({ org_id: orgId, cluster_id: clusterId, simhash: p.a.simhash, norm_text: p.a.normalized, keys: p.keys.join(' ') });
      repMemory.push({ hashes: p.hashed.hashes, info: { clusterId, set: p.set } });
    }

    posts.push({
      id,
      org_id: orgId,
      source: p.input.source,
      external_id: p.input.externalId,
      text: p.input.text,
      url: p.input.url ?? null,
      author_hash: p.authorHash,
      published_at: publishedAt,
      ingested_at: nowIso,
      relevant: p.relevant ? 1 : 0,
      relevance_score: p.relevanceScore,
      category: p.category,
      groups: JSON.stringify(p.groups),
      cluster_id: clusterId,
      refutation_id: refutationId,
      label_relevant: null,
      label_category: null,
      labelled_by: null,
      labelled_at: null,
    });
    results[p.index] = { externalId: p.input.externalId, id, status: 'created', relevant: p.relevant, category: p.category, clusterId, refutationId };

    const hour = hourOf(publishedAt);
    const inc = (series: string) => hourly.set(`${series}|${hour}`, (hourly.get(`${series}|${hour}`) ?? 0) + 1);
    inc('all');
    if (p.relevant) {
      inc('relevant');
      inc(`cat:${p.category}`);
    }
    for (const g of p.groups) inc(`grp:${g}`);
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
    hourly,
    sources: new Map([...perSource].map(([name, n]) => [sources.get(name)!.id, n])),
    refutations: perRefutation,
  });
  return repIds.map((id, i) => ({ id, ...repMemory[i]! }));
}
