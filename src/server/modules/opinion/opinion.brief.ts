// The opinion daily brief (舆情日报) and the opinion section of the stage summary. Both count what
// was said and what the office did about it: volume, the claims that spread most, new rumours and
// whether they were refuted, leads referred to regulators, concerns answered. Never who posted.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { iso, localDate } from '../../kernel/time.ts';
import type { ChartSpec, Figure, ReportProvider, TableSpec } from '../../kernel/reports.ts';
import type { Block, DocModel } from '../reports/reports.document.ts';
import { tokenizeView } from '../reports/reports.document.ts';
import { renderPart } from '../reports/reports.templates.ts';
import { archiveReport, CONTENT_TYPES, dateText, EXTENSIONS, render, type Format, type Generated } from '../reports/reports.service.ts';
import { CASE_STATUS_NAMES, CATEGORIES, CATEGORY_NAMES, type CaseStatus, type Category } from './opinion.schema.ts';
import { withSamples } from './opinion.queries.ts';

export const OPINION_BRIEF = 'opinion-brief';

export const BRIEF_PARTS: Record<string, string> = {
  title: '{{orgName}}网络舆情日报',
  subtitle: '（{{dateText}}）',
  volume:
    '{{dateText}}，共监测到网络信息{{total}}，其中涉及疫情防控的{{relevant}}{{#categories.length}}（{{#categories}}{{name}}{{count}}{{^last}}，{{/last}}{{/categories}}）{{/categories.length}}。',
  quiet: '{{dateText}}未监测到网络信息。',
  clusters: '传播较多的内容：',
  rumors: '新出现疑似谣言{{rumorCount}}，{{#refutedCount}}其中{{refutedCount}}已有辟谣信息，{{/refutedCount}}{{#unrefuted}}尚未辟谣{{unrefuted}}，请及时核实。{{/unrefuted}}{{^unrefuted}}均已对照辟谣。{{/unrefuted}}',
  actions:
    '当日处置：{{#refutations}}发布辟谣信息{{refutations}}，{{/refutations}}{{#answers}}回应群众关切{{answers}}，{{/answers}}{{#referrals}}向市场监管部门移交涨价线索{{referrals}}，{{/referrals}}{{#removals}}提请平台删除有害信息{{removals}}，{{/removals}}办结工单{{closed}}，尚有{{open}}在办{{#overdue}}（其中{{overdue}}超时）{{/overdue}}。',
  alerts: '当日触发舆情预警{{alerts}}。',
  footer: '本日报由一线平台根据舆情监测数据自动生成，只统计网络信息内容，不含发布者身份信息；数据截至{{asOfText}}。',
};

/** The UTC instants that bound a local calendar day. */
export function localDayRange(date: string, timeZone: string): { from: string; to: string } {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(guess))
      .map((p) => [p.type, p.value]),
  );
  const asLocal = Date.parse(`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}Z`);
  const start = guess - (asLocal - guess);
  return { from: new Date(start).toISOString(), to: new Date(start + 86_400_000).toISOString() };
}

const scoped = (kernel: Kernel, orgId: string) => ({
  posts: () =>
    kernel.db.selectFrom('opinion_posts as p').innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'p.org_id').on('c.ancestor_id', '=', orgId)),
  cases: () =>
    kernel.db.selectFrom('opinion_cases as k').innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'k.org_id').on('c.ancestor_id', '=', orgId)),
});

/** Counts over a period (UTC instants), shared by the brief and the stage summary. */
export async function opinionCounts(kernel: Kernel, orgId: string, from: string, to: string) {
  const s = scoped(kernel, orgId);
  const volume = await s
    .posts()
    .select((eb) => ['p.relevant', 'p.category', eb.fn.countAll<number>().as('n')])
    .where('p.published_at', '>=', from)
    .where('p.published_at', '<', to)
    .groupBy(['p.relevant', 'p.category'])
    .execute();
  let total = 0;
  let relevant = 0;
  const byCategory: Record<string, number> = {};
  for (const v of volume) {
    total += Number(v.n);
    if (v.relevant === 1) {
      relevant += Number(v.n);
      byCategory[v.category] = (byCategory[v.category] ?? 0) + Number(v.n);
    }
  }
  const actions = await s
    .cases()
    .innerJoin('opinion_case_actions as x', 'x.case_id', 'k.id')
    .select((eb) => ['x.kind', eb.fn.countAll<number>().as('n')])
    .where('x.at', '>=', from)
    .where('x.at', '<', to)
    .groupBy('x.kind')
    .execute();
  const byAction: Record<string, number> = Object.fromEntries(actions.map((a) => [a.kind, Number(a.n)]));
  const closed = await s.cases().select((eb) => eb.fn.countAll<number>().as('n')).where('k.closed_at', '>=', from).where('k.closed_at', '<', to).executeTakeFirst();
  const open = await s
    .cases()
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>(eb.case().when('k.due_at', '<', to).then(1).else(0).end()).as('overdue')])
    .where('k.status', '!=', 'closed')
    .where('k.created_at', '<', to)
    .executeTakeFirst();
  const alerts = await kernel.db
    .selectFrom('opinion_alerts as a')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'a.org_id').on('c.ancestor_id', '=', orgId))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.created_at', '>=', from)
    .where('a.created_at', '<', to)
    .executeTakeFirst();
  return {
    total,
    relevant,
    byCategory,
    byAction,
    closed: Number(closed?.n ?? 0),
    open: Number(open?.n ?? 0),
    overdue: Number(open?.overdue ?? 0),
    alerts: Number(alerts?.n ?? 0),
  };
}

export async function composeOpinionBrief(kernel: Kernel, orgId: string, orgName: string, date: string): Promise<DocModel> {
  const { from, to } = localDayRange(date, kernel.config.timeZone);
  const c = await opinionCounts(kernel, orgId, from, to);
  const link = (q: string) => `/opinion/posts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}${q}`;
  const fig = (value: number, unit: string, q = ''): Figure => ({ value, unit, link: link(q) });
  const s = scoped(kernel, orgId);

  const top = await withSamples(
    kernel.db,
    await s
      .posts()
      .innerJoin('opinion_clusters as k', 'k.id', 'p.cluster_id')
      .select((eb) => ['k.id', 'k.sample_text', 'k.sample_post_id', 'k.category', 'k.refutation_id', 'k.size', eb.fn.countAll<number>().as('n')])
      .where('p.published_at', '>=', from)
      .where('p.published_at', '<', to)
      .where('p.relevant', '=', 1)
      .groupBy(['k.id', 'k.sample_text', 'k.sample_post_id', 'k.category', 'k.refutation_id', 'k.size'])
      .orderBy('n', 'desc')
      .limit(5)
      .execute(),
  );
  const caseOf = new Map<string, string>();
  if (top.length) {
    for (const r of await kernel.db.selectFrom('opinion_cases').select(['cluster_id', 'status']).where('cluster_id', 'in', top.map((t) => t.id)).execute())
      if (r.cluster_id) caseOf.set(r.cluster_id, CASE_STATUS_NAMES[r.status as CaseStatus]);
  }
  const rumors = await s
    .posts()
    .innerJoin('opinion_clusters as k', 'k.id', 'p.cluster_id')
    .select(['k.id', 'k.refutation_id'])
    .distinct()
    .where('k.first_seen', '>=', from)
    .where('k.first_seen', '<', to)
    .where('k.category', '=', 'rumor')
    .where('k.relevant', '=', 1)
    .execute();
  const refuted = rumors.filter((r) => r.refutation_id).length;

  const figures: Figure[] = [];
  const categories = CATEGORIES.filter((k) => (c.byCategory[k] ?? 0) > 0);
  const view = tokenizeView(
    {
      orgName,
      dateText: dateText(date),
      asOfText: dateText(localDate(kernel.clock(), kernel.config.timeZone)),
      total: fig(c.total, '条'),
      relevant: fig(c.relevant, '条', '&relevant=true'),
      categories: categories.map((k, i) => ({ name: CATEGORY_NAMES[k], count: fig(c.byCategory[k]!, '条', `&category=${k}`), last: i === categories.length - 1 })),
      rumorCount: fig(rumors.length, '个'),
      refutedCount: refuted ? fig(refuted, '个') : null,
      unrefuted: rumors.length - refuted ? fig(rumors.length - refuted, '个') : null,
      refutations: c.byAction.publish_refutation ? fig(c.byAction.publish_refutation, '条') : null,
      answers: c.byAction.answer_concern ? fig(c.byAction.answer_concern, '条') : null,
      referrals: c.byAction.refer_regulator ? fig(c.byAction.refer_regulator, '条') : null,
      removals: c.byAction.request_removal ? fig(c.byAction.request_removal, '条') : null,
      closed: fig(c.closed, '件'),
      open: fig(c.open, '件'),
      overdue: c.overdue ? fig(c.overdue, '件') : null,
      alerts: fig(c.alerts, '次'),
    },
    figures,
  ) as Record<string, unknown>;
  const r = (key: string) => renderPart(BRIEF_PARTS, key, view);
  const blocks: Block[] = [
    { type: 'title', text: r('title') },
    { type: 'subtitle', text: r('subtitle') },
    { type: 'p', text: c.total ? r('volume') : r('quiet') },
  ];
  if (top.length) {
    blocks.push({ type: 'h1', text: '一、传播较多的内容' });
    const table: TableSpec = {
      caption: '当日传播较多的内容（按条数）',
      header: ['内容摘要', '类别', '当日条数', '累计条数', '辟谣', '工单'],
      rows: top.map((t) => [
        t.sample_text.slice(0, 60) + (t.sample_text.length > 60 ? '…' : ''),
        CATEGORY_NAMES[t.category as Category] ?? t.category,
        { value: Number(t.n), unit: '条', link: `/opinion/clusters/${t.id}` },
        { value: Number(t.size), unit: '条', link: `/opinion/clusters/${t.id}` },
        t.refutation_id ? '已辟谣' : t.category === 'rumor' ? '未辟谣' : '—',
        caseOf.get(t.id) ?? '—',
      ]),
    };
    blocks.push({ type: 'table', table });
  }
  if (rumors.length) {
    blocks.push({ type: 'h1', text: `${top.length ? '二' : '一'}、新出现的疑似谣言` });
    blocks.push({ type: 'p', text: r('rumors') });
  }
  blocks.push({ type: 'h1', text: `${['一', '二', '三'][(top.length ? 1 : 0) + (rumors.length ? 1 : 0)]}、处置情况` });
  blocks.push({ type: 'p', text: r('actions') });
  if (c.alerts) blocks.push({ type: 'p', text: r('alerts') });
  const chart = await hourlyChart(kernel, orgId, from, to);
  if (chart) blocks.push({ type: 'chart', chart });
  blocks.push({ type: 'note', text: r('footer') });
  return { title: r('title'), blocks, figures, meta: { orgName, from: date, to: date, asOf: iso(kernel.clock()) } };
}

async function hourlyChart(kernel: Kernel, orgId: string, from: string, to: string): Promise<ChartSpec | undefined> {
  const rows = await kernel.db
    .selectFrom('opinion_hourly as h')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'h.org_id').on('c.ancestor_id', '=', orgId))
    .select((eb) => ['h.hour', 'h.series', eb.fn.sum<number>('h.count').as('n')])
    .where('h.hour', '>=', from.slice(0, 13))
    .where('h.hour', '<', to.slice(0, 13))
    .where('h.series', 'in', ['cat:rumor', 'cat:price_gouging', 'cat:concern', 'cat:positive', 'cat:other'])
    .groupBy(['h.hour', 'h.series'])
    .execute();
  if (!rows.length) return undefined;
  const start = Date.parse(from);
  const hours = Array.from({ length: 24 }, (_, i) => new Date(start + i * 3_600_000).toISOString().slice(0, 13));
  const local = (h: string) => new Date(`${h}:00:00Z`).toLocaleString('zh-CN', { timeZone: kernel.config.timeZone, hour: '2-digit', hour12: false });
  const series = CATEGORIES.map((cat) => ({
    name: CATEGORY_NAMES[cat],
    data: hours.map((h) => Number(rows.find((r) => r.hour === h && r.series === `cat:${cat}`)?.n ?? 0)),
  })).filter((s) => s.data.some((x) => x > 0));
  return { title: '当日涉疫网络信息分时走势（条）', categories: hours.map(local), series };
}

export async function generateOpinionBrief(kernel: Kernel, actor: Actor | null, input: { orgId?: string; date?: string; format: Format }): Promise<Generated> {
  let orgId = input.orgId;
  if (actor) orgId = (await kernel.authz.require(actor, 'opinion.read')).orgId;
  const date = input.date ?? localDate(new Date(kernel.clock().getTime() - 86_400_000), kernel.config.timeZone);
  const org = await kernel.db.selectFrom('orgs').select('name').where('id', '=', orgId!).executeTakeFirstOrThrow();
  const doc = await composeOpinionBrief(kernel, orgId!, org.name, date);
  const content = await render(doc, input.format);
  const id = await archiveReport(kernel, actor, OPINION_BRIEF, doc, input.format, content, { orgId, date, format: input.format }, 1);
  return { id, content, contentType: CONTENT_TYPES[input.format], fileName: `${doc.title}（${date}）.${EXTENSIONS[input.format]}` };
}

export function registerBriefJobs(kernel: Kernel) {
  kernel.jobs.register('opinion.daily-brief', async () => {
    const roots = await kernel.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).execute();
    for (const root of roots) for (const format of ['markdown', 'docx'] as const) await generateOpinionBrief(kernel, null, { orgId: root.id, format });
  });
  // Each morning: slots align to 00:00 UTC, i.e. 08:00 in Asia/Shanghai, for the previous day.
  kernel.jobs.schedule('opinion.daily-brief', 'opinion.daily-brief', 24 * 3_600_000);
}

/** 三是 网络舆情 in the stage summary: content handled, never people. */
export const opinionReportProvider: ReportProvider = {
  id: 'opinion',
  order: 30,
  defaultParts: {
    'opinion.heading': '加强网络舆情监测，营造清朗网络空间',
    'opinion.body':
      '网络监测到涉及疫情防控的相关网络信息{{relevant}}{{#rumors}}，其中疑似谣言{{rumors}}{{/rumors}}。{{#refutations}}发布辟谣信息{{refutations}}，{{/refutations}}{{#answers}}回应群众关切{{answers}}，{{/answers}}{{#referrals}}监测提供不法商家恶意涨价线索{{referrals}}，{{/referrals}}{{#removals}}提请平台删除有害信息{{removals}}，{{/removals}}{{#anyAction}}及时研判处置，{{/anyAction}}{{#calm}}属地网络舆情总体平稳。{{/calm}}{{^calm}}共触发舆情预警{{alerts}}，均已跟踪处置。{{/calm}}',
  },
  async collect(kernel, scope) {
    const { from } = localDayRange(scope.from, kernel.config.timeZone);
    const { to } = localDayRange(scope.to, kernel.config.timeZone);
    const c = await opinionCounts(kernel, scope.orgId, from, to);
    if (c.total === 0 && Object.keys(c.byAction).length === 0) return null;
    const link = `/opinion/posts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const fig = (value: number, unit = '条', q = ''): Figure => ({ value, unit, link: link + q });
    const a = c.byAction;
    return {
      view: {
        relevant: fig(c.relevant, '条', '&relevant=true'),
        rumors: c.byCategory.rumor ? fig(c.byCategory.rumor, '条', '&category=rumor') : null,
        refutations: a.publish_refutation ? fig(a.publish_refutation) : null,
        answers: a.answer_concern ? fig(a.answer_concern) : null,
        referrals: a.refer_regulator ? fig(a.refer_regulator) : null,
        removals: a.request_removal ? fig(a.request_removal) : null,
        anyAction: !!(a.publish_refutation || a.answer_concern || a.refer_regulator || a.request_removal),
        calm: c.alerts === 0,
        alerts: fig(c.alerts, '次'),
      },
    };
  },
};
