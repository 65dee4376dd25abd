// Outreach ledger rules: the indicator catalogue, validating and writing records (all-or-nothing
// per batch, idempotent by clientId), corrections, outlier review, totals and coverage.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { rolesGrant } from '../../kernel/roles.ts';
import { newId } from '../../kernel/crypto.ts';
import { addMs, isCalendarDate, iso, localDate, MINUTE } from '../../kernel/time.ts';
import type { Selectable } from 'kysely';
import type { OutreachIndicatorsTable, OutreachRecordsTable as RecordsTable } from '../../db/types.ts';

type OutreachRecordsTable = Selectable<RecordsTable>;
import { Ancestry } from './outreach.ancestry.ts';
import { RecordWriter, type PreparedRecord, type WriteResult } from './outreach.writer.ts';
import { MAX_BATCH, type IndicatorView, type RecordInput, type RecordView } from './outreach.schema.ts';
import {
  applyRollups,
  findRecord,
  insertIndicators,
  lastReportDates,
  listIndicators,
  listRecords as queryRecords,
  recentValues,
  totalsByChild,
  totalsByDay,
  totalsFor,
} from './outreach.queries.ts';
import { BUILTIN_INDICATORS } from './outreach.catalogue.ts';

interface State {
  ancestry: Ancestry;
  writer: RecordWriter;
  indicators?: { at: number; byCode: Map<string, OutreachIndicatorsTable> };
  /** Full history windows of established units, by org and indicator (see unitHistory). */
  histories: Map<string, { at: number; values: number[] }>;
}
const states = new WeakMap<Kernel, State>();
function state(kernel: Kernel): State {
  let s = states.get(kernel);
  if (!s) {
    const ancestry = new Ancestry();
    s = { ancestry, writer: new RecordWriter(kernel, ancestry), histories: new Map() };
    states.set(kernel, s);
  }
  return s;
}
export const writerOf = (kernel: Kernel) => state(kernel).writer;
export const ancestryOf = (kernel: Kernel) => state(kernel).ancestry;

// ---- indicators -------------------------------------------------------------------------------

const INDICATOR_TTL_MS = 5_000;

export async function seedIndicators(kernel: Kernel) {
  const now = iso(kernel.clock());
  await insertIndicators(
    kernel.db,
    BUILTIN_INDICATORS.map((i, n) => ({ ...i, builtin: 1, active: 1, sort: n + 1, created_at: now })),
  );
}

/** The catalogue by code, cached a few seconds; `fresh` re-reads (an unknown code may be brand new). */
export async function indicatorMap(kernel: Kernel, fresh = false): Promise<Map<string, OutreachIndicatorsTable>> {
  const s = state(kernel);
  if (!fresh && s.indicators && Date.now() - s.indicators.at < INDICATOR_TTL_MS) return s.indicators.byCode;
  const rows = await listIndicators(kernel.db);
  s.indicators = { at: Date.now(), byCode: new Map(rows.map((r) => [r.code, { ...r, max_per_record: r.max_per_record === null ? null : Number(r.max_per_record) }])) };
  return s.indicators.byCode;
}

export const presentIndicator = (r: OutreachIndicatorsTable): IndicatorView => ({
  code: r.code,
  name: r.name,
  unit: r.unit,
  decimals: r.decimals,
  maxPerRecord: r.max_per_record === null ? null : Number(r.max_per_record) / 100,
  builtin: !!r.builtin,
  active: !!r.active,
});

export async function getIndicators(kernel: Kernel, actor: Actor | null, includeInactive = false) {
  await kernel.authz.require(actor, 'org.read');
  return [...(await indicatorMap(kernel)).values()].filter((i) => includeInactive || i.active).sort((a, b) => a.sort - b.sort).map(presentIndicator);
}

export async function createIndicator(
  kernel: Kernel,
  actor: Actor | null,
  input: { code: string; name: string; unit: string; decimals: number; maxPerRecord?: number | null },
) {
  const a = await kernel.authz.require(actor, 'outreach.indicators.manage');
  return kernel.db.transaction().execute(async (trx) => {
    if (await trx.selectFrom('outreach_indicators').select('code').where('code', '=', input.code).executeTakeFirst()) {
      throw new AppError('conflict', `指标编码 ${input.code} 已存在`);
    }
    const max = await trx.selectFrom('outreach_indicators').select((eb) => eb.fn.max('sort').as('m')).executeTakeFirstOrThrow();
    const row: OutreachIndicatorsTable = {
      code: input.code,
      name: input.name,
      unit: input.unit,
      decimals: input.decimals,
      max_per_record: input.maxPerRecord ? Math.round(input.maxPerRecord * 100) : null,
      builtin: 0,
      active: 1,
      sort: Number(max.m ?? 0) + 1,
      created_at: iso(kernel.clock()),
    };
    await trx.insertInto('outreach_indicators').values(row).execute();
    await kernel.audit.record({ actor: a, action: 'outreach.indicator.create', target: row.code, detail: { name: row.name, unit: row.unit } }, trx);
    state(kernel).indicators = undefined;
    return presentIndicator(row);
  });
}

export async function updateIndicator(
  kernel: Kernel,
  actor: Actor | null,
  code: string,
  input: { name?: string; unit?: string; maxPerRecord?: number | null; active?: boolean },
) {
  const a = await kernel.authz.require(actor, 'outreach.indicators.manage');
  return kernel.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('outreach_indicators').selectAll().where('code', '=', code).executeTakeFirst();
    if (!row) throw notFound('指标');
    const set: Partial<OutreachIndicatorsTable> = {};
    if (input.name !== undefined) set.name = input.name;
    if (input.unit !== undefined) set.unit = input.unit;
    if (input.maxPerRecord !== undefined) set.max_per_record = input.maxPerRecord === null ? null : Math.round(input.maxPerRecord * 100);
    if (input.active !== undefined) set.active = input.active ? 1 : 0;
    if (Object.keys(set).length) await trx.updateTable('outreach_indicators').set(set).where('code', '=', code).execute();
    await kernel.audit.record({ actor: a, action: 'outreach.indicator.update', target: code, detail: { fields: Object.keys(input) } }, trx);
    state(kernel).indicators = undefined;
    return presentIndicator({ ...row, ...set });
  });
}

// ---- validation -------------------------------------------------------------------------------

export interface RecordProblem {
  index: number;
  clientId?: string;
  field: string;
  message: string;
}

/** How far above a unit's own typical value a record must be before someone looks at it. */
const HISTORY_FACTOR = 10;
const HISTORY_MIN_RECORDS = 5;
export const HISTORY_WINDOW = 30;
/** Values (hundredths) below this are never compared with the unit's history: small values cannot mislead totals. */
export const HISTORY_MIN_VALUE_C = 1000;
const HISTORY_TTL_MS = 5_000;

/**
 * Why a record must be reviewed before it counts, or null: above the indicator's plausible maximum,
 * or far above the unit's own recent values (`history`: its last HISTORY_WINDOW counted values,
 * ascending). Shared by single submissions and Excel imports.
 */
export function reviewReasonFor(ind: OutreachIndicatorsTable, valueC: number, history: number[] | undefined): string | null {
  if (ind.max_per_record !== null && valueC > ind.max_per_record) return `超过单条合理上限 ${Number(ind.max_per_record) / 100}${ind.unit}`;
  if (valueC >= HISTORY_MIN_VALUE_C && history && history.length >= HISTORY_MIN_RECORDS) {
    const median = history[Math.floor(history.length / 2)]!;
    if (valueC > HISTORY_FACTOR * Math.max(median, 100)) return `远高于本单位近期水平（中位数 ${median / 100}${ind.unit}）`;
  }
  return null;
}

/**
 * The last HISTORY_WINDOW counted values of a unit and indicator, ascending. Looking them up is the
 * one query a single-record submission would otherwise make, so a full window is reused for a few
 * seconds: the median of thirty values hardly moves in that time. A unit with a shorter history is
 * read afresh every time, so its first records are judged against everything it has sent.
 */
async function unitHistory(kernel: Kernel, orgId: string, indicator: string): Promise<number[]> {
  const cache = state(kernel).histories;
  const key = `${orgId}\u0000${indicator}`;
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < HISTORY_TTL_MS) return hit.values;
  const values = (await recentValues(kernel.db, orgId, indicator, HISTORY_WINDOW)).map((h) => Number(h.value_c)).sort((a, b) => a - b);
  if (values.length === HISTORY_WINDOW) {
    if (cache.size >= 50_000) cache.clear();
    cache.set(key, { at: Date.now(), values });
  }
  return values;
}

// Every submission asks for today's date and checks its records' dates. A local date changes only
// at a whole minute in every real time zone, so today's date is kept per UTC minute of the clock;
// dates found valid are remembered (a small set: records carry recent dates).
const todays = new WeakMap<Kernel, { minute: number; date: string }>();
function todayIn(kernel: Kernel): string {
  const now = kernel.clock();
  const minute = Math.floor(now.getTime() / MINUTE);
  const hit = todays.get(kernel);
  if (hit && hit.minute === minute) return hit.date;
  const date = localDate(now, kernel.config.timeZone);
  todays.set(kernel, { minute, date });
  return date;
}
const validDates = new Set<string>();
function validDate(d: string): boolean {
  if (validDates.has(d)) return true;
  if (!isCalendarDate(d)) return false;
  if (validDates.size >= 10_000) validDates.clear();
  validDates.add(d);
  return true;
}

/**
 * Check a batch and turn it into prepared records, or throw: 413 when too large, 400 with one
 * detail per bad record, 403 when any org is outside the caller's subtree. Nothing is stored.
 */
export async function prepareRecords(
  kernel: Kernel,
  actor: Actor,
  records: RecordInput[],
  opts: { source: PreparedRecord['source']; importId?: string; maxBatch?: number } = { source: 'entry' },
): Promise<PreparedRecord[]> {
  if (records.length > (opts.maxBatch ?? MAX_BATCH)) {
    throw new AppError('payload_too_large', `每次最多提交 ${opts.maxBatch ?? MAX_BATCH} 条记录，本次 ${records.length} 条`);
  }
  let indicators = await indicatorMap(kernel);
  if (records.some((r) => !indicators.has(r.indicator))) indicators = await indicatorMap(kernel, true);
  const today = todayIn(kernel);
  const problems: RecordProblem[] = [];
  records.forEach((r, index) => {
    const bad = (field: string, message: string) => problems.push({ index, clientId: r.clientId, field, message });
    const ind = indicators.get(r.indicator);
    if (!ind || !ind.active) bad('indicator', `未知或已停用的指标：${r.indicator}`);
    if (!validDate(r.date)) bad('date', `日期无效：${r.date}`);
    else if (r.date > today) bad('date', `日期 ${r.date} 晚于今天（${today}）`);
    else if (r.date < '2000-01-01') bad('date', '日期过早');
    if (ind) {
      const scaled = r.value * 10 ** ind.decimals;
      if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
        bad('value', ind.decimals === 0 ? `${ind.name}应为整数` : `${ind.name}最多保留 ${ind.decimals} 位小数`);
      }
    }
  });
  if (problems.length) {
    throw new AppError('invalid_input', `有 ${problems.length} 处错误，整批未保存：第 ${problems[0]!.index + 1} 条 ${problems[0]!.message}`, problems);
  }
  const ancestors = await ancestryOf(kernel).of(kernel.db, [...new Set(records.map((r) => r.orgId))]);
  const outside = records.find((r) => !(ancestors.get(r.orgId) ?? []).includes(actor.orgId));
  // The (cached) ancestry already proves every org lies in the actor's subtree, so the scope query
  // is only needed, and audited as a denial, for an org outside it. This keeps a single-record POST
  // free of per-request queries.
  await kernel.authz.require(actor, 'outreach.write', outside ? { orgId: outside.orgId, target: outside.orgId } : {});

  // The unit's own history, fetched once per (org, indicator) among the larger values only:
  // small values cannot mislead totals, and an import of thousands of rows stays cheap.
  const history = new Map<string, number[]>();
  for (const r of records) {
    const key = `${r.orgId}\u0000${r.indicator}`;
    if (r.value * 100 >= HISTORY_MIN_VALUE_C && !history.has(key)) {
      history.set(key, await unitHistory(kernel, r.orgId, r.indicator));
    }
  }
  const prepared: PreparedRecord[] = [];
  for (const r of records) {
    const ind = indicators.get(r.indicator)!;
    const valueC = Math.round(r.value * 100);
    const reviewReason = reviewReasonFor(ind, valueC, history.get(`${r.orgId}\u0000${r.indicator}`));
    prepared.push({
      clientId: r.clientId,
      orgId: r.orgId,
      date: r.date,
      indicator: r.indicator,
      valueC,
      note: r.note ?? null,
      status: reviewReason ? 'pending_review' : 'counted',
      reviewReason,
      source: opts.source,
      importId: opts.importId,
    });
  }
  return prepared;
}

export async function submitRecords(kernel: Kernel, actor: Actor | null, records: RecordInput[]): Promise<WriteResult[]> {
  const a = await kernel.authz.require(actor, 'outreach.write');
  const prepared = await prepareRecords(kernel, a, records, { source: 'entry' });
  return writerOf(kernel).submit(a, prepared, { action: 'outreach.records.create' });
}

// ---- corrections and review -------------------------------------------------------------------

const CORRECTION_WINDOW_MS = 7 * 24 * 60 * MINUTE;

async function loadForChange(kernel: Kernel, actor: Actor | null, id: number, permission: 'outreach.write' | 'outreach.review') {
  const rec = await findRecord(kernel.db, id);
  const a = await kernel.authz.require(actor, permission, { orgId: rec?.org_id ?? null, hideOutOfScope: true, target: String(id) });
  if (!rec) throw notFound('记录');
  return { a, rec };
}

function assertMayCorrect(kernel: Kernel, a: Actor, rec: OutreachRecordsTable) {
  if (rolesGrant(a.roles, 'outreach.correct_any')) return;
  const recent = rec.created_at >= iso(addMs(kernel.clock(), -CORRECTION_WINDOW_MS));
  if (rec.created_by !== a.userId || !recent) throw new AppError('forbidden', '只能更正本人 7 天内填报的记录');
}

async function unCount(kernel: Kernel, trx: Parameters<RecordWriter['apply']>[0], rec: OutreachRecordsTable) {
  if (rec.status !== 'counted') return;
  const deltas = await writerOf(kernel).rollupDeltas(trx, [{ orgId: rec.org_id, indicator: rec.indicator, date: rec.date, valueC: Number(rec.value_c) }], -1);
  await applyRollups(trx, deltas);
}

export async function deleteRecord(kernel: Kernel, actor: Actor | null, id: number) {
  const { a, rec } = await loadForChange(kernel, actor, id, 'outreach.write');
  assertMayCorrect(kernel, a, rec);
  if (rec.status === 'deleted') return;
  await kernel.db.transaction().execute(async (trx) => {
    // Re-read inside the transaction: a concurrent correction must not be subtracted twice.
    const current = await findRecord(trx, id);
    if (!current || current.status === 'deleted') return;
    await trx.updateTable('outreach_records').set({ status: 'deleted', updated_by: a.userId, updated_at: iso(kernel.clock()) }).where('id', '=', id).execute();
    await unCount(kernel, trx, current);
    await kernel.audit.record({ actor: a, action: 'outreach.record.delete', target: String(id), detail: { orgId: current.org_id, indicator: current.indicator, date: current.date } }, trx);
  });
}

export async function replaceRecord(
  kernel: Kernel,
  actor: Actor | null,
  id: number,
  input: { clientId?: string; date: string; indicator: string; value: number; note?: string | null },
) {
  const { a, rec } = await loadForChange(kernel, actor, id, 'outreach.write');
  assertMayCorrect(kernel, a, rec);
  if (rec.status === 'deleted') throw new AppError('conflict', '该记录已删除或已被更正');
  const [prepared] = await prepareRecords(kernel, a, [{ clientId: input.clientId ?? newId(), orgId: rec.org_id, date: input.date, indicator: input.indicator, value: input.value, note: input.note }], {
    source: 'correction',
  });
  prepared!.replacesId = id;
  const result = await kernel.db.transaction().execute(async (trx) => {
    const current = await findRecord(trx, id);
    if (!current || current.status === 'deleted') throw new AppError('conflict', '该记录已删除或已被更正');
    await trx.updateTable('outreach_records').set({ status: 'deleted', updated_by: a.userId, updated_at: iso(kernel.clock()) }).where('id', '=', id).execute();
    await unCount(kernel, trx, current);
    const [res] = await writerOf(kernel).apply(trx, [{ actor: a, records: [prepared!], audit: { action: 'outreach.record.replace', target: String(id) } }]);
    return res![0]!;
  });
  return getRecord(kernel, a, result.id);
}

export async function reviewRecord(kernel: Kernel, actor: Actor | null, id: number, decision: 'confirm' | 'reject', comment?: string) {
  const { a } = await loadForChange(kernel, actor, id, 'outreach.review');
  await kernel.db.transaction().execute(async (trx) => {
    const rec = await findRecord(trx, id);
    if (!rec || rec.status !== 'pending_review') throw new AppError('conflict', '该记录不在待核实状态');
    const status = decision === 'confirm' ? 'counted' : 'rejected';
    await trx.updateTable('outreach_records').set({ status, updated_by: a.userId, updated_at: iso(kernel.clock()) }).where('id', '=', id).execute();
    if (status === 'counted') {
      await applyRollups(trx, await writerOf(kernel).rollupDeltas(trx, [{ orgId: rec.org_id, indicator: rec.indicator, date: rec.date, valueC: Number(rec.value_c) }]));
    }
    await kernel.audit.record({ actor: a, action: `outreach.record.${decision}`, target: String(id), detail: { comment: comment ?? null } }, trx);
  });
  return getRecord(kernel, a, id);
}

// ---- reading ----------------------------------------------------------------------------------

type RecordRow = OutreachRecordsTable & { org_name: string; creator_name: string | null };

const presentRecord = (r: RecordRow): RecordView => ({
  id: Number(r.id),
  clientId: r.client_id,
  orgId: r.org_id,
  orgName: r.org_name,
  date: r.date,
  indicator: r.indicator,
  value: Number(r.value_c) / 100,
  note: r.note,
  status: r.status as RecordView['status'],
  reviewReason: r.review_reason,
  source: r.source,
  createdBy: r.creator_name ?? '',
  createdAt: r.created_at,
});

export async function getRecord(kernel: Kernel, actor: Actor | null, id: number): Promise<RecordView> {
  const rec = await findRecord(kernel.db, id);
  const a = await kernel.authz.require(actor, 'outreach.read', { orgId: rec?.org_id ?? null, hideOutOfScope: true });
  if (!rec) throw notFound('记录');
  const [row] = await queryRecords(kernel.db, { rootOrgId: a.orgId, limit: 1, before: id + 1, status: rec.status });
  return presentRecord(row!);
}

export async function listRecords(
  kernel: Kernel,
  actor: Actor | null,
  q: { orgId?: string; from?: string; to?: string; indicator?: string; status?: string; mine?: string; limit: number; before?: number },
) {
  const a = await kernel.authz.require(actor, 'outreach.read', { orgId: q.orgId ?? null });
  const mine = q.mine === '1' || q.mine === 'true';
  const rows = await queryRecords(kernel.db, { ...q, rootOrgId: q.orgId ?? a.orgId, createdBy: mine ? a.userId : undefined });
  const records = rows.map((r) => presentRecord(r));
  return { records, nextBefore: records.length === q.limit ? records.at(-1)!.id : null };
}

function checkRange(from: string, to: string) {
  if (!isCalendarDate(from) || !isCalendarDate(to)) throw new AppError('invalid_input', '日期无效');
  if (from > to) throw new AppError('invalid_input', '起始日期不能晚于结束日期');
  if (Date.parse(to) - Date.parse(from) > 3660 * 24 * 3600_000) throw new AppError('invalid_input', '查询区间不能超过十年');
}

const toTotals = (codes: string[], rows: Array<{ indicator: string | null; total_c: number | string | null }>) => {
  const out: Record<string, number> = Object.fromEntries(codes.map((c) => [c, 0]));
  for (const r of rows) if (r.indicator) out[r.indicator] = (out[r.indicator] ?? 0) + Number(r.total_c ?? 0) / 100;
  return out;
};

export async function totals(kernel: Kernel, actor: Actor | null, q: { orgId: string; from: string; to: string; groupBy?: 'child' | 'day' }) {
  await kernel.authz.require(actor, 'outreach.read', { orgId: q.orgId, hideOutOfScope: false });
  checkRange(q.from, q.to);
  const codes = [...(await indicatorMap(kernel)).values()].filter((i) => i.active).sort((a, b) => a.sort - b.sort).map((i) => i.code);
  const result: {
    orgId: string;
    from: string;
    to: string;
    totals: Record<string, number>;
    children?: Array<{ orgId: string; name: string; kind: string; totals: Record<string, number> }>;
    days?: Array<{ date: string; totals: Record<string, number> }>;
  } = { orgId: q.orgId, from: q.from, to: q.to, totals: toTotals(codes, await totalsFor(kernel.db, q.orgId, q.from, q.to)) };
  if (q.groupBy === 'child') {
    const rows = await totalsByChild(kernel.db, q.orgId, q.from, q.to);
    const byOrg = new Map<string, { orgId: string; name: string; kind: string; rows: typeof rows }>();
    for (const r of rows) {
      if (!byOrg.has(r.id)) byOrg.set(r.id, { orgId: r.id, name: r.name, kind: r.kind, rows: [] });
      byOrg.get(r.id)!.rows.push(r);
    }
    result.children = [...byOrg.values()].map((c) => ({ orgId: c.orgId, name: c.name, kind: c.kind, totals: toTotals(codes, c.rows) }));
  }
  if (q.groupBy === 'day') {
    const rows = await totalsByDay(kernel.db, q.orgId, q.from, q.to);
    const byDay = new Map<string, typeof rows>();
    for (const r of rows) byDay.set(r.date, [...(byDay.get(r.date) ?? []), r]);
    result.days = [];
    for (let t = Date.parse(`${q.from}T00:00:00Z`); t <= Date.parse(`${q.to}T00:00:00Z`); t += 86_400_000) {
      const date = new Date(t).toISOString().slice(0, 10);
      result.days.push({ date, totals: toTotals(codes, byDay.get(date) ?? []) });
    }
  }
  return result;
}

export async function coverage(kernel: Kernel, actor: Actor | null, q: { orgId: string; days: number; asOf?: string }) {
  await kernel.authz.require(actor, 'outreach.read', { orgId: q.orgId });
  const asOf = q.asOf ?? localDate(kernel.clock(), kernel.config.timeZone);
  if (!isCalendarDate(asOf)) throw new AppError('invalid_input', '日期无效');
  const since = new Date(Date.parse(`${asOf}T00:00:00Z`) - (q.days - 1) * 86_400_000).toISOString().slice(0, 10);
  const rows = await lastReportDates(kernel.db, q.orgId, asOf);
  const units = rows
    .map((r) => {
      const last = (r.last_date as string | null) ?? null;
      const daysSilent = last ? Math.round((Date.parse(asOf) - Date.parse(last)) / 86_400_000) : null;
      return {
        orgId: r.id,
        name: r.name,
        kind: r.kind,
        parentId: r.parent_id,
        parentName: r.parent_name ?? null,
        lastDate: last,
        daysSilent,
        silent: !last || last < since,
      };
    })
    .sort((x, y) => Number(y.silent) - Number(x.silent) || (y.daysSilent ?? 1e9) - (x.daysSilent ?? 1e9) || x.name.localeCompare(y.name, 'zh-CN'));
  const silent = units.filter((u) => u.silent).length;
  return { orgId: q.orgId, days: q.days, since, asOf, total: units.length, reporting: units.length - silent, silent, units };
}
