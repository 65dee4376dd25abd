// SQL of the opinion module: rows in, rows out, no rules. Functions take (db | trx) first.
import { sql } from 'kysely';
import type { DbOrTrx, Engine } from '../../db/index.ts';
import type { OpinionClustersTable, OpinionPostsTable } from '../../db/types.ts';

const CHUNK = 500;
function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- ingest -------------------------------------------------------------------------------------

export async function findSources(db: DbOrTrx, orgId: string, names: string[]) {
  if (!names.length) return [];
  return db.selectFrom('opinion_sources').selectAll().where('org_id', '=', orgId).where('name', 'in', names).execute();
}

export const insertSource = (db: DbOrTrx, row: Parameters<ReturnType<DbOrTrx['insertInto']>['values']>[0] & object) =>
  db.insertInto('opinion_sources').values(row as never).onConflict((oc) => oc.columns(['org_id', 'name']).doNothing()).execute();

/** Posts already stored under these (source, externalId) pairs. */
export async function existingPosts(db: DbOrTrx, orgId: string, keys: Array<{ source: string; externalId: string }>) {
  const out: Array<Pick<OpinionPostsTable, 'id' | 'source' | 'external_id' | 'relevant' | 'category' | 'cluster_id' | 'refutation_id'>> = [];
  const bySource = new Map<string, string[]>();
  for (const k of keys) (bySource.get(k.source) ?? bySource.set(k.source, []).get(k.source)!).push(k.externalId);
  for (const [source, ids] of bySource) {
    for (const part of chunks(ids)) {
      out.push(
        ...(await db
          .selectFrom('opinion_posts')
          .select(['id', 'source', 'external_id', 'relevant', 'category', 'cluster_id', 'refutation_id'])
          .where('org_id', '=', orgId)
          .where('source', '=', source)
          .where('external_id', 'in', part)
          .execute()),
      );
    }
  }
  return out;
}

export interface RepCandidate {
  rep_id: number;
  cluster_id: string;
  simhash: string;
  norm_text: string;
  key: string;
}

/** 52-bit hash of (org, key text): two 32-bit FNV-1a variants; collisions only add a candidate to verify. */
export function keyNumber(orgId: string, key: string): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  const s = `${orgId}|${key}`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 13);
  }
  return (h1 >>> 12) * 2 ** 32 + (h2 >>> 0);
}

/**
 * For each key, the representatives that share it, the most recent first and at most `perKey` of
 * them (as ClusterIndex's maxPerKey): a key common to many posts cannot make a lookup slower as the
 * store grows. One statement per chunk of keys; the limit is applied per key inside the database.
 */
export async function keyPairs(db: DbOrTrx, engine: Engine, orgId: string, keys: string[], perKey: number): Promise<Map<string, number[]>> {
  const byNumber = new Map<number, string>();
  for (const k of keys) byNumber.set(keyNumber(orgId, k), k);
  const out = new Map<string, number[]>();
  for (const part of chunks([...byNumber.keys()], 1000)) {
    if (engine === 'postgres') {
      const { rows } = await sql<{ key: number; rep_id: number }>`
        SELECT k.key, r.rep_id FROM unnest(${part}::bigint[]) AS k(key)
        CROSS JOIN LATERAL (SELECT rep_id FROM opinion_cluster_keys WHERE key = k.key ORDER BY rep_id DESC LIMIT ${perKey}) r`.execute(db);
      for (const r of rows) {
        const k = byNumber.get(Number(r.key))!;
        (out.get(k) ?? out.set(k, []).get(k)!).push(Number(r.rep_id));
      }
    } else {
      const { rows } = await sql<{ key: number; reps: string | null }>`
        SELECT j.value AS key,
               (SELECT group_concat(rep_id) FROM (SELECT rep_id FROM opinion_cluster_keys WHERE key = j.value ORDER BY rep_id DESC LIMIT ${perKey})) AS reps
        FROM json_each(${JSON.stringify(part)}) AS j`.execute(db);
      for (const r of rows) if (r.reps) out.set(byNumber.get(Number(r.key))!, r.reps.split(',').map(Number));
    }
  }
  return out;
}

/** Representatives' rows by id. */
export async function repRows(db: DbOrTrx, ids: number[]): Promise<Map<number, { cluster_id: string; simhash: string; norm_text: string }>> {
  const reps = new Map<number, { cluster_id: string; simhash: string; norm_text: string }>();
  for (const part of chunks(ids)) {
    for (const r of await db.selectFrom('opinion_cluster_reps').select(['id', 'cluster_id', 'simhash', 'norm_text']).where('id', 'in', part).execute()) reps.set(Number(r.id), r);
  }
  return reps;
}

export async function clusterRows(db: DbOrTrx, ids: string[]) {
  const out: OpinionClustersTable[] = [];
  for (const part of chunks([...new Set(ids)])) out.push(...(await db.selectFrom('opinion_clusters').selectAll().where('id', 'in', part).execute()));
  return out;
}

export async function insertMany<T extends keyof import('../../db/types.ts').DB>(db: DbOrTrx, table: T, rows: any[], size = 200) {
  for (const part of chunks(rows, size)) await db.insertInto(table).values(part as never).execute();
}

export async function insertReps(db: DbOrTrx, rows: Array<{ cluster_id: string; simhash: string; norm_text: string }>): Promise<number[]> {
  const ids: number[] = [];
  for (const part of chunks(rows, 200)) {
    const res = await db.insertInto('opinion_cluster_reps').values(part).returning('id').execute();
    ids.push(...res.map((r) => Number(r.id)));
  }
  return ids;
}

export async function bumpCluster(db: DbOrTrx, id: string, by: { size: number; reps: number; lastSeen: string; refutationId: string | null; now: string }) {
  await db
    .updateTable('opinion_clusters')
    .set((eb) => ({
      size: eb('size', '+', by.size),
      reps: eb('reps', '+', by.reps),
      last_seen: sql<string>`CASE WHEN last_seen < ${by.lastSeen} THEN ${by.lastSeen} ELSE last_seen END`,
      first_seen: sql<string>`CASE WHEN first_seen > ${by.lastSeen} THEN ${by.lastSeen} ELSE first_seen END`,
      refutation_id: by.refutationId !== null ? sql<string>`COALESCE(refutation_id, ${by.refutationId})` : sql<string | null>`refutation_id`,
      updated_at: by.now,
    }))
    .where('id', '=', id)
    .execute();
}

export async function addHourly(db: DbOrTrx, orgId: string, counts: Map<string, number>) {
  const rows = [...counts].map(([k, count]) => {
    const i = k.indexOf('|');
    return { org_id: orgId, series: k.slice(0, i), hour: k.slice(i + 1), count };
  });
  for (const part of chunks(rows, 200)) {
    await db
      .insertInto('opinion_hourly')
      .values(part)
      .onConflict((oc) => oc.columns(['org_id', 'series', 'hour']).doUpdateSet((eb) => ({ count: eb('opinion_hourly.count', '+', eb.ref('excluded.count')) })))
      .execute();
  }
}

export const bumpSourcePosts = (db: DbOrTrx, id: string, n: number, now: string) =>
  db.updateTable('opinion_sources').set((eb) => ({ posts: eb('posts', '+', n), updated_at: now })).where('id', '=', id).execute();

export const bumpRefutationPosts = (db: DbOrTrx, id: string, n: number) =>
  db.updateTable('opinion_refutations').set((eb) => ({ posts: eb('posts', '+', n) })).where('id', '=', id).execute();

/** Serialise cluster assignment per org across instances (PostgreSQL); SQLite has one writer anyway. */
export async function lockOrgForIngest(db: DbOrTrx, engine: Engine, orgId: string) {
  if (engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(hashtext(${'opinion:' + orgId}))`.execute(db);
}

// ---- reading ------------------------------------------------------------------------------------

export const findPost = (db: DbOrTrx, id: string) =>
  db
    .selectFrom('opinion_posts as p')
    .leftJoin('opinion_clusters as k', 'k.id', 'p.cluster_id')
    .selectAll('p')
    .select('k.size as cluster_size')
    .where('p.id', '=', id)
    .executeTakeFirst();
export const findCluster = (db: DbOrTrx, id: string) => db.selectFrom('opinion_clusters').selectAll().where('id', '=', id).executeTakeFirst();

export function listPosts(
  db: DbOrTrx,
  f: {
    rootOrgId: string;
    from?: string;
    to?: string;
    category?: string;
    relevant?: boolean;
    clusterId?: string;
    refutationId?: string;
    group?: string;
    source?: string;
    q?: string;
    labelled?: boolean;
    before?: { publishedAt: string; id: string };
    limit: number;
  },
) {
  let q = db
    .selectFrom('opinion_posts as p')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'p.org_id').on('c.ancestor_id', '=', f.rootOrgId))
    .leftJoin('opinion_clusters as k', 'k.id', 'p.cluster_id')
    .selectAll('p')
    .select('k.size as cluster_size');
  if (f.from) q = q.where('p.published_at', '>=', f.from);
  if (f.to) q = q.where('p.published_at', '<', f.to);
  if (f.category) q = q.where('p.category', '=', f.category);
  if (f.relevant !== undefined) q = q.where('p.relevant', '=', f.relevant ? 1 : 0);
  if (f.clusterId) q = q.where('p.cluster_id', '=', f.clusterId);
  if (f.refutationId) q = q.where('p.refutation_id', '=', f.refutationId);
  if (f.group) q = q.where('p.groups', 'like', `%"${f.group.replace(/[%_"\\]/g, '')}"%`);
  if (f.source) q = q.where('p.source', '=', f.source);
  if (f.q) q = q.where('p.text', 'like', `%${f.q.replace(/[%_\\]/g, '')}%`);
  if (f.labelled !== undefined) q = q.where('p.labelled_at', f.labelled ? 'is not' : 'is', null);
  if (f.before) q = q.where((eb) => eb.or([eb('p.published_at', '<', f.before!.publishedAt), eb.and([eb('p.published_at', '=', f.before!.publishedAt), eb('p.id', '<', f.before!.id)])]));
  return q.orderBy('p.published_at', 'desc').orderBy('p.id', 'desc').limit(f.limit).execute();
}

export function listClusters(db: DbOrTrx, f: { rootOrgId: string; from?: string; to?: string; minSize: number; category?: string; relevant?: boolean; limit: number }) {
  let q = db
    .selectFrom('opinion_clusters as k')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'k.org_id').on('c.ancestor_id', '=', f.rootOrgId))
    .selectAll('k')
    .where('k.size', '>=', f.minSize);
  if (f.from) q = q.where('k.last_seen', '>=', f.from);
  if (f.to) q = q.where('k.first_seen', '<', f.to);
  if (f.category) q = q.where('k.category', '=', f.category);
  if (f.relevant !== undefined) q = q.where('k.relevant', '=', f.relevant ? 1 : 0);
  return q.orderBy('k.size', 'desc').orderBy('k.last_seen', 'desc').limit(f.limit).execute();
}

/** Distinct keyed author hashes per cluster (how many accounts spread it; never who). */
export async function spreadersOf(db: DbOrTrx, clusterIds: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunks(clusterIds)) {
    const { rows } = await sql<{ cluster_id: string; n: number }>`SELECT cluster_id, COUNT(DISTINCT author_hash) AS n FROM opinion_posts WHERE cluster_id IN (${sql.join(part)}) GROUP BY cluster_id`.execute(db);
    for (const r of rows) out.set(r.cluster_id, Number(r.n));
  }
  return out;
}

export async function openCasesByCluster(db: DbOrTrx, clusterIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const part of chunks(clusterIds)) {
    const rows = await db.selectFrom('opinion_cases').select(['id', 'cluster_id']).where('cluster_id', 'in', part).orderBy('created_at', 'desc').execute();
    for (const r of rows) if (r.cluster_id && !out.has(r.cluster_id)) out.set(r.cluster_id, r.id);
  }
  return out;
}
