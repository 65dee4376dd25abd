// The refutation library (辟谣库): claims with their facts and where the refutation is published. Posts
// that repeat a claim carry its refutation (opinion.state.ts matches them at ingest). A draft can be
// handed over to news publishing: it becomes a draft article there (editing, four-eyes review and
// publishing stay with the content roles), and once that article is published the refutation is
// published, with the article's public address as its link.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { DbOrTrx, Trx } from '../../db/index.ts';
import type { OpinionRefutationsTable } from '../../db/types.ts';
import { insertDraft } from '../publishing/publishing.service.ts';
import { escapeHtml } from '../../../text/escape.ts';
import { contentUnits, withSamples, refutationRows, type RefutationRow } from './opinion.queries.ts';
import { inScopeRow, recountRefutations } from './opinion.service.ts';
import { CLAIM_COVERAGE, claimCoverage, claimShingles, invalidateRefutations } from './opinion.state.ts';

/**
 * A refutation as clients see it. Its status: `published` with a link of its own, or once the article
 * it was handed over as is published (the link is then the article's public page); `handed_over` while
 * that article is not (or no longer) published; else `draft`. The row's own `status` column says only
 * whether it has a link of its own (draft | published): the article's state is read with it, never
 * copied (refutationRows).
 */
export function presentRefutation(kernel: Kernel, r: RefutationRow) {
  const articleLive = r.content_id !== null && r.content_status === 'published';
  const url = r.url ?? (articleLive ? `${kernel.config.publicUrl}/news/${r.content_id}` : null);
  return {
    id: r.id,
    claim: r.claim,
    facts: r.facts,
    url,
    status: url ? 'published' : r.content_id !== null && r.content_status !== null ? 'handed_over' : 'draft',
    contentId: r.content_id,
    posts: Number(r.posts),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const reload = async (kernel: Kernel, db: DbOrTrx, id: string) => presentRefutation(kernel, (await refutationRows(db).where('r.id', '=', id).executeTakeFirst())!);

export async function createRefutation(kernel: Kernel, actor: Actor | null, input: { claim: string; facts: string; url?: string }, trxIn?: Trx) {
  const a = await kernel.authz.require(actor, 'opinion.handle');
  const now = iso(kernel.clock());
  const row: OpinionRefutationsTable = {
    id: newId(),
    org_id: a.orgId,
    claim: input.claim,
    facts: input.facts,
    url: input.url ?? null,
    status: input.url ? 'published' : 'draft',
    content_id: null,
    posts: 0,
    created_by: a.userId,
    created_at: now,
    updated_at: now,
  };
  const work = async (trx: Trx) => {
    await trx.insertInto('opinion_refutations').values(row).execute();
    // Clusters of the last 30 days that repeat the claim are attached at once.
    const since = iso(new Date(kernel.clock().getTime() - 30 * 86_400_000));
    const claim = claimShingles(input.claim);
    const recent = await withSamples(trx, await trx
      .selectFrom('opinion_clusters as k')
        .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'k.org_id').on('c.ancestor_id', '=', a.orgId))
      .select(['k.id', 'k.sample_text', 'k.sample_post_id'])
      .where('k.refutation_id', 'is', null)
      .where('k.merged_into', 'is', null)
      .where('k.last_seen', '>=', since)
      .where('k.relevant', '=', 1)
      .execute());
    const matched = recent.filter((c) => claimCoverage(claim, claimShingles(c.sample_text)) >= CLAIM_COVERAGE).map((c) => c.id);
    for (let i = 0; i < matched.length; i += 500) {
      const part = matched.slice(i, i + 500);
      await trx.updateTable('opinion_clusters').set({ refutation_id: row.id, updated_at: now }).where('id', 'in', part).execute();
      await trx.updateTable('opinion_posts').set({ refutation_id: row.id }).where('cluster_id', 'in', part).where('refutation_id', 'is', null).execute();
    }
    await recountRefutations(trx, [row.id]);
    await kernel.audit.record({ actor, action: 'opinion.refutation.create', target: row.id, detail: { attachedClusters: matched.length } }, trx);
  };
  if (trxIn) await work(trxIn);
  else await kernel.db.transaction().execute(work);
  invalidateRefutations(kernel);
  return reload(kernel, trxIn ?? kernel.db, row.id);
}

export async function updateRefutation(kernel: Kernel, actor: Actor | null, id: string, input: { claim?: string; facts?: string; url?: string | null }) {
  const row = await inScopeRow(kernel, actor, 'opinion.handle', await kernel.db.selectFrom('opinion_refutations').selectAll().where('id', '=', id).executeTakeFirst(), '辟谣条目', id);
  const now = iso(kernel.clock());
  const url = input.url === undefined ? row.url : input.url;
  await kernel.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('opinion_refutations')
      .set({ claim: input.claim ?? row.claim, facts: input.facts ?? row.facts, url, status: url ? 'published' : 'draft', updated_at: now })
      .where('id', '=', id)
      .execute();
    await kernel.audit.record({ actor, action: 'opinion.refutation.update', target: id, detail: { fields: Object.keys(input) } }, trx);
  });
  invalidateRefutations(kernel);
  return reload(kernel, kernel.db, id);
}

export async function listRefutations(kernel: Kernel, actor: Actor | null, q: { q?: string; limit: number }) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  let query = refutationRows(kernel.db).innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'r.org_id').on('oc.ancestor_id', '=', a.orgId));
  if (q.q) {
    const like = `%${q.q.replace(/[%_\\]/g, '')}%`;
    query = query.where((eb) => eb.or([eb('r.claim', 'like', like), eb('r.facts', 'like', like)]));
  }
  return (await query.orderBy('r.created_at', 'desc').limit(q.limit).execute()).map((r) => presentRefutation(kernel, r));
}

/** Channels a refutation article goes out on by default (the editor can change them in the draft). */
const HANDOVER_CHANNELS = ['website', 'wechat', 'weibo'] as const;

/** The units of the analyst's district a refutation can be handed over to (those with content writers). */
export async function handoverTargets(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'opinion.handle');
  return contentUnits(kernel.db, a.orgId);
}

/**
 * Hands a refutation over to news publishing: a draft article (回应社会关切) with the claim and the
 * facts, in the receiving unit `orgId` (one of handoverTargets: a unit of the district whose editors
 * write content; the analyst's own scope need not include it, as with any referral), linked to the
 * refutation. Refused (409) when the refutation already has a link of its own or an article that is
 * not withdrawn; an article withdrawn after publishing can be replaced by a new one.
 */
export async function handOverRefutation(kernel: Kernel, actor: Actor | null, id: string, orgId: string) {
  const row = await inScopeRow(kernel, actor, 'opinion.handle', await refutationRows(kernel.db).where('r.id', '=', id).executeTakeFirst(), '辟谣条目', id);
  const a = actor!; // inScopeRow has authorised it
  const unit = (await contentUnits(kernel.db, a.orgId)).find((u) => u.id === orgId);
  if (!unit) throw new AppError('invalid_input', '接收单位不在本区有撰稿人员的单位之中', [{ path: 'body.orgId', message: '请选择本区有编辑或宣传干事的单位' }]);
  if (row.url) throw new AppError('conflict', '这条辟谣已有发布链接，不需要再转交新闻宣传');
  if (row.content_id !== null && row.content_status !== null && row.content_status !== 'unpublished') {
    throw new AppError('conflict', '这条辟谣已转交新闻宣传，稿件尚在办理中');
  }
  const now = iso(kernel.clock());
  const paragraphs = row.facts.split(/\n+/).map((p) => p.trim()).filter(Boolean);
  const body = `<p><strong>网传：</strong>${escapeHtml(row.claim)}</p>` + paragraphs.map((p, i) => `<p>${i === 0 ? '<strong>真相：</strong>' : ''}${escapeHtml(p)}</p>`).join('');
  const title = `【辟谣】${row.claim}`.slice(0, 120);
  await kernel.db.transaction().execute(async (trx) => {
    const contentId = await insertDraft(
      kernel,
      trx,
      a,
      unit.id,
      { kind: 'news', theme: 'opinion_response', title, body, channels: [...HANDOVER_CHANNELS], summary: paragraphs[0]?.slice(0, 300) },
      'opinion.refutation',
    );
    // Only if no other hand-over came first (a second click, another instance): else nothing is kept.
    const linked = await trx
      .updateTable('opinion_refutations')
      .set({ content_id: contentId, updated_at: now })
      .where('id', '=', id)
      .where((eb) => (row.content_id === null ? eb('content_id', 'is', null) : eb('content_id', '=', row.content_id)))
      .executeTakeFirst();
    if (Number(linked.numUpdatedRows) !== 1) throw new AppError('conflict', '这条辟谣已转交新闻宣传，稿件尚在办理中');
    await kernel.audit.record({ actor: a, action: 'opinion.refutation.handover', target: id, detail: { contentId, unit: unit.id, was: row.content_id } }, trx);
  });
  return reload(kernel, kernel.db, id);
}
