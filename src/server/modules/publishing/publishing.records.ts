// The work-summary side of publishing: events and first-release timing (第一时间), press
// conferences, outside coverage (对外宣传), and counts by channel, kind, theme, original vs repost.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';

const dayStart = (d: string) => `${d}T00:00:00.000Z`;
/** Period bounds in the district's local days, as UTC instants. */
function bounds(kernel: Kernel, from: string, to: string) {
  if (from > to) throw new AppError('invalid_input', '起始日期不能晚于结束日期');
  // Asia/Shanghai has no DST; compute the offset once for the period start.
  const probe = new Date(dayStart(from));
  const local = new Date(probe.toLocaleString('en-US', { timeZone: kernel.config.timeZone }));
  const utc = new Date(probe.toLocaleString('en-US', { timeZone: 'UTC' }));
  const offset = local.getTime() - utc.getTime();
  return { start: iso(new Date(Date.parse(dayStart(from)) - offset)), end: iso(new Date(Date.parse(dayStart(to)) + 86_400_000 - offset)) };
}

export async function createEvent(kernel: Kernel, actor: Actor | null, input: { title: string; occurredAt: string; orgId?: string }) {
  const a = await kernel.authz.require(actor, 'publishing.records', { orgId: input.orgId ?? null });
  const id = newId();
  await kernel.db.transaction().execute(async (trx) => {
    await trx.insertInto('pub_events').values({ id, org_id: input.orgId ?? a.orgId, title: input.title, occurred_at: iso(new Date(input.occurredAt)), created_by: a.userId, created_at: iso(kernel.clock()) }).execute();
    await kernel.audit.record({ actor: a, action: 'publishing.event.create', target: id }, trx);
  });
  return { id };
}

/** Per event: when it happened and how long until its first publication on each channel. */
export async function firstRelease(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'publishing.records');
  const events = await kernel.db
    .selectFrom('pub_events as e')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'e.org_id').on('oc.ancestor_id', '=', a.orgId))
    .selectAll('e')
    .orderBy('e.occurred_at', 'desc')
    .execute();
  const out = [];
  for (const e of events) {
    const rows = await kernel.db
      .selectFrom('pub_deliveries as d')
      .innerJoin('pub_content as c', 'c.id', 'd.content_id')
      .select(['d.channel', (eb) => eb.fn.min('d.sent_at').as('first_at')])
      .where('c.event_id', '=', e.id)
      .where('d.sent_at', 'is not', null)
      .groupBy('d.channel')
      .execute();
    const channels = rows.map((r) => ({
      channel: r.channel,
      firstAt: r.first_at as string,
      minutes: Math.round((Date.parse(r.first_at as string) - Date.parse(e.occurred_at)) / 60_000),
    }));
    out.push({ id: e.id, title: e.title, occurredAt: e.occurred_at, channels, firstMinutes: channels.length ? Math.min(...channels.map((c) => c.minutes)) : null });
  }
  return out;
}

export async function createPressConference(
  kernel: Kernel,
  actor: Actor | null,
  input: { title: string; heldAt: string; place: string; speakers: string[]; topics: string[]; liveContentId?: string; releaseContentId?: string },
) {
  const a = await kernel.authz.require(actor, 'publishing.records');
  const id = newId();
  await kernel.db.transaction().execute(async (trx) => {
    for (const cid of [input.liveContentId, input.releaseContentId].filter(Boolean) as string[]) {
      if (!(await trx.selectFrom('pub_content').select('id').where('id', '=', cid).executeTakeFirst())) throw new AppError('invalid_input', '关联的稿件不存在');
    }
    await trx
      .insertInto('pub_press_conferences')
      .values({
        id,
        org_id: a.orgId,
        title: input.title,
        held_at: iso(new Date(input.heldAt)),
        place: input.place,
        speakers: JSON.stringify(input.speakers),
        topics: JSON.stringify(input.topics),
        live_content_id: input.liveContentId ?? null,
        release_content_id: input.releaseContentId ?? null,
        created_by: a.userId,
        created_at: iso(kernel.clock()),
      })
      .execute();
    await kernel.audit.record({ actor: a, action: 'publishing.press.create', target: id }, trx);
  });
  return { id };
}

export async function listPressConferences(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'publishing.records');
  const rows = await kernel.db
    .selectFrom('pub_press_conferences as p')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'p.org_id').on('oc.ancestor_id', '=', a.orgId))
    .selectAll('p')
    .orderBy('p.held_at', 'desc')
    .execute();
  return rows.map((p) => ({
    id: p.id,
    title: p.title,
    heldAt: p.held_at,
    place: p.place,
    speakers: JSON.parse(p.speakers) as string[],
    topics: JSON.parse(p.topics) as string[],
    liveContentId: p.live_content_id,
    releaseContentId: p.release_content_id,
  }));
}

export async function addCoverage(
  kernel: Kernel,
  actor: Actor | null,
  input: { outlet: string; level: string; title: string; url?: string; publishedOn: string; topic?: string },
) {
  const a = await kernel.authz.require(actor, 'publishing.records');
  const id = newId();
  await kernel.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('pub_coverage')
      .values({ id, org_id: a.orgId, outlet: input.outlet, level: input.level, title: input.title, url: input.url ?? null, published_on: input.publishedOn, topic: input.topic ?? null, created_by: a.userId, created_at: iso(kernel.clock()) })
      .execute();
    await kernel.audit.record({ actor: a, action: 'publishing.coverage.create', target: id }, trx);
  });
  return { id };
}

export async function coverageReport(kernel: Kernel, actor: Actor | null, q: { from: string; to: string; orgId?: string }) {
  const a = await kernel.authz.require(actor, 'publishing.records', { orgId: q.orgId ?? null });
  return coverageFor(kernel, q.orgId ?? a.orgId, q.from, q.to);
}

/** Outside coverage of an org's subtree in a period (no authorisation: callers check). */
export async function coverageFor(kernel: Kernel, orgId: string, from: string, to: string) {
  const q = { from, to };
  const rows = await kernel.db
    .selectFrom('pub_coverage as v')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'v.org_id').on('oc.ancestor_id', '=', orgId))
    .selectAll('v')
    .where('v.published_on', '>=', q.from)
    .where('v.published_on', '<=', q.to)
    .orderBy('v.published_on', 'desc')
    .execute();
  const count = (key: (r: (typeof rows)[number]) => string) => rows.reduce<Record<string, number>>((m, r) => ((m[key(r)] = (m[key(r)] ?? 0) + 1), m), {});
  return {
    total: rows.length,
    byLevel: count((r) => r.level),
    byOutlet: count((r) => r.outlet),
    items: rows.map((r) => ({ id: r.id, outlet: r.outlet, level: r.level, title: r.title, url: r.url, publishedOn: r.published_on, topic: r.topic })),
  };
}

/** Items published in a period (by original publication time), counted several ways. */
export async function publishingCounts(kernel: Kernel, actor: Actor | null, q: { from: string; to: string; orgId?: string }) {
  const a = await kernel.authz.require(actor, 'content.read', { orgId: q.orgId ?? null });
  return countsFor(kernel, q.orgId ?? a.orgId, q.from, q.to);
}

/** Publishing counts of an org's subtree in a period (no authorisation: callers check). */
export async function countsFor(kernel: Kernel, orgId: string, from: string, to: string) {
  const q = { from, to, orgId };
  const a = { orgId };
  const { start, end } = bounds(kernel, q.from, q.to);
  const items = await kernel.db
    .selectFrom('pub_content as c')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'c.org_id').on('oc.ancestor_id', '=', q.orgId ?? a.orgId))
    .select(['c.id', 'c.kind', 'c.theme', 'c.is_repost', 'c.channels'])
    .where('c.published_at', '>=', start)
    .where('c.published_at', '<', end)
    .where('c.status', 'in', ['published', 'unpublished'])
    .execute();
  const byChannel: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  const byTheme: Record<string, number> = {};
  let reposts = 0;
  for (const i of items) {
    for (const ch of JSON.parse(i.channels) as string[]) byChannel[ch] = (byChannel[ch] ?? 0) + 1;
    byKind[i.kind] = (byKind[i.kind] ?? 0) + 1;
    byTheme[i.theme] = (byTheme[i.theme] ?? 0) + 1;
    if (i.is_repost) reposts++;
  }
  // "刊发转发…条次": one item on three channels counts three times.
  const placements = Object.values(byChannel).reduce((s, n) => s + n, 0);
  const press = await kernel.db
    .selectFrom('pub_press_conferences as p')
    .innerJoin('org_closure as oc', (j) => j.onRef('oc.descendant_id', '=', 'p.org_id').on('oc.ancestor_id', '=', q.orgId ?? a.orgId))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('p.held_at', '>=', start)
    .where('p.held_at', '<', end)
    .executeTakeFirstOrThrow();
  return { from: q.from, to: q.to, items: items.length, placements, originals: items.length - reposts, reposts, byChannel, byKind, byTheme, pressConferences: Number(press.n) };
}
