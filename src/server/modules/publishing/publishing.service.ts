// Editorial workflow: draft → in_review → approved → published (or scheduled), with four eyes
// (the approver is a reviewer who is not the author), review comments, versions with diffs,
// unpublishing and public corrections. Publishing creates one delivery record per channel.
import { createTwoFilesPatch } from 'diff';
import type { Actor, Kernel } from '../../kernel/index.ts';
import type { Trx } from '../../db/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import { searchTerms } from '../../../text/segment.ts';
import { bumpPublicVersion, flushAfterCommit } from './publishing.version.ts';
import { plainText, sanitizeBody } from './publishing.sanitize.ts';
import { deliveriesOf, findContent, insertContent, insertVersion, listContent, type ContentRow } from './publishing.queries.ts';
import type { ContentView, CreateContentInput, UpdateContentInput } from './publishing.schema.ts';
import { scheduleDeliveries } from './publishing.delivery.ts';

export const presentContent = (c: ContentRow): ContentView => ({
  id: c.id,
  orgId: c.org_id,
  kind: c.kind,
  theme: c.theme,
  title: c.title,
  summary: c.summary,
  body: c.body_html,
  channels: JSON.parse(c.channels),
  isRepost: !!c.is_repost,
  sourceName: c.source_name,
  sourceUrl: c.source_url,
  eventId: c.event_id,
  status: c.status as ContentView['status'],
  version: c.version,
  authorId: c.author_id,
  authorName: c.author_name ?? null,
  approverId: c.approver_id,
  scheduledAt: c.scheduled_at,
  publishedAt: c.published_at,
  correctionNote: c.correction_note,
  createdAt: c.created_at,
  updatedAt: c.updated_at,
});

/** Space-separated search terms with a space at both ends, so `LIKE '% term %'` matches whole terms. */
export const searchText = (title: string, bodyHtml: string) => ` ${searchTerms(`${title} ${plainText(bodyHtml)}`).join(' ')} `;


async function load(kernel: Kernel, actor: Actor | null, id: string, permission: Parameters<Kernel['authz']['require']>[1]) {
  const row = await findContent(kernel.db, id);
  const a = await kernel.authz.require(actor, permission, { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound('稿件');
  return { a, row };
}

const reload = async (trx: Trx, id: string) => presentContent((await findContent(trx, id))!);

function assertStatus(row: ContentRow, allowed: string[], message: string) {
  if (!allowed.includes(row.status)) throw new AppError('conflict', message);
}

export async function createContent(kernel: Kernel, actor: Actor | null, input: CreateContentInput): Promise<ContentView> {
  const a = await kernel.authz.require(actor, 'content.write');
  return kernel.db.transaction().execute(async (trx) => {
    if (input.eventId && !(await trx.selectFrom('pub_events').select('id').where('id', '=', input.eventId).executeTakeFirst())) {
      throw new AppError('invalid_input', '关联的事件不存在', [{ path: 'body.eventId', message: '事件不存在' }]);
    }
    return reload(trx, await insertDraft(kernel, trx, a, a.orgId, input, null));
  });
}

/**
 * Writes a new draft (its first version, audited) for `orgId` by `a`, in the caller's transaction; its
 * id. createContent's, and a draft another module hands over (`from`: a refutation drafted in opinion
 * monitoring), written on behalf of an actor that module has authorised for its own action there: it
 * is only a draft, and editing, review (four eyes) and publishing stay with the content roles.
 */
export async function insertDraft(kernel: Kernel, trx: Trx, a: Actor, orgId: string, input: CreateContentInput, from: string | null): Promise<string> {
  const body = sanitizeBody(input.body);
  const now = iso(kernel.clock());
  const id = newId();
  await insertContent(trx, {
    id,
    org_id: orgId,
    kind: input.kind,
    theme: input.theme,
    title: input.title,
    summary: input.summary ?? null,
    body_html: body,
    channels: JSON.stringify([...new Set(input.channels)]),
    is_repost: input.isRepost ? 1 : 0,
    source_name: input.sourceName ?? null,
    source_url: input.sourceUrl ?? null,
    event_id: input.eventId ?? null,
    status: 'draft',
    version: 1,
    author_id: a.userId,
    approver_id: null,
    scheduled_at: null,
    published_at: null,
    correction_note: null,
    search_text: searchText(input.title, body),
    created_at: now,
    updated_at: now,
  });
  await insertVersion(trx, { content_id: id, version: 1, title: input.title, body_html: body, edited_by: a.userId, note: null, created_at: now });
  await kernel.audit.record({ actor: a, action: 'content.create', target: id, detail: from ? { kind: input.kind, from } : { kind: input.kind } }, trx);
  return id;
}

export async function updateContent(kernel: Kernel, actor: Actor | null, id: string, input: UpdateContentInput): Promise<ContentView> {
  const { a, row } = await load(kernel, actor, id, 'content.write');
  assertStatus(row, ['draft', 'in_review'], '只有草稿或待审稿件可以修改；已发布稿件请走更正流程');
  return kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    const body = input.body !== undefined ? sanitizeBody(input.body) : row.body_html;
    const title = input.title ?? row.title;
    const changedText = body !== row.body_html || title !== row.title;
    const version = changedText ? row.version + 1 : row.version;
    await trx
      .updateTable('pub_content')
      .set({
        kind: input.kind ?? row.kind,
        theme: input.theme ?? row.theme,
        title,
        summary: input.summary ?? row.summary,
        body_html: body,
        channels: input.channels ? JSON.stringify([...new Set(input.channels)]) : row.channels,
        is_repost: input.isRepost === undefined ? row.is_repost : input.isRepost ? 1 : 0,
        source_name: input.sourceName ?? row.source_name,
        source_url: input.sourceUrl ?? row.source_url,
        event_id: input.eventId ?? row.event_id,
        // An edit during review sends the item back to its author's draft.
        status: 'draft',
        version,
        search_text: searchText(title, body),
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    if (changedText) await insertVersion(trx, { content_id: id, version, title, body_html: body, edited_by: a.userId, note: null, created_at: now });
    await kernel.audit.record({ actor: a, action: 'content.update', target: id, detail: { fields: Object.keys(input), version } }, trx);
    return reload(trx, id);
  });
}

/** A transaction whose after-commit hooks (public cache refresh) run once it committed. */
async function tx<T>(kernel: Kernel, fn: (trx: Trx) => Promise<T>): Promise<T> {
  let t: Trx | undefined;
  const result = await kernel.db.transaction().execute((trx) => {
    t = trx;
    return fn(trx);
  });
  flushAfterCommit(t!);
  return result;
}

async function transition(kernel: Kernel, a: Actor, row: ContentRow, set: Record<string, unknown>, action: string, detail: Record<string, unknown> = {}, after?: (trx: Trx) => Promise<void>) {
  return tx(kernel, async (trx) => {
    // Compare-and-set on the status: a concurrent transition loses instead of doubling up.
    const res = await trx
      .updateTable('pub_content')
      .set({ ...set, updated_at: iso(kernel.clock()) })
      .where('id', '=', row.id)
      .where('status', '=', row.status)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new AppError('conflict', '稿件状态已被他人修改，请刷新后重试');
    await after?.(trx);
    await kernel.audit.record({ actor: a, action, target: row.id, detail: { from: row.status, ...detail } }, trx);
    return reload(trx, row.id);
  });
}

export async function submitContent(kernel: Kernel, actor: Actor | null, id: string) {
  const { a, row } = await load(kernel, actor, id, 'content.write');
  assertStatus(row, ['draft'], '只有草稿可以送审');
  return transition(kernel, a, row, { status: 'in_review' }, 'content.submit');
}

export async function approveContent(kernel: Kernel, actor: Actor | null, id: string) {
  const { a, row } = await load(kernel, actor, id, 'content.review');
  if (row.author_id === a.userId) {
    await kernel.audit.record({ actor: a, action: 'denied.content.review', target: id, outcome: 'denied', detail: { why: 'own_content' } });
    throw new AppError('forbidden', '不能审核自己撰写的稿件（须由作者以外的审核员审核）');
  }
  assertStatus(row, ['in_review'], '只有待审稿件可以审核通过');
  return transition(kernel, a, row, { status: 'approved', approver_id: a.userId }, 'content.approve', { version: row.version });
}

export async function rejectContent(kernel: Kernel, actor: Actor | null, id: string, note: string) {
  const { a, row } = await load(kernel, actor, id, 'content.review');
  assertStatus(row, ['in_review'], '只有待审稿件可以退回');
  return transition(kernel, a, row, { status: 'draft' }, 'content.reject', {}, async (trx) => {
    await trx.insertInto('pub_comments').values({ id: newId(), content_id: id, author_id: a.userId, body: `【退回】${note}`, created_at: iso(kernel.clock()) }).execute();
  });
}

export async function publishContent(kernel: Kernel, actor: Actor | null, id: string, scheduledAt?: string) {
  const { a, row } = await load(kernel, actor, id, 'content.publish');
  assertStatus(row, ['approved'], '只有审核通过的稿件可以发布');
  const when = scheduledAt ? new Date(scheduledAt) : undefined;
  if (when && when.getTime() > kernel.clock().getTime()) {
    return transition(kernel, a, row, { status: 'scheduled', scheduled_at: iso(when) }, 'content.schedule', { at: iso(when) }, async (trx) => {
      // One job per (item, version): a second schedule or a second instance cannot publish twice.
      await kernel.jobs.enqueue(trx, 'publishing.publish-scheduled', { id, version: row.version }, { runAt: when, uniqueKey: `publish:${id}:v${row.version}:${iso(when)}` });
    });
  }
  return transition(kernel, a, row, { status: 'published', published_at: iso(kernel.clock()), scheduled_at: null }, 'content.publish', { version: row.version }, async (trx) => {
    await scheduleDeliveries(kernel, trx, id, row.version, JSON.parse(row.channels));
    await bumpPublicVersion(kernel, trx);
  });
}

/** The scheduled-publishing job: publishes once, even if run again (at-least-once delivery). */
export async function publishScheduled(kernel: Kernel, payload: { id: string; version: number }) {
  await tx(kernel, async (trx) => {
    const res = await trx
      .updateTable('pub_content')
      .set({ status: 'published', published_at: iso(kernel.clock()), updated_at: iso(kernel.clock()) })
      .where('id', '=', payload.id)
      .where('status', '=', 'scheduled')
      .where('version', '=', payload.version)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return; // already published, rescheduled or withdrawn
    const row = (await findContent(trx, payload.id))!;
    await scheduleDeliveries(kernel, trx, row.id, row.version, JSON.parse(row.channels));
    await bumpPublicVersion(kernel, trx);
    await kernel.audit.record({ actor: null, action: 'content.publish', target: row.id, detail: { scheduled: true, version: row.version } }, trx);
  });
}

export async function cancelSchedule(kernel: Kernel, actor: Actor | null, id: string) {
  const { a, row } = await load(kernel, actor, id, 'content.publish');
  assertStatus(row, ['scheduled'], '该稿件没有定时发布');
  return transition(kernel, a, row, { status: 'approved', scheduled_at: null }, 'content.unschedule');
}

export async function unpublishContent(kernel: Kernel, actor: Actor | null, id: string, note: string) {
  const { a, row } = await load(kernel, actor, id, 'content.correct');
  assertStatus(row, ['published'], '只有已发布的稿件可以撤回');
  return transition(kernel, a, row, { status: 'unpublished' }, 'content.unpublish', { note }, (trx) => bumpPublicVersion(kernel, trx));
}

/** A public correction: a new version of a published item, with the note shown beside it. */
export async function correctContent(kernel: Kernel, actor: Actor | null, id: string, input: { body: string; title?: string; note: string }) {
  const { a, row } = await load(kernel, actor, id, 'content.correct');
  assertStatus(row, ['published'], '只有已发布的稿件可以更正');
  const body = sanitizeBody(input.body);
  const title = input.title ?? row.title;
  const version = row.version + 1;
  const now = iso(kernel.clock());
  const note = `${now.slice(0, 10)} 更正：${input.note}`;
  return transition(kernel, a, row, { body_html: body, title, version, correction_note: note, search_text: searchText(title, body) }, 'content.correct', { version, note: input.note }, async (trx) => {
    await insertVersion(trx, { content_id: id, version, title, body_html: body, edited_by: a.userId, note: input.note, created_at: now });
    await bumpPublicVersion(kernel, trx);
  });
}

export async function getContent(kernel: Kernel, actor: Actor | null, id: string) {
  const { row } = await load(kernel, actor, id, 'content.read');
  const deliveries = (await deliveriesOf(kernel.db, id)).map((d) => ({
    id: d.id,
    channel: d.channel,
    version: d.version,
    status: d.status as 'pending' | 'sent' | 'failed' | 'confirmed',
    attempts: d.attempts,
    lastError: d.last_error,
    externalId: d.external_id,
    sentAt: d.sent_at,
    confirmedAt: d.confirmed_at,
  }));
  const comments = await kernel.db
    .selectFrom('pub_comments as c')
    .leftJoin('users as u', 'u.id', 'c.author_id')
    .select(['c.id', 'c.body', 'c.created_at', 'u.display_name'])
    .where('c.content_id', '=', id)
    .orderBy('c.created_at')
    .execute();
  return {
    content: presentContent(row),
    deliveries,
    comments: comments.map((c) => ({ id: c.id, body: c.body, createdAt: c.created_at, author: c.display_name ?? '' })),
  };
}

export async function listContents(kernel: Kernel, actor: Actor | null, q: { status?: string; kind?: string; theme?: string; q?: string; limit: number; offset: number }) {
  const a = await kernel.authz.require(actor, 'content.read');
  const terms = q.q ? searchTerms(q.q).slice(0, 8) : undefined;
  return (await listContent(kernel.db, { ...q, terms, rootOrgId: a.orgId })).map(presentContent);
}

export async function addComment(kernel: Kernel, actor: Actor | null, id: string, body: string) {
  const { a } = await load(kernel, actor, id, 'content.read');
  await kernel.db.transaction().execute(async (trx) => {
    await trx.insertInto('pub_comments').values({ id: newId(), content_id: id, author_id: a.userId, body, created_at: iso(kernel.clock()) }).execute();
    await kernel.audit.record({ actor: a, action: 'content.comment', target: id }, trx);
  });
}

export async function versions(kernel: Kernel, actor: Actor | null, id: string) {
  await load(kernel, actor, id, 'content.read');
  const rows = await kernel.db
    .selectFrom('pub_versions as v')
    .leftJoin('users as u', 'u.id', 'v.edited_by')
    .select(['v.version', 'v.title', 'v.note', 'v.created_at', 'u.display_name'])
    .where('v.content_id', '=', id)
    .orderBy('v.version', 'desc')
    .execute();
  return rows.map((r) => ({ version: r.version, title: r.title, note: r.note, createdAt: r.created_at, editedBy: r.display_name ?? '' }));
}

/** A unified diff of the readable text of two versions. */
export async function diffVersions(kernel: Kernel, actor: Actor | null, id: string, from: number, to: number) {
  await load(kernel, actor, id, 'content.read');
  const rows = await kernel.db.selectFrom('pub_versions').selectAll().where('content_id', '=', id).where('version', 'in', [from, to]).execute();
  const a = rows.find((r) => r.version === from);
  const b = rows.find((r) => r.version === to);
  if (!a || !b) throw notFound('版本');
  const text = (r: typeof a) => `${r.title}\n\n${plainText(r.body_html)}\n`;
  return createTwoFilesPatch(`v${from}`, `v${to}`, text(a), text(b), '', '', { context: 3 });
}

export async function addLiveEntry(kernel: Kernel, actor: Actor | null, id: string, input: { body: string; at?: string }) {
  const { a, row } = await load(kernel, actor, id, 'content.write');
  if (row.kind !== 'live') throw new AppError('invalid_input', '只有图文直播稿件可以追加直播条目');
  // Entries of a live blog that is already published go out at once (the blog itself was reviewed).
  return tx(kernel, async (trx) => {
    const entryId = newId();
    const at = input.at ? iso(new Date(input.at)) : iso(kernel.clock());
    const body = sanitizeBody(input.body);
    if (!plainText(body).trim() && !/<img\b/i.test(body)) throw new AppError('invalid_input', '直播条目内容为空（或只含不允许的内容）', [{ path: 'body.body', message: '内容为空' }]);
    await trx.insertInto('pub_live_entries').values({ id: entryId, content_id: id, at, body_html: body, author_id: a.userId }).execute();
    if (row.status === 'published') await bumpPublicVersion(kernel, trx);
    await kernel.audit.record({ actor: a, action: 'content.live.add', target: id, detail: { entryId } }, trx);
    return { id: entryId, at };
  });
}

/** The entries of a live blog, newest first (as on the public page). */
export async function listLiveEntries(kernel: Kernel, actor: Actor | null, id: string) {
  await load(kernel, actor, id, 'content.read');
  const rows = await kernel.db
    .selectFrom('pub_live_entries as e')
    .leftJoin('users as u', 'u.id', 'e.author_id')
    .select(['e.id', 'e.at', 'e.body_html', 'u.display_name'])
    .where('e.content_id', '=', id)
    .orderBy('e.at', 'desc')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({ id: r.id, at: r.at, body: r.body_html, authorName: r.display_name ?? null }));
}
