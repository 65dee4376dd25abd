// SQL of the opinion module: rows in, rows out, no rules. Functions take (db | trx) first.
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { DbOrTrx, Engine } from '../../db/index.ts';
import type { OpinionClustersTable, OpinionPostsTable, OpinionRefutationsTable } from '../../db/types.ts';

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

/** Representatives of an org added after `afterId`, in id order (the candidate index's catch-up). */
export function repsSince(db: DbOrTrx, orgId: string, afterId: number, limit: number) {
  return db
    .selectFrom('opinion_cluster_reps')
    .select(['id', 'sketch'])
    .where('org_id', '=', orgId)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Representatives' rows by id, with their text: the stored normalised text of rows from before
 * migration 0011, else their post's text (raw: the caller normalises it).
 */
export async function repRows(db: DbOrTrx, ids: number[]): Promise<Map<number, { cluster_id: string; norm_text: string; post_text: string | null }>> {
  const reps = new Map<number, { cluster_id: string; norm_text: string; post_text: string | null }>();
  for (const part of chunks(ids)) {
    const rows = await db
      .selectFrom('opinion_cluster_reps as r')
      .leftJoin('opinion_posts as p', 'p.id', 'r.post_id')
      .select(['r.id', 'r.cluster_id', 'r.norm_text', 'p.text as post_text'])
      .where('r.id', 'in', part)
      .execute();
    for (const r of rows) reps.set(Number(r.id), r);
  }
  return reps;
}

/** A cluster's sample shown on screens and in reports: this many characters of its first post. */
const SAMPLE_CHARS = 500;

/**
 * Fills in the sample texts of clusters read without them: a cluster stores its sample only on rows
 * from before 2026-11-29 (a copy of the first post's text was a third of the cluster table); later
 * rows store '' and the text is the sample post's (`sample_post_id`), read here in one query. A post's
 * text is never empty (the ingest refuses it), so '' always means "read the post".
 */
export async function withSamples<T extends { sample_text: string; sample_post_id: string }>(db: DbOrTrx, rows: T[]): Promise<T[]> {
  const need = [...new Set(rows.filter((r) => r.sample_text === '').map((r) => r.sample_post_id))];
  if (!need.length) return rows;
  const texts = new Map<string, string>();
  for (const part of chunks(need)) for (const p of await db.selectFrom('opinion_posts').select(['id', 'text']).where('id', 'in', part).execute()) texts.set(p.id, p.text);
  for (const r of rows) if (r.sample_text === '') r.sample_text = (texts.get(r.sample_post_id) ?? '').slice(0, SAMPLE_CHARS);
  return rows;
}

export async function clusterRows(db: DbOrTrx, ids: string[]) {
  const out: OpinionClustersTable[] = [];
  for (const part of chunks([...new Set(ids)])) out.push(...(await db.selectFrom('opinion_clusters').selectAll().where('id', 'in', part).execute()));
  return out;
}

export interface NewRep {
  org_id: string;
  cluster_id: string;
  simhash: string;
  /** '' (the text is the post's: post_id). */
  norm_text: string;
  post_id: string;
  /** Candidate key hashes, shingle set size and histogram (opinion.analysis.ts encodeSketch). */
  sketch: Buffer;
}

export interface ClusterBump {
  id: string;
  size: number;
  reps: number;
  firstSeen: string;
  lastSeen: string;
  refutationId: string | null;
}

/** Everything one ingest batch writes (besides its audit event). */
export interface IngestWrite {
  orgId: string;
  now: string;
  clusters: OpinionClustersTable[];
  posts: OpinionPostsTable[];
  reps: NewRep[];
  bumps: ClusterBump[];
  /** "series|hour" → posts. */
  hourly: Map<string, number>;
  /** Source id → posts. */
  sources: Map<string, number>;
  /** Refutation id → posts. */
  refutations: Map<string, number>;
}

const POST_COLUMNS = [
  'id', 'org_id', 'source', 'external_id', 'text', 'url', 'author_hash', 'published_at', 'ingested_at', 'relevant', 'relevance_score',
  'category', 'groups', 'cluster_id', 'refutation_id', 'label_relevant', 'label_category', 'labelled_by', 'labelled_at',
] as const satisfies ReadonlyArray<keyof OpinionPostsTable>;
const CLUSTER_COLUMNS = [
  'id', 'org_id', 'size', 'category', 'relevant', 'sample_post_id', 'sample_text', 'first_seen', 'last_seen', 'refutation_id', 'reps', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof OpinionClustersTable>;
const REP_COLUMNS = ['org_id', 'cluster_id', 'simhash', 'norm_text', 'post_id', 'sketch'] as const satisfies ReadonlyArray<keyof NewRep>;

const placeholders = (n: number) => `(${new Array(n).fill('?').join(', ')})`;

interface SqliteIngestStatements {
  post: SQLite.Statement;
  cluster: SQLite.Statement;
  rep: SQLite.Statement;
  bump: SQLite.Statement;
  hourly: SQLite.Statement;
  source: SQLite.Statement;
  refutation: SQLite.Statement;
}
const sqliteStatements = new WeakMap<SQLite.Database, SqliteIngestStatements>();

function sqliteIngestStatements(raw: SQLite.Database): SqliteIngestStatements {
  let s = sqliteStatements.get(raw);
  if (!s) {
    s = {
      post: raw.prepare(`INSERT INTO opinion_posts (${POST_COLUMNS.join(', ')}) VALUES ${placeholders(POST_COLUMNS.length)}`),
      cluster: raw.prepare(`INSERT INTO opinion_clusters (${CLUSTER_COLUMNS.join(', ')}) VALUES ${placeholders(CLUSTER_COLUMNS.length)}`),
      rep: raw.prepare(`INSERT INTO opinion_cluster_reps (${REP_COLUMNS.join(', ')}) VALUES ${placeholders(REP_COLUMNS.length)}`),
      bump: raw.prepare(
        `UPDATE opinion_clusters SET size = size + ?, reps = reps + ?, first_seen = min(first_seen, ?), last_seen = max(last_seen, ?),
         refutation_id = COALESCE(refutation_id, ?), updated_at = ? WHERE id = ?`,
      ),
      hourly: raw.prepare(
        'INSERT INTO opinion_hourly (org_id, series, hour, count) VALUES (?, ?, ?, ?) ON CONFLICT (org_id, series, hour) DO UPDATE SET count = opinion_hourly.count + excluded.count',
      ),
      source: raw.prepare('UPDATE opinion_sources SET posts = posts + ?, updated_at = ? WHERE id = ?'),
      refutation: raw.prepare('UPDATE opinion_refutations SET posts = posts + ? WHERE id = ?'),
    };
    sqliteStatements.set(raw, s);
  }
  return s;
}

const hourlyRows = (orgId: string, counts: Map<string, number>) =>
  [...counts].map(([k, count]) => {
    const i = k.indexOf('|');
    return { org_id: orgId, series: k.slice(0, i), hour: k.slice(i + 1), count };
  });

/** Adds to hourly counts ("series|hour" → posts; negative to move a post out of a series). */
export async function addHourly(db: DbOrTrx, orgId: string, counts: Map<string, number>) {
  for (const part of chunks(hourlyRows(orgId, counts), 200)) {
    await db
      .insertInto('opinion_hourly')
      .values(part)
      .onConflict((oc) => oc.columns(['org_id', 'series', 'hour']).doUpdateSet((eb) => ({ count: eb('opinion_hourly.count', '+', eb.ref('excluded.count')) })))
      .execute();
  }
}

/**
 * Writes a batch inside the caller's transaction; returns the new representatives' ids in order.
 * On SQLite through prepared statements on the raw connection (Kysely's one connection, so inside
 * its transaction): building and compiling a thousand-row insert costs more than SQLite's own work.
 */
export async function writeIngest(trx: DbOrTrx, engine: Engine, raw: SQLite.Database | undefined, w: IngestWrite): Promise<number[]> {
  if (engine === 'sqlite' && raw) {
    const st = sqliteIngestStatements(raw);
    // Bound positionally in the order of the *_COLUMNS lists.
    for (const c of w.clusters) {
      st.cluster.run(c.id, c.org_id, c.size, c.category, c.relevant, c.sample_post_id, c.sample_text, c.first_seen, c.last_seen, c.refutation_id, c.reps, c.created_at, c.updated_at);
    }
    for (const p of w.posts) {
      st.post.run(
        p.id, p.org_id, p.source, p.external_id, p.text, p.url, p.author_hash, p.published_at, p.ingested_at, p.relevant, p.relevance_score,
        p.category, p.groups, p.cluster_id, p.refutation_id, p.label_relevant, p.label_category, p.labelled_by, p.labelled_at,
      );
    }
    const ids = w.reps.map((r) => Number(st.rep.run(r.org_id, r.cluster_id, r.simhash, r.norm_text, r.post_id, r.sketch).lastInsertRowid));
    for (const b of w.bumps) st.bump.run(b.size, b.reps, b.firstSeen, b.lastSeen, b.refutationId, w.now, b.id);
    for (const h of hourlyRows(w.orgId, w.hourly)) st.hourly.run(h.org_id, h.series, h.hour, h.count);
    for (const [id, n] of w.sources) st.source.run(n, w.now, id);
    for (const [id, n] of w.refutations) st.refutation.run(n, id);
    return ids;
  }
  for (const part of chunks(w.clusters, 100)) await trx.insertInto('opinion_clusters').values(part).execute();
  for (const part of chunks(w.posts, 100)) await trx.insertInto('opinion_posts').values(part).execute();
  const ids: number[] = [];
  for (const part of chunks(w.reps, 200)) ids.push(...(await trx.insertInto('opinion_cluster_reps').values(part).returning('id').execute()).map((r) => Number(r.id)));
  for (const b of w.bumps) {
    await trx
      .updateTable('opinion_clusters')
      .set((eb) => ({
        size: eb('size', '+', b.size),
        reps: eb('reps', '+', b.reps),
        first_seen: sql<string>`LEAST(first_seen, ${b.firstSeen})`,
        last_seen: sql<string>`GREATEST(last_seen, ${b.lastSeen})`,
        refutation_id: sql<string | null>`COALESCE(refutation_id, ${b.refutationId})`,
        updated_at: w.now,
      }))
      .where('id', '=', b.id)
      .execute();
  }
  await addHourly(trx, w.orgId, w.hourly);
  for (const [id, n] of w.sources) await trx.updateTable('opinion_sources').set((eb) => ({ posts: eb('posts', '+', n), updated_at: w.now })).where('id', '=', id).execute();
  for (const [id, n] of w.refutations) await trx.updateTable('opinion_refutations').set((eb) => ({ posts: eb('posts', '+', n) })).where('id', '=', id).execute();
  return ids;
}

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

/** The org's cluster-move counter (0 before the first move). */
export async function clusterMoves(db: DbOrTrx, orgId: string): Promise<number> {
  const r = await db.selectFrom('opinion_cluster_moves').select('gen').where('org_id', '=', orgId).executeTakeFirst();
  return Number(r?.gen ?? 0);
}

/** Raises the org's cluster-move counter (inside the transaction that moves posts). */
export async function countClusterMove(db: DbOrTrx, orgId: string) {
  await db
    .insertInto('opinion_cluster_moves')
    .values({ org_id: orgId, gen: 1 })
    .onConflict((oc) => oc.column('org_id').doUpdateSet((eb) => ({ gen: eb('opinion_cluster_moves.gen', '+', 1) })))
    .execute();
}

/**
 * Moves a cluster's posts, representatives and cases into another and marks it merged (inside the
 * caller's transaction, under the org's ingest lock). Clusters merged into it earlier now point at the
 * target too, so a mark is never more than one step from a live cluster.
 */
export async function moveClusterInto(trx: DbOrTrx, fromId: string, intoId: string, by: string, now: string) {
  await trx.updateTable('opinion_posts').set({ cluster_id: intoId }).where('cluster_id', '=', fromId).execute();
  await trx.updateTable('opinion_cluster_reps').set({ cluster_id: intoId }).where('cluster_id', '=', fromId).execute();
  await trx.updateTable('opinion_cases').set({ cluster_id: intoId, updated_at: now }).where('cluster_id', '=', fromId).execute();
  await trx.updateTable('opinion_clusters').set({ merged_into: intoId }).where('merged_into', '=', fromId).execute();
  await trx
    .updateTable('opinion_clusters')
    .set({ size: 0, reps: 0, merged_into: intoId, merged_at: now, merged_by: by, updated_at: now })
    .where('id', '=', fromId)
    .execute();
}

/** Posts of an org by id (chunked), with what moving them out of their cluster needs. */
export async function postsToMove(db: DbOrTrx, orgId: string, ids: string[]) {
  const out: Array<Pick<OpinionPostsTable, 'id' | 'text' | 'cluster_id' | 'category' | 'relevant' | 'refutation_id' | 'published_at'>> = [];
  for (const part of chunks(ids)) {
    out.push(
      ...(await db
        .selectFrom('opinion_posts')
        .select(['id', 'text', 'cluster_id', 'category', 'relevant', 'refutation_id', 'published_at'])
        .where('id', 'in', part)
        .where('org_id', '=', orgId)
        .execute()),
    );
  }
  return out;
}

/**
 * The representatives in a cluster of these posts: rows since migration 0011 name their post; older
 * ones carry its normalised text instead.
 */
export async function repsOfPosts(db: DbOrTrx, clusterId: string, postIds: string[], normTexts: string[]): Promise<number[]> {
  const ids = new Set<number>();
  for (const part of chunks(postIds)) {
    for (const r of await db.selectFrom('opinion_cluster_reps').select('id').where('cluster_id', '=', clusterId).where('post_id', 'in', part).execute()) ids.add(Number(r.id));
  }
  for (const part of chunks(normTexts)) {
    const rows = await db.selectFrom('opinion_cluster_reps').select('id').where('cluster_id', '=', clusterId).where('post_id', 'is', null).where('norm_text', 'in', part).execute();
    for (const r of rows) ids.add(Number(r.id));
  }
  return [...ids];
}

/** Moves posts and representatives into a cluster. */
export async function movePostsInto(trx: DbOrTrx, clusterId: string, postIds: string[], repIds: number[]) {
  for (const part of chunks(repIds)) await trx.updateTable('opinion_cluster_reps').set({ cluster_id: clusterId }).where('id', 'in', part).execute();
  for (const part of chunks(postIds)) await trx.updateTable('opinion_posts').set({ cluster_id: clusterId }).where('id', 'in', part).execute();
}

/** A cluster's first and last publication times, and its earliest post (a cluster with posts). */
export async function clusterSpan(db: DbOrTrx, clusterId: string) {
  const span = await db
    .selectFrom('opinion_posts')
    .select((eb) => [eb.fn.min<string>('published_at').as('first'), eb.fn.max<string>('published_at').as('last')])
    .where('cluster_id', '=', clusterId)
    .executeTakeFirstOrThrow();
  const earliest = await db.selectFrom('opinion_posts').select('id').where('cluster_id', '=', clusterId).orderBy('published_at').orderBy('id').limit(1).executeTakeFirstOrThrow();
  return { first: span.first, last: span.last, earliestId: earliest.id };
}

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
    .where('k.size', '>=', f.minSize)
    .where('k.merged_into', 'is', null);
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

/**
 * Refutation rows with the status of the article each was handed over as (pub_content; null without
 * one, or if it is gone): opinion.refutations.ts derives the refutation's status and link from it.
 */
export const refutationRows = (db: DbOrTrx) =>
  db.selectFrom('opinion_refutations as r').leftJoin('pub_content as pc', 'pc.id', 'r.content_id').selectAll('r').select('pc.status as content_status');

export type RefutationRow = OpinionRefutationsTable & { content_status: string | null };

/**
 * The units a refutation can be handed over to, in the district of `orgId` (its nearest ancestor-or-self
 * of kind district, else its topmost ancestor): orgs there with an active user who writes content
 * (editor or publicity). Media units first, then by name.
 */
export async function contentUnits(db: DbOrTrx, orgId: string): Promise<Array<{ id: string; name: string; kind: string }>> {
  const ancestors = await db
    .selectFrom('org_closure as c')
    .innerJoin('orgs as o', 'o.id', 'c.ancestor_id')
    .select(['o.id', 'o.kind', 'c.depth'])
    .where('c.descendant_id', '=', orgId)
    .orderBy('c.depth')
    .execute();
  const district = ancestors.find((a) => a.kind === 'district') ?? ancestors.at(-1);
  if (!district) return [];
  const rows = await db
    .selectFrom('orgs as o')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'o.id').on('c.ancestor_id', '=', district.id))
    .select(['o.id', 'o.name', 'o.kind'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('users as u')
          .innerJoin('user_roles as r', 'r.user_id', 'u.id')
          .select('u.id')
          .whereRef('u.org_id', '=', 'o.id')
          .where('u.disabled', '=', 0)
          .where('r.role', 'in', ['editor', 'publicity']),
      ),
    )
    .execute();
  return rows.sort((a, b) => Number(b.kind === 'media') - Number(a.kind === 'media') || a.name.localeCompare(b.name, 'zh-CN'));
}
