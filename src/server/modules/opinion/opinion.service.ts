// Reading and judging what was ingested: posts (never their authors), analysts' labels (which the
// model learns from), near-duplicate clusters, the refutation library, the overview and model quality.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId, timeOrderedId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { DbOrTrx, Trx } from '../../db/index.ts';
import type { OpinionClustersTable, OpinionPostsTable, OpinionRefutationsTable } from '../../db/types.ts';
import { evaluate } from '../../../text/classifier.ts';
import { defaultClassifier, loadCorpus } from '../../../text/corpus/index.ts';
import { normalizePost } from '../../../text/normalize.ts';
import { analyse } from '../../../text/pipeline.ts';
import { CATEGORIES, type Category, type ClusterView, type ListPostsQuery, type PostView } from './opinion.schema.ts';
import { hourOf } from './opinion.ingest.ts';
import { CLAIM_COVERAGE, claimCoverage, claimShingles, classifier, invalidateRefutations, redirectCachedReps, serialised } from './opinion.state.ts';
import {
  addHourly,
  clusterRows,
  countClusterMove,
  findCluster,
  findPost,
  listClusters as listClusterRows,
  listPosts as listPostRows,
  lockOrgForIngest,
  moveClusterInto,
  movePostsInto,
  openCasesByCluster,
  postsToMove,
  repsOfPosts,
  clusterSpan,
  spreadersOf,
  withSamples,
} from './opinion.queries.ts';

export function presentPost(r: OpinionPostsTable & { cluster_size?: number | null }): PostView {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    text: r.text,
    url: r.url,
    publishedAt: r.published_at,
    ingestedAt: r.ingested_at,
    relevant: r.relevant === 1,
    relevanceScore: Number(r.relevance_score),
    category: r.category as Category,
    groups: JSON.parse(r.groups) as string[],
    clusterId: r.cluster_id,
    clusterSize: Number(r.cluster_size ?? 1),
    refutationId: r.refutation_id,
    label: r.labelled_at ? { relevant: r.label_relevant === 1, category: r.label_category as Category, at: r.labelled_at } : null,
  };
}

/** Loads a row owned by an org and checks the actor may see it; out of scope looks like absent. */
export async function inScopeRow<T extends { org_id: string }>(kernel: Kernel, actor: Actor | null, permission: 'opinion.read' | 'opinion.handle', row: T | undefined, what: string, id: string): Promise<T> {
  await kernel.authz.require(actor, permission, { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound(what);
  return row;
}

// ---- posts -------------------------------------------------------------------------------------

const cursorOf = (r: OpinionPostsTable) => Buffer.from(`${r.published_at}|${r.id}`).toString('base64url');
function parseCursor(c: string | undefined) {
  if (!c) return undefined;
  const [publishedAt, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!publishedAt || !id) throw new AppError('invalid_input', '翻页游标无效', [{ path: 'before', message: '翻页游标无效' }]);
  return { publishedAt, id };
}

export async function listPosts(kernel: Kernel, actor: Actor | null, q: ListPostsQuery) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  const rows = await listPostRows(kernel.db, { ...q, rootOrgId: a.orgId, before: parseCursor(q.before) });
  return { posts: rows.map(presentPost), nextCursor: rows.length === q.limit ? cursorOf(rows[rows.length - 1]!) : null };
}

export async function getPost(kernel: Kernel, actor: Actor | null, id: string): Promise<PostView> {
  return presentPost(await inScopeRow(kernel, actor, 'opinion.read', await findPost(kernel.db, id), '帖文', id));
}

/** An analyst's judgement: stored on the post, replayed onto every instance's model, and audited. */
export async function labelPost(kernel: Kernel, actor: Actor | null, id: string, label: { relevant: boolean; category: Category }): Promise<PostView> {
  const row = await inScopeRow(kernel, actor, 'opinion.handle', await findPost(kernel.db, id), '帖文', id);
  const category: Category = label.relevant ? label.category : 'other';
  const now = iso(kernel.clock());
  await kernel.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('opinion_posts')
      .set({ label_relevant: label.relevant ? 1 : 0, label_category: category, labelled_by: actor!.userId, labelled_at: now, relevant: label.relevant ? 1 : 0, category })
      .where('id', '=', id)
      .execute();
    // The hourly counts (overview, alerts, brief) follow the analyst's judgement.
    const hour = hourOf(row.published_at);
    const moves = new Map<string, number>();
    const bump = (series: string, d: number) => moves.set(`${series}|${hour}`, (moves.get(`${series}|${hour}`) ?? 0) + d);
    if (row.relevant === 1) {
      bump('relevant', -1);
      bump(`cat:${row.category}`, -1);
    }
    if (label.relevant) {
      bump('relevant', 1);
      bump(`cat:${category}`, 1);
    }
    for (const [k, d] of moves) if (d === 0) moves.delete(k);
    if (moves.size) await addHourly(trx, row.org_id, moves);
    await trx.insertInto('opinion_labels').values({ org_id: row.org_id, post_id: id, relevant: label.relevant ? 1 : 0, category, labelled_by: actor!.userId, created_at: now }).execute();
    // The cluster's category follows its sample post's judgement.
    await trx
      .updateTable('opinion_clusters')
      .set({ category, relevant: label.relevant ? 1 : 0, updated_at: now })
      .where('id', '=', row.cluster_id)
      .where('sample_post_id', '=', id)
      .execute();
    await kernel.audit.record({ actor, action: 'opinion.label', target: id, detail: { relevant: label.relevant, category, was: { relevant: row.relevant === 1, category: row.category } } }, trx);
  });
  await classifier(kernel, true);
  return presentPost((await findPost(kernel.db, id))!);
}

// ---- clusters ----------------------------------------------------------------------------------

async function presentClusters(kernel: Kernel, rows: OpinionClustersTable[]): Promise<ClusterView[]> {
  await withSamples(kernel.db, rows);
  const ids = rows.map((r) => r.id);
  const spreaders = await spreadersOf(kernel.db, ids);
  const cases = await openCasesByCluster(kernel.db, ids);
  return rows.map((r) => ({
    id: r.id,
    size: Number(r.size),
    category: r.category as Category,
    relevant: r.relevant === 1,
    sampleText: r.sample_text,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    refutationId: r.refutation_id,
    spreaders: spreaders.get(r.id) ?? 0,
    caseId: cases.get(r.id) ?? null,
    mergedInto: r.merged_into,
    mergedAt: r.merged_at,
  }));
}

export async function listClusters(kernel: Kernel, actor: Actor | null, q: { from?: string; to?: string; minSize: number; category?: Category; relevant?: boolean; limit: number }) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  return presentClusters(kernel, await listClusterRows(kernel.db, { ...q, rootOrgId: a.orgId }));
}

export async function getCluster(kernel: Kernel, actor: Actor | null, id: string) {
  const row = await inScopeRow(kernel, actor, 'opinion.read', await findCluster(kernel.db, id), '聚类', id);
  const [cluster] = await presentClusters(kernel, [row]);
  const byHour = await kernel.db
    .selectFrom('opinion_posts')
    .select((eb) => [eb.fn<string>('substr', ['published_at', eb.val(1), eb.val(13)]).as('hour'), eb.fn.countAll<number>().as('n')])
    .where('cluster_id', '=', id)
    .groupBy('hour')
    .orderBy('hour')
    .execute();
  const sources = await kernel.db
    .selectFrom('opinion_posts')
    .select((eb) => ['source', eb.fn.countAll<number>().as('n')])
    .where('cluster_id', '=', id)
    .groupBy('source')
    .orderBy('n', 'desc')
    .execute();
  const posts = await listPostRows(kernel.db, { rootOrgId: row.org_id, clusterId: id, limit: 50 });
  let cumulative = 0;
  return {
    cluster: cluster!,
    timeline: byHour.map((h) => ({ hour: h.hour, count: Number(h.n), cumulative: (cumulative += Number(h.n)) })),
    sources: sources.map((s) => ({ source: s.source, count: Number(s.n) })),
    posts: posts.map(presentPost),
  };
}

/** Attach a cluster to a refutation (or detach): its posts, and later ones, carry the refutation. */
export async function attachRefutation(kernel: Kernel, actor: Actor | null, clusterId: string, refutationId: string | null) {
  const row = await inScopeRow(kernel, actor, 'opinion.handle', await findCluster(kernel.db, clusterId), '聚类', clusterId);
  if (row.merged_into) throw new AppError('conflict', '该聚类已并入其他聚类，请在合并后的聚类上关联辟谣');
  if (refutationId) {
    const ref = await kernel.db.selectFrom('opinion_refutations').select(['id', 'org_id']).where('id', '=', refutationId).executeTakeFirst();
    if (!ref || !(await kernel.authz.inScope(kernel.db, { orgId: ref.org_id }, row.org_id))) throw notFound('辟谣条目');
  }
  const now = iso(kernel.clock());
  await kernel.db.transaction().execute(async (trx) => {
    await trx.updateTable('opinion_clusters').set({ refutation_id: refutationId, updated_at: now }).where('id', '=', clusterId).execute();
    await trx.updateTable('opinion_posts').set({ refutation_id: refutationId }).where('cluster_id', '=', clusterId).execute();
    await recountRefutations(trx, [row.refutation_id, refutationId]);
    await kernel.audit.record({ actor, action: 'opinion.cluster.refutation', target: clusterId, detail: { refutationId, was: row.refutation_id } }, trx);
  });
  return (await presentClusters(kernel, [(await findCluster(kernel.db, clusterId))!]))[0]!;
}

/**
 * Merges clusters into one (an analyst's judgement that they are one claim in different words, which
 * character-level near-duplicate detection cannot see). Their posts, representatives and cases move to
 * the target, whose size and first and last seen take theirs in; later posts that resemble any of them
 * join the target. The target keeps its category and sample; its refutation, or else the first merged
 * cluster's, is carried by all its posts (as when a refutation is attached). A merged cluster keeps its
 * row, empty, marked with the target: old links (alerts, briefs) still lead to the claim. Runs in this
 * instance's ingest queue and under the org's ingest lock, so no batch assigns posts to a cluster while
 * it is being merged; it raises the org's move counter, so every instance reads its representatives
 * again before its next assignment (and an ingest that still met the merged cluster follows its mark).
 */
export async function mergeClusters(kernel: Kernel, actor: Actor | null, intoId: string, fromIds: string[]) {
  const target = await inScopeRow(kernel, actor, 'opinion.handle', await findCluster(kernel.db, intoId), '聚类', intoId);
  const ids = [...new Set(fromIds)];
  if (ids.includes(intoId)) throw new AppError('invalid_input', '不能把聚类并入它自己', [{ path: 'from', message: '不能包含目标聚类' }]);
  const found = new Map((await clusterRows(kernel.db, ids)).map((r) => [r.id, r]));
  for (const id of ids) {
    const row = await inScopeRow(kernel, actor, 'opinion.handle', found.get(id), '聚类', id);
    if (row.org_id !== target.org_id) throw new AppError('invalid_input', '只能合并同一单位的聚类', [{ path: 'from', message: `聚类 ${id} 属于另一单位` }]);
  }
  const now = iso(kernel.clock());
  await serialised(kernel, () =>
    kernel.db.transaction().execute(async (trx) => {
      await lockOrgForIngest(trx, kernel.engine, target.org_id);
      // Read again under the lock: another analyst may have merged one of them meanwhile.
      const rows = new Map((await clusterRows(trx, [intoId, ...ids])).map((r) => [r.id, r]));
      const into = rows.get(intoId)!;
      if (into.merged_into) throw new AppError('conflict', '目标聚类已并入其他聚类，请在合并后的聚类上操作');
      const from = ids.map((id) => rows.get(id)!);
      const gone = from.filter((r) => r.merged_into);
      if (gone.length) throw new AppError('conflict', `有 ${gone.length} 个聚类已并入其他聚类`);
      const refutationId = into.refutation_id ?? from.find((r) => r.refutation_id)?.refutation_id ?? null;
      let firstSeen = into.first_seen;
      let lastSeen = into.last_seen;
      for (const r of from) {
        await moveClusterInto(trx, r.id, intoId, actor!.userId, now);
        if (r.first_seen < firstSeen) firstSeen = r.first_seen;
        if (r.last_seen > lastSeen) lastSeen = r.last_seen;
      }
      const moved = from.reduce((n, r) => n + Number(r.size), 0);
      await trx
        .updateTable('opinion_clusters')
        .set({
          size: Number(into.size) + moved,
          reps: Number(into.reps) + from.reduce((n, r) => n + Number(r.reps), 0),
          first_seen: firstSeen,
          last_seen: lastSeen,
          refutation_id: refutationId,
          updated_at: now,
        })
        .where('id', '=', intoId)
        .execute();
      await countClusterMove(trx, target.org_id);
      if (refutationId) {
        await trx.updateTable('opinion_posts').set({ refutation_id: refutationId }).where('cluster_id', '=', intoId).execute();
        await recountRefutations(trx, [refutationId, ...from.map((r) => r.refutation_id)]);
      }
      await kernel.audit.record(
        { actor, action: 'opinion.cluster.merge', target: intoId, detail: { from: ids, posts: moved, refutationId, was: { size: Number(into.size), refutationId: into.refutation_id } } },
        trx,
      );
    }),
  );
  redirectCachedReps(kernel, new Map(ids.map((id) => [id, intoId])));
  return (await presentClusters(kernel, [(await findCluster(kernel.db, intoId))!]))[0]!;
}

/**
 * Takes a post out of its cluster into a cluster of its own: the near-duplicate detection joined what
 * an analyst judges a different claim. Its representative rows go with it, so later posts like it join
 * the new cluster, and posts like the rest stay with the old one; the old cluster's size, first and
 * last seen follow what is left, and if the post was its sample the earliest remaining post is. The
 * post keeps its category, label and refutation. Runs like a merge: in the ingest queue, under the
 * org's ingest lock, raising the org's move counter (every instance's next ingest, this one's too,
 * then drops its cached representatives).
 */
export async function detachPost(kernel: Kernel, actor: Actor | null, postId: string) {
  const found = await inScopeRow(kernel, actor, 'opinion.handle', await findPost(kernel.db, postId), '帖文', postId);
  const clusterId = await movePosts(kernel, actor, found.org_id, found.cluster_id, [postId], 'detach');
  return { post: presentPost((await findPost(kernel.db, postId))!), cluster: (await presentClusters(kernel, [(await findCluster(kernel.db, clusterId))!]))[0]! };
}

/**
 * Splits a cluster: the chosen posts (all of it but not all of its posts) leave it together, as one
 * new cluster — near-duplicate matching put two claims together, or a merge went wrong and the posts
 * of the cluster merged in are to go back out. As detachPost, for several posts at once.
 */
export async function splitCluster(kernel: Kernel, actor: Actor | null, clusterId: string, postIds: string[]) {
  const cluster = await inScopeRow(kernel, actor, 'opinion.handle', await findCluster(kernel.db, clusterId), '聚类', clusterId);
  const id = await movePosts(kernel, actor, cluster.org_id, clusterId, [...new Set(postIds)], 'split');
  return (await presentClusters(kernel, [(await findCluster(kernel.db, id))!]))[0]!;
}

/**
 * Moves posts of a cluster into a new one, under the org's ingest lock: their representatives go
 * with them (so later posts like them follow), the new cluster takes its sample post's category,
 * relevance and refutation (the earliest of them), and the old one's size, first and last seen (and
 * sample, if it left) are those of the posts that stay. Returns the new cluster's id.
 */
async function movePosts(kernel: Kernel, actor: Actor | null, orgId: string, clusterId: string, postIds: string[], how: 'detach' | 'split'): Promise<string> {
  const now = iso(kernel.clock());
  const newClusterId = timeOrderedId();
  await serialised(kernel, () =>
    kernel.db.transaction().execute(async (trx) => {
      await lockOrgForIngest(trx, kernel.engine, orgId);
      const [old] = await clusterRows(trx, [clusterId]);
      if (!old) throw new AppError('not_found', '聚类不存在');
      if (old.merged_into) throw new AppError('conflict', '这个聚类已并入其他聚类，请在合并后的聚类里操作');
      const posts = await postsToMove(trx, orgId, postIds);
      const inCluster = new Set(posts.filter((p) => p.cluster_id === clusterId).map((p) => p.id));
      const outside = postIds.filter((id) => !inCluster.has(id));
      if (outside.length) {
        throw new AppError('invalid_input', `有 ${outside.length} 条帖文不在这个聚类里`, outside.slice(0, 20).map((id) => ({ path: 'postIds', message: `帖文 ${id} 不在这个聚类里` })));
      }
      if (posts.length >= Number(old.size)) {
        throw new AppError('conflict', how === 'detach' ? '这条帖文所在的聚类只有它一条，无需移出' : '不能把聚类的全部帖文移出；至少留下一条');
      }
      posts.sort((a, b) => (a.published_at < b.published_at ? -1 : a.published_at > b.published_at ? 1 : a.id < b.id ? -1 : 1));
      const sample = posts[0]!;
      const reps = await repsOfPosts(trx, old.id, postIds, [...new Set(posts.map((p) => normalizePost(p.text)))]);
      await trx
        .insertInto('opinion_clusters')
        .values({
          id: newClusterId,
          org_id: orgId,
          size: posts.length,
          category: sample.category,
          relevant: sample.relevant,
          sample_post_id: sample.id,
          sample_text: '',
          first_seen: sample.published_at,
          last_seen: posts.at(-1)!.published_at,
          refutation_id: sample.refutation_id,
          reps: reps.length,
          created_at: now,
          updated_at: now,
          merged_into: null,
          merged_at: null,
          merged_by: null,
        })
        .execute();
      await movePostsInto(trx, newClusterId, postIds, reps);
      const left = await clusterSpan(trx, old.id);
      const oldSample = inCluster.has(old.sample_post_id ?? '') ? left.earliestId : old.sample_post_id;
      await trx
        .updateTable('opinion_clusters')
        .set({
          size: Number(old.size) - posts.length,
          reps: Math.max(0, Number(old.reps) - reps.length),
          first_seen: left.first,
          last_seen: left.last,
          ...(oldSample === old.sample_post_id ? {} : { sample_post_id: oldSample, sample_text: '' }),
          updated_at: now,
        })
        .where('id', '=', old.id)
        .execute();
      await countClusterMove(trx, orgId);
      await kernel.audit.record(
        how === 'detach'
          ? { actor, action: 'opinion.post.detach', target: postIds[0]!, detail: { from: old.id, to: newClusterId, representatives: reps.length } }
          : { actor, action: 'opinion.cluster.split', target: old.id, detail: { to: newClusterId, posts: posts.length, representatives: reps.length } },
        trx,
      );
    }),
  );
  return newClusterId;
}

export async function recountRefutations(trx: DbOrTrx, ids: Array<string | null>) {
  for (const id of new Set(ids.filter((x): x is string => !!x))) {
    const n = await trx.selectFrom('opinion_posts').select((eb) => eb.fn.countAll<number>().as('n')).where('refutation_id', '=', id).executeTakeFirst();
    await trx.updateTable('opinion_refutations').set({ posts: Number(n?.n ?? 0) }).where('id', '=', id).execute();
  }
}

// ---- overview and model quality ----------------------------------------------------------------

export async function overview(kernel: Kernel, actor: Actor | null, q: { from?: string; to?: string }) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  const to = q.to ?? iso(kernel.clock());
  const from = q.from ?? iso(new Date(Date.parse(to) - 24 * 3_600_000));
  if (from >= to) throw new AppError('invalid_input', '开始时间应早于结束时间', [{ path: 'from', message: '开始时间应早于结束时间' }]);
  const hours = await kernel.db
    .selectFrom('opinion_hourly as h')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'h.org_id').on('c.ancestor_id', '=', a.orgId))
    .select((eb) => ['h.hour', 'h.series', eb.fn.sum<number>('h.count').as('n')])
    .where('h.hour', '>=', from.slice(0, 13))
    .where('h.hour', '<=', to.slice(0, 13))
    .where((eb) => eb.or([eb('h.series', 'in', ['all', 'relevant']), eb('h.series', 'like', 'cat:%')]))
    .groupBy(['h.hour', 'h.series'])
    .orderBy('h.hour')
    .execute();
  const byHour = new Map<string, { hour: string; total: number; byCategory: Record<string, number> }>();
  let total = 0;
  let relevant = 0;
  const byCategory: Record<string, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
  for (const h of hours) {
    const e = byHour.get(h.hour) ?? byHour.set(h.hour, { hour: h.hour, total: 0, byCategory: {} }).get(h.hour)!;
    const n = Number(h.n);
    if (h.series === 'all') {
      e.total = n;
      total += n;
    } else if (h.series === 'relevant') relevant += n;
    else {
      const cat = h.series.slice(4);
      e.byCategory[cat] = n;
      byCategory[cat] = (byCategory[cat] ?? 0) + n;
    }
  }
  const top = await listClusterRows(kernel.db, { rootOrgId: a.orgId, from, to, minSize: 2, relevant: true, limit: 10 });
  const nowIso = iso(kernel.clock());
  const scoped = <T extends string>(table: T) =>
    kernel.db
      .selectFrom(table as 'opinion_cases')
      .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'org_id' as never).on('c.ancestor_id', '=', a.orgId));
  const cases = await scoped('opinion_cases')
    .select((eb) => [eb.fn.countAll<number>().as('open'), eb.fn.sum<number>(eb.case().when('due_at', '<', nowIso).then(1).else(0).end()).as('overdue')])
    .where('status', '!=', 'closed')
    .executeTakeFirst();
  const alerts = await kernel.db
    .selectFrom('opinion_alerts as al')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'al.org_id').on('c.ancestor_id', '=', a.orgId))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('al.acknowledged_at', 'is', null)
    .executeTakeFirst();
  const refuted = await kernel.db
    .selectFrom('opinion_posts as p')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'p.org_id').on('c.ancestor_id', '=', a.orgId))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('p.published_at', '>=', from)
    .where('p.published_at', '<', to)
    .where('p.refutation_id', 'is not', null)
    .executeTakeFirst();
  return {
    from,
    to,
    total,
    relevant,
    byCategory,
    hours: [...byHour.values()],
    topClusters: await presentClusters(kernel, top),
    openCases: Number(cases?.open ?? 0),
    overdueCases: Number(cases?.overdue ?? 0),
    openAlerts: Number(alerts?.n ?? 0),
    refuted: Number(refuted?.n ?? 0),
  };
}

/** Quality on the held-out split of the built-in corpus: the shipped model, and the model now. */
export async function modelQuality(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'opinion.read');
  const corpus = loadCorpus();
  const current = await classifier(kernel, true);
  const labels = await kernel.db
    .selectFrom('opinion_labels as l')
    .innerJoin('opinion_posts as p', 'p.id', 'l.post_id')
    .select(['l.relevant', 'l.category', 'p.text'])
    .orderBy('l.seq')
    .execute();
  const base = defaultClassifier();
  let agree = 0;
  for (const l of labels) {
    const c = base.classify(analyse(l.text));
    if (c.relevant === (l.relevant === 1) && (l.relevant !== 1 || c.category === l.category)) agree++;
  }
  return {
    trainExamples: corpus.train.length,
    heldOutExamples: corpus.test.length,
    labels: labels.length,
    before: evaluate(base, corpus.test),
    after: evaluate(current, corpus.test),
    labelAgreement: labels.length ? agree / labels.length : null,
  };
}
