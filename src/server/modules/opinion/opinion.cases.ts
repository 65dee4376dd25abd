// Cases (处置工单): a cluster or a post an analyst takes up. new → verifying → responding → closed,
// with an assignee, a due time by category, every step kept in its history, and the actions the
// office takes on content: publish a refutation, answer a concern, refer a price-gouging lead to the
// market regulator (with a printable referral sheet), ask a platform to remove harmful content, or
// record that nothing is needed. There is deliberately no action aimed at the people who posted.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { DbOrTrx } from '../../db/index.ts';
import type { OpinionCasesTable } from '../../db/types.ts';
import { ACTION_NAMES, CASE_STATUS_NAMES, CATEGORY_NAMES, type ActionKind, type CaseActionInput, type CaseStatus, type CaseView, type Category } from './opinion.schema.ts';
import { createRefutation } from './opinion.refutations.ts';
import { findCluster, findPost, withSamples } from './opinion.queries.ts';
import type { DocModel } from '../reports/reports.document.ts';
import { toDocx } from '../reports/reports.docx.ts';

/** Hours to respond, by category: rumours spread fastest. */
export const DUE_HOURS: Record<Category, number> = { rumor: 2, price_gouging: 4, concern: 24, other: 48, positive: 72 };

const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  new: ['verifying', 'responding', 'closed'],
  verifying: ['responding', 'closed', 'new'],
  responding: ['closed', 'verifying'],
  closed: ['verifying'],
};
/** Actions that are an outcome (a case can be closed once one is recorded). */
const OUTCOMES: ActionKind[] = ['publish_refutation', 'answer_concern', 'refer_regulator', 'request_removal', 'no_action'];

type CaseRow = OpinionCasesTable & { assignee_name?: string | null };

const selectCases = (db: DbOrTrx) =>
  db.selectFrom('opinion_cases as k').leftJoin('users as u', 'u.id', 'k.assignee_id').selectAll('k').select('u.display_name as assignee_name');

function present(r: CaseRow, now: string): CaseView {
  return {
    id: r.id,
    title: r.title,
    category: r.category as Category,
    status: r.status as CaseStatus,
    assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name ?? '' } : null,
    dueAt: r.due_at,
    overdue: r.status !== 'closed' && r.due_at < now,
    clusterId: r.cluster_id,
    postId: r.post_id,
    refutationId: r.refutation_id,
    outcome: r.outcome,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
  };
}

async function loadCase(kernel: Kernel, actor: Actor | null, id: string, permission: 'opinion.read' | 'opinion.handle') {
  const row = await selectCases(kernel.db).where('k.id', '=', id).executeTakeFirst();
  await kernel.authz.require(actor, permission, { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound('工单');
  return row;
}

/** An assignee must be an analyst inside the case's org subtree. */
async function checkAssignee(kernel: Kernel, orgId: string, userId: string) {
  const u = await kernel.db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'u.org_id').on('c.ancestor_id', '=', orgId))
    .select('u.id')
    .where('u.id', '=', userId)
    .where('r.role', '=', 'opinion_analyst')
    .where('u.disabled', '=', 0)
    .executeTakeFirst();
  if (!u) throw new AppError('invalid_input', '承办人应为本单位的舆情分析员', [{ path: 'assigneeId', message: '承办人应为本单位的舆情分析员' }]);
}

async function logAction(trx: DbOrTrx, caseId: string, kind: string, by: string, at: string, note?: string | null, detail?: Record<string, unknown>) {
  const last = await trx.selectFrom('opinion_case_actions').select((eb) => eb.fn.max('n').as('n')).where('case_id', '=', caseId).executeTakeFirst();
  await trx
    .insertInto('opinion_case_actions')
    .values({ id: newId(), case_id: caseId, n: Number(last?.n ?? 0) + 1, kind, note: note ?? null, detail: detail ? JSON.stringify(detail) : null, by_user: by, at })
    .execute();
}

export async function listAssignees(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  return kernel.db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'u.org_id').on('c.ancestor_id', '=', a.orgId))
    .select(['u.id', 'u.display_name as displayName'])
    .where('r.role', '=', 'opinion_analyst')
    .where('u.disabled', '=', 0)
    .orderBy('u.display_name')
    .execute();
}

export async function createCase(kernel: Kernel, actor: Actor | null, input: { title?: string; clusterId?: string; postId?: string; category?: Category; assigneeId?: string }) {
  const a = await kernel.authz.require(actor, 'opinion.handle');
  let orgId = a.orgId;
  let category: Category = input.category ?? 'other';
  let title = input.title;
  let clusterId: string | null = input.clusterId ?? null;
  if (input.postId) {
    const p = await findPost(kernel.db, input.postId);
    if (!p || !(await kernel.authz.inScope(kernel.db, a, p.org_id))) throw notFound('帖文');
    orgId = p.org_id;
    category = input.category ?? (p.category as Category);
    title ??= p.text.slice(0, 40);
    clusterId ??= p.cluster_id;
  }
  if (clusterId) {
    const c = await findCluster(kernel.db, clusterId);
    if (!c || !(await kernel.authz.inScope(kernel.db, a, c.org_id))) throw notFound('聚类');
    if (c.merged_into) throw new AppError('conflict', '该聚类已并入其他聚类，请在合并后的聚类上新建工单');
    orgId = c.org_id;
    if (!input.postId) {
      category = input.category ?? (c.category as Category);
      title ??= (await withSamples(kernel.db, [c]))[0]!.sample_text.slice(0, 40);
    }
  }
  if (!title) throw new AppError('invalid_input', '请填写工单标题，或指定聚类、帖文', [{ path: 'title', message: '请填写工单标题' }]);
  if (input.assigneeId) await checkAssignee(kernel, orgId, input.assigneeId);
  const now = kernel.clock();
  const row: OpinionCasesTable = {
    id: newId(),
    org_id: orgId,
    title,
    category,
    cluster_id: clusterId,
    post_id: input.postId ?? null,
    status: 'new',
    assignee_id: input.assigneeId ?? null,
    due_at: iso(new Date(now.getTime() + DUE_HOURS[category] * 3_600_000)),
    refutation_id: clusterId ? ((await findCluster(kernel.db, clusterId))?.refutation_id ?? null) : null,
    outcome: null,
    created_by: a.userId,
    created_at: iso(now),
    updated_at: iso(now),
    closed_at: null,
  };
  await kernel.db.transaction().execute(async (trx) => {
    await trx.insertInto('opinion_cases').values(row).execute();
    await kernel.audit.record({ actor, action: 'opinion.case.create', target: row.id, detail: { category, clusterId } }, trx);
  });
  return getCase(kernel, actor, row.id);
}

export async function listCases(kernel: Kernel, actor: Actor | null, q: { status?: CaseStatus; open?: boolean; assignee?: string; overdue?: boolean; limit: number }) {
  const a = await kernel.authz.require(actor, 'opinion.read');
  const now = iso(kernel.clock());
  let query = selectCases(kernel.db).innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'k.org_id').on('c.ancestor_id', '=', a.orgId));
  if (q.status) query = query.where('k.status', '=', q.status);
  if (q.open !== undefined) query = query.where('k.status', q.open ? '!=' : '=', 'closed');
  if (q.assignee) query = query.where('k.assignee_id', '=', q.assignee === 'me' ? a.userId : q.assignee);
  if (q.overdue) query = query.where('k.status', '!=', 'closed').where('k.due_at', '<', now);
  // Open cases by urgency; closed ones most recently closed first.
  const rows = await (q.status === 'closed' || q.open === false ? query.orderBy('k.closed_at', 'desc') : query.orderBy('k.due_at')).limit(q.limit).execute();
  return rows.map((r) => present(r, now));
}

export async function getCase(kernel: Kernel, actor: Actor | null, id: string) {
  const row = await loadCase(kernel, actor, id, 'opinion.read');
  const actions = await kernel.db
    .selectFrom('opinion_case_actions as x')
    .leftJoin('users as u', 'u.id', 'x.by_user')
    .select(['x.id', 'x.kind', 'x.note', 'x.detail', 'x.at', 'u.display_name'])
    .where('x.case_id', '=', id)
    .orderBy('x.n')
    .execute();
  const creator = await kernel.db.selectFrom('users').select('display_name').where('id', '=', row.created_by).executeTakeFirst();
  // The history starts with the case's own creation (kept on the case row, not as an action).
  const created = { id: `${row.id}:created`, kind: 'created' as const, note: null, detail: <Record<string, unknown>>{ category: row.category, clusterId: row.cluster_id, postId: row.post_id }, by: creator?.display_name ?? '', at: row.created_at };
  return {
    case: present(row, iso(kernel.clock())),
    actions: [
      created,
      ...actions.map((x) => ({ id: x.id, kind: x.kind as ActionKind, note: x.note, detail: x.detail ? (JSON.parse(x.detail) as Record<string, unknown>) : null, by: x.display_name ?? '', at: x.at })),
    ],
  };
}

export async function updateCase(kernel: Kernel, actor: Actor | null, id: string, input: { status?: CaseStatus; assigneeId?: string | null; dueAt?: string; title?: string }) {
  const row = await loadCase(kernel, actor, id, 'opinion.handle');
  const now = iso(kernel.clock());
  if (input.status && input.status !== row.status) {
    if (!TRANSITIONS[row.status as CaseStatus].includes(input.status))
      throw new AppError('conflict', `工单不能从“${CASE_STATUS_NAMES[row.status as CaseStatus]}”改为“${CASE_STATUS_NAMES[input.status]}”`);
    if (input.status === 'closed' && !row.outcome) throw new AppError('conflict', '办结前请先记录处置措施（含“无需处置”）');
  }
  if (input.assigneeId) await checkAssignee(kernel, row.org_id, input.assigneeId);
  await kernel.db.transaction().execute(async (trx) => {
    const status = input.status ?? row.status;
    await trx
      .updateTable('opinion_cases')
      .set({
        status,
        assignee_id: input.assigneeId === undefined ? row.assignee_id : input.assigneeId,
        due_at: input.dueAt ? new Date(input.dueAt).toISOString() : row.due_at,
        title: input.title ?? row.title,
        closed_at: status === 'closed' ? (row.closed_at ?? now) : null,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    if (input.status && input.status !== row.status) await logAction(trx, id, 'status', actor!.userId, now, null, { from: row.status, to: input.status });
    if (input.assigneeId !== undefined && input.assigneeId !== row.assignee_id) await logAction(trx, id, 'assign', actor!.userId, now, null, { from: row.assignee_id, to: input.assigneeId });
    await kernel.audit.record({ actor, action: 'opinion.case.update', target: id, detail: { fields: Object.keys(input), status } }, trx);
  });
  return getCase(kernel, actor, id);
}

/** The fields each kind of action takes (besides kind, note and close). */
const ACTION_FIELDS: Record<ActionKind, Array<keyof CaseActionInput>> = {
  note: [],
  publish_refutation: ['refutationId', 'claim', 'facts'],
  answer_concern: [],
  refer_regulator: ['regulator'],
  request_removal: ['platform', 'reason'],
  no_action: [],
};

function requireFields(input: CaseActionInput, fields: Array<keyof CaseActionInput>, what: string) {
  const missing = fields.filter((f) => input[f] === undefined || input[f] === '');
  if (missing.length) throw new AppError('invalid_input', `${what}需要填写：${missing.join('、')}`, missing.map((f) => ({ path: f, message: '必填' })));
}

export async function addCaseAction(kernel: Kernel, actor: Actor | null, id: string, input: CaseActionInput) {
  const row = await loadCase(kernel, actor, id, 'opinion.handle');
  if (row.status === 'closed' && input.kind !== 'note') throw new AppError('conflict', '工单已办结；如需继续处置，请先改回“核实中”');
  const name = ACTION_NAMES[input.kind];
  const stray = (['refutationId', 'claim', 'facts', 'regulator', 'platform', 'reason'] as const).filter((f) => input[f] !== undefined && !ACTION_FIELDS[input.kind].includes(f));
  if (stray.length) throw new AppError('invalid_input', `“${name}”不需要填写：${stray.join('、')}`, stray.map((f) => ({ path: f, message: '与措施类型不符' })));
  const detail: Record<string, unknown> = {};
  if (input.kind === 'publish_refutation') {
    if (!input.refutationId) requireFields(input, ['claim', 'facts'], name);
  }
  if (input.kind === 'answer_concern' || input.kind === 'no_action') requireFields(input, ['note'], name);
  if (input.kind === 'refer_regulator') requireFields(input, ['regulator'], name);
  if (input.kind === 'request_removal') requireFields(input, ['platform', 'reason'], name);
  const now = iso(kernel.clock());
  await kernel.db.transaction().execute(async (trx) => {
    let refutationId = row.refutation_id;
    if (input.kind === 'publish_refutation') {
      if (input.refutationId) {
        const ref = await trx.selectFrom('opinion_refutations').select(['id', 'org_id']).where('id', '=', input.refutationId).executeTakeFirst();
        if (!ref || !(await kernel.authz.inScope(trx, { orgId: ref.org_id }, row.org_id))) throw notFound('辟谣条目');
        refutationId = ref.id;
      } else {
        refutationId = (await createRefutation(kernel, actor, { claim: input.claim!, facts: input.facts! }, trx)).id;
      }
      detail.refutationId = refutationId;
      if (row.cluster_id) {
        await trx.updateTable('opinion_clusters').set({ refutation_id: refutationId, updated_at: now }).where('id', '=', row.cluster_id).execute();
        await trx.updateTable('opinion_posts').set({ refutation_id: refutationId }).where('cluster_id', '=', row.cluster_id).execute();
      }
    }
    if (input.regulator) detail.regulator = input.regulator;
    if (input.platform) detail.platform = input.platform;
    if (input.reason) detail.reason = input.reason;
    await logAction(trx, id, input.kind, actor!.userId, now, input.note ?? null, Object.keys(detail).length ? detail : undefined);
    const isOutcome = OUTCOMES.includes(input.kind);
    let status = row.status as CaseStatus;
    if (input.close) {
      if (!isOutcome && !row.outcome) throw new AppError('conflict', '办结前请先记录处置措施（含“无需处置”）');
      status = 'closed';
    } else if (isOutcome && input.kind !== 'no_action' && (status === 'new' || status === 'verifying')) status = 'responding';
    await trx
      .updateTable('opinion_cases')
      .set({ outcome: isOutcome ? input.kind : row.outcome, refutation_id: refutationId, status, closed_at: status === 'closed' ? now : null, updated_at: now })
      .where('id', '=', id)
      .execute();
    if (status !== row.status) await logAction(trx, id, 'status', actor!.userId, now, null, { from: row.status, to: status });
    await kernel.audit.record({ actor, action: `opinion.case.${input.kind}`, target: id, detail: { ...detail, status } }, trx);
  });
  return getCase(kernel, actor, id);
}

/** 价格违法线索移交单: a printable Word sheet with the lead's content (never who posted it). */
export async function referralSheet(kernel: Kernel, actor: Actor | null, id: string): Promise<{ content: Buffer; fileName: string }> {
  const row = await loadCase(kernel, actor, id, 'opinion.read');
  const { actions } = await getCase(kernel, actor, id);
  const referral = [...actions].reverse().find((x) => x.kind === 'refer_regulator');
  const regulator = String(referral?.detail?.regulator ?? '区市场监督管理局');
  const cluster = row.cluster_id ? await findCluster(kernel.db, row.cluster_id) : undefined;
  const posts = await kernel.db
    .selectFrom('opinion_posts')
    .select(['text', 'url', 'source', 'published_at'])
    .where((eb) => (row.cluster_id ? eb('cluster_id', '=', row.cluster_id) : eb('id', '=', row.post_id ?? '')))
    .orderBy('published_at')
    .limit(5)
    .execute();
  const org = await kernel.db.selectFrom('orgs').select('name').where('id', '=', row.org_id).executeTakeFirst();
  const tz = kernel.config.timeZone;
  const when = (t: string) => new Date(t).toLocaleString('zh-CN', { timeZone: tz, hour12: false });
  const doc: DocModel = {
    title: '价格违法线索移交单',
    blocks: [
      { type: 'title', text: '价格违法线索移交单' },
      { type: 'subtitle', text: `（${org?.name ?? ''}网络舆情监测）` },
      { type: 'p', text: `${regulator}：` },
      {
        type: 'p',
        text: `我单位在网络舆情监测中发现以下涉嫌哄抬物价、囤积居奇等价格违法行为的线索，现移交贵单位依法核查处理，请将核查结果反馈我单位。`,
      },
      {
        type: 'table',
        table: {
          caption: '线索情况',
          header: ['项目', '内容'],
          rows: [
            ['工单编号', row.id.slice(0, 8).toUpperCase()],
            ['线索类别', CATEGORY_NAMES[row.category as Category] ?? row.category],
            ['标题', row.title],
            ['首次发现', cluster ? when(cluster.first_seen) : posts[0] ? when(posts[0].published_at) : ''],
            ['传播情况', cluster ? `同一内容共${cluster.size}条` : '1条'],
            ['移交时间', when(referral?.at ?? iso(kernel.clock()))],
            ['承办人', referral?.by ?? ''],
          ],
        },
      },
      { type: 'h1', text: '相关网络信息（摘录）' },
      ...posts.map((p, i) => ({ type: 'p' as const, text: `${i + 1}. ${p.text.slice(0, 300)}（${p.source}，${when(p.published_at)}${p.url ? `，${p.url}` : ''}）` })),
      ...(referral?.note ? [{ type: 'p' as const, text: `补充说明：${referral.note}` }] : []),
      { type: 'note', text: '本移交单只载明网络信息内容，不含发布者身份信息。' },
    ],
    figures: [],
    meta: { orgName: org?.name ?? '', from: row.created_at.slice(0, 10), to: row.created_at.slice(0, 10), asOf: iso(kernel.clock()) },
  };
  await kernel.audit.record({ actor, action: 'opinion.case.referral_sheet', target: id });
  return { content: await toDocx(doc), fileName: `价格违法线索移交单-${row.id.slice(0, 8)}.docx` };
}
