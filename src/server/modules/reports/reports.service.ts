// Generated reports (工作总结): the stage summary and the outreach daily brief, composed from the
// modules' report providers and the office's templates, rendered as Markdown, HTML or Word, and
// archived with their parameters, the data's as-of time and a content hash.
import type { Actor, Kernel } from '../../kernel/index.ts';
import type { ReportScope } from '../../kernel/reports.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId, sha256OfBytes } from '../../kernel/crypto.ts';
import { isCalendarDate, iso, localDate } from '../../kernel/time.ts';
import { pointNumber, sectionNumber } from '../../../text/number-style.ts';
import { findOrg } from '../orgs/orgs.queries.ts';
import { tokenizeView, type Block, type DocModel } from './reports.document.ts';
import { toHtml, toMarkdown } from './reports.render.ts';
import { toDocx } from './reports.docx.ts';
import { DAILY_BRIEF, STAGE_SUMMARY, defaultPartsFor, renderPart, validateParts } from './reports.templates.ts';
import { findArchive, insertArchive, insertTemplate, latestTemplate, listArchive, templateVersions } from './reports.queries.ts';
import { dailyBriefData } from '../outreach/outreach.daily.ts';

export type Format = 'markdown' | 'html' | 'docx';
export const CONTENT_TYPES: Record<Format, string> = {
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};
export const EXTENSIONS: Record<Format, string> = { markdown: 'md', html: 'html', docx: 'docx' };

export const dateText = (d: string) => {
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
};

function checkPeriod(from: string, to: string) {
  if (!isCalendarDate(from) || !isCalendarDate(to)) throw new AppError('invalid_input', '日期无效');
  if (from > to) throw new AppError('invalid_input', '起始日期不能晚于结束日期');
  if (Date.parse(to) - Date.parse(from) > 3660 * 86_400_000) throw new AppError('invalid_input', '报告期不能超过十年');
}

// ---- templates --------------------------------------------------------------------------------

function providerParts(kernel: Kernel) {
  return Object.assign({}, ...kernel.reportProviders.map((p) => p.defaultParts)) as Record<string, string>;
}

export async function currentParts(kernel: Kernel, name: string) {
  const defaults = defaultPartsFor(name, providerParts(kernel));
  const row = await latestTemplate(kernel.db, name);
  // Saved parts override defaults; parts added by newer modules still appear.
  return { version: row?.version ?? 0, parts: { ...defaults, ...(row ? (JSON.parse(row.parts) as Record<string, string>) : {}) }, defaults };
}

export async function getTemplate(kernel: Kernel, actor: Actor | null, name: string) {
  await kernel.authz.require(actor, 'report.generate');
  const cur = await currentParts(kernel, name);
  const versions = (await templateVersions(kernel.db, name)).map((v) => ({ version: v.version, note: v.note, createdAt: v.created_at, createdBy: v.created_by_name ?? null }));
  return { name, ...cur, versions };
}

export async function saveTemplate(kernel: Kernel, actor: Actor | null, name: string, parts: Record<string, string>, note?: string) {
  const a = await kernel.authz.require(actor, 'report.template.manage');
  const defaults = defaultPartsFor(name, providerParts(kernel));
  const unknown = Object.keys(parts).filter((k) => !(k in defaults));
  if (unknown.length) throw new AppError('invalid_input', `模板中没有这些部分：${unknown.join('、')}`);
  validateParts(parts);
  return kernel.db.transaction().execute(async (trx) => {
    const version = ((await latestTemplate(trx, name))?.version ?? 0) + 1;
    await insertTemplate(trx, { name, version, parts: JSON.stringify(parts), note: note ?? null, created_by: a.userId, created_at: iso(kernel.clock()) });
    await kernel.audit.record({ actor: a, action: 'report.template.save', target: name, detail: { version, parts: Object.keys(parts) } }, trx);
    return { name, version };
  });
}

// ---- the stage summary ------------------------------------------------------------------------

export async function composeStageSummary(kernel: Kernel, scope: ReportScope, parts: Record<string, string>): Promise<DocModel> {
  const asOf = iso(kernel.clock());
  const figures: DocModel['figures'] = [];
  const base = { orgName: scope.orgName, fromText: dateText(scope.from), toText: dateText(scope.to), asOfText: dateText(localDate(kernel.clock(), kernel.config.timeZone)) };
  const r = (key: string, view: Record<string, unknown> = {}) => renderPart(parts, key, { ...base, ...view });
  const blocks: Block[] = [
    { type: 'title', text: r('title') },
    { type: 'subtitle', text: r('subtitle') },
    { type: 'p', text: r('opening') },
  ];
  let section = 0;
  const heading = (key: string) => blocks.push({ type: 'h1', text: `${sectionNumber(++section)}${r(key)}` });

  heading('leadership.heading');
  blocks.push({ type: 'p', text: r('leadership.body') });

  heading('priorities.heading');
  blocks.push({ type: 'p', text: r('priorities.body') });
  const sections = await Promise.all(kernel.reportProviders.map(async (p) => ({ p, s: await p.collect(kernel, scope) })));
  let point = 0;
  for (const { p, s } of sections) {
    if (!s) continue; // no data for the period: left out, never filled in
    const view = tokenizeView(s.view, figures) as Record<string, unknown>;
    blocks.push({ type: 'h2', text: `${pointNumber(++point)}${r(`${p.id}.heading`, view)}` });
    blocks.push({ type: 'p', text: r(`${p.id}.body`, view) });
    if (s.chart) blocks.push({ type: 'chart', chart: s.chart });
    if (s.table) blocks.push({ type: 'table', table: s.table });
  }
  if (point === 0) blocks.push({ type: 'p', text: r('priorities.empty') });

  heading('nextSteps.heading');
  blocks.push({ type: 'p', text: r('nextSteps.body') });
  blocks.push({ type: 'note', text: r('footer') });
  return { title: r('title'), blocks, figures, meta: { orgName: scope.orgName, from: scope.from, to: scope.to, asOf } };
}

export async function render(doc: DocModel, format: Format): Promise<Buffer> {
  if (format === 'markdown') return Buffer.from(toMarkdown(doc), 'utf8');
  if (format === 'html') return Buffer.from(toHtml(doc), 'utf8');
  return toDocx(doc);
}

async function scopeFor(kernel: Kernel, actor: Actor | null, orgId: string, from: string, to: string) {
  const a = await kernel.authz.require(actor, 'report.generate', { orgId });
  checkPeriod(from, to);
  const org = await findOrg(kernel.db, orgId);
  if (!org) throw notFound('组织');
  return { a, scope: { orgId, orgName: org.name, from, to } };
}

export interface Generated {
  id: string | null;
  content: Buffer;
  contentType: string;
  fileName: string;
}

/** Keep a generated document with its parameters, as-of time and hash (also used by other modules' briefs). */
export async function archiveReport(kernel: Kernel, actor: Actor | null, kind: string, doc: DocModel, format: Format, content: Buffer, params: Record<string, unknown>, templateVersion: number) {
  const id = newId();
  const now = iso(kernel.clock());
  await kernel.db.transaction().execute(async (trx) => {
    await insertArchive(trx, {
      id,
      kind,
      org_id: String(params.orgId),
      period_from: doc.meta.from,
      period_to: doc.meta.to,
      format,
      params: JSON.stringify(params),
      template_version: templateVersion,
      as_of: doc.meta.asOf,
      content_hash: sha256OfBytes(content),
      size: content.length,
      content,
      created_by: actor?.userId ?? null,
      created_at: now,
    });
    await kernel.audit.record({ actor, action: `report.generate`, target: id, detail: { kind, format, orgId: params.orgId, from: doc.meta.from, to: doc.meta.to } }, trx);
  });
  return id;
}

export async function generateStageSummary(
  kernel: Kernel,
  actor: Actor | null,
  input: { orgId: string; from: string; to: string; format: Format },
): Promise<Generated> {
  const { a, scope } = await scopeFor(kernel, actor, input.orgId, input.from, input.to);
  const { version, parts } = await currentParts(kernel, STAGE_SUMMARY);
  const doc = await composeStageSummary(kernel, scope, parts);
  const content = await render(doc, input.format);
  const id = await archiveReport(kernel, a, STAGE_SUMMARY, doc, input.format, content, { ...input }, version);
  return { id, content, contentType: CONTENT_TYPES[input.format], fileName: `${doc.title}.${EXTENSIONS[input.format]}` };
}

/** Render with unsaved template parts, for the template editor's preview; not archived. */
export async function previewTemplate(
  kernel: Kernel,
  actor: Actor | null,
  name: string,
  input: { orgId: string; from: string; to: string; format: 'markdown' | 'html'; parts: Record<string, string> },
): Promise<Generated> {
  const { scope } = await scopeFor(kernel, actor, input.orgId, input.from, input.to);
  validateParts(input.parts);
  const { parts } = await currentParts(kernel, name);
  const merged = { ...parts, ...input.parts };
  const doc = name === DAILY_BRIEF ? await composeDailyBrief(kernel, scope.orgId, scope.orgName, input.to, merged) : await composeStageSummary(kernel, scope, merged);
  return { id: null, content: await render(doc, input.format), contentType: CONTENT_TYPES[input.format], fileName: `${doc.title}.${EXTENSIONS[input.format]}` };
}

// ---- the daily brief --------------------------------------------------------------------------

export async function composeDailyBrief(kernel: Kernel, orgId: string, orgName: string, date: string, parts: Record<string, string>): Promise<DocModel> {
  const data = await dailyBriefData(kernel, orgId, date);
  const figures: DocModel['figures'] = [];
  const view = {
    orgName,
    dateText: dateText(date),
    sinceText: dateText(data.since),
    asOfText: dateText(localDate(kernel.clock(), kernel.config.timeZone)),
    ...(tokenizeView(data.view, figures) as Record<string, unknown>),
  };
  const r = (key: string) => renderPart(parts, key, view);
  const blocks: Block[] = [
    { type: 'title', text: r('title') },
    { type: 'subtitle', text: r('subtitle') },
    { type: 'p', text: r('summary') },
  ];
  if (data.hasCumulative) blocks.push({ type: 'p', text: r('cumulative') });
  if (data.hasUnits) blocks.push({ type: 'p', text: r('coverage') });
  if (data.hasSilent) blocks.push({ type: 'p', text: r('silentList') });
  if (data.chart) blocks.push({ type: 'chart', chart: data.chart });
  blocks.push({ type: 'note', text: r('footer') });
  return { title: r('title'), blocks, figures, meta: { orgName, from: date, to: date, asOf: iso(kernel.clock()) } };
}

export async function generateDailyBrief(kernel: Kernel, actor: Actor | null, input: { orgId: string; date?: string; format: Format }): Promise<Generated> {
  const date = input.date ?? localDate(new Date(kernel.clock().getTime() - 86_400_000), kernel.config.timeZone);
  let orgName: string;
  if (actor) orgName = (await scopeFor(kernel, actor, input.orgId, date, date)).scope.orgName;
  else orgName = (await findOrg(kernel.db, input.orgId))?.name ?? '';
  const { version, parts } = await currentParts(kernel, DAILY_BRIEF);
  const doc = await composeDailyBrief(kernel, input.orgId, orgName, date, parts);
  const content = await render(doc, input.format);
  const id = await archiveReport(kernel, actor, DAILY_BRIEF, doc, input.format, content, { orgId: input.orgId, date, format: input.format }, version);
  return { id, content, contentType: CONTENT_TYPES[input.format], fileName: `${doc.title}（${date}）.${EXTENSIONS[input.format]}` };
}

// ---- the archive ------------------------------------------------------------------------------

export async function listReports(kernel: Kernel, actor: Actor | null, limit: number) {
  const a = await kernel.authz.require(actor, 'report.generate');
  return (await listArchive(kernel.db, a.orgId, limit)).map((r) => ({
    id: r.id,
    kind: r.kind,
    orgId: r.org_id,
    from: r.period_from,
    to: r.period_to,
    format: r.format,
    templateVersion: r.template_version,
    asOf: r.as_of,
    contentHash: r.content_hash,
    size: Number(r.size),
    createdAt: r.created_at,
    createdBy: r.created_by_name ?? null,
  }));
}

export async function getArchived(kernel: Kernel, actor: Actor | null, id: string): Promise<Generated> {
  const row = await findArchive(kernel.db, id);
  await kernel.authz.require(actor, 'report.generate', { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound('报告');
  const format = row.format as Format;
  const content = Buffer.from(row.content);
  if (sha256OfBytes(content) !== row.content_hash) throw new AppError('conflict', '归档内容与其摘要不一致');
  return { id, content, contentType: CONTENT_TYPES[format], fileName: `${row.kind}-${row.period_from}-${row.period_to}.${EXTENSIONS[format]}` };
}

export function registerReportJobs(kernel: Kernel) {
  kernel.jobs.register('reports.daily-brief', async () => {
    const roots = await kernel.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).execute();
    for (const root of roots) {
      for (const format of ['markdown', 'docx'] as const) await generateDailyBrief(kernel, null, { orgId: root.id, format });
    }
  });
  // Each morning (slots align to 00:00 UTC = 08:00 in Asia/Shanghai) for the previous day.
  kernel.jobs.schedule('reports.daily-brief', 'reports.daily-brief', 24 * 60 * 60_000);
}
