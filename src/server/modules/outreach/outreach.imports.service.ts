// The Excel round-trip of the outreach ledger: the fill-in template of an org; uploads checked row
// by row into a stored preview (nothing counted yet); confirmation in bulk, under the ledger's
// rules (roll-ups of every ancestor in the same transaction, outliers held for review, an audit
// event per transaction); housekeeping of stale previews; exports of any view as .xlsx or .csv.
//
// Idempotency: an imported record's clientId is derived from its content — imp:SHA-256(org, date,
// indicator, value, note):n, n counting identical tuples within the file — so the same file
// uploaded and confirmed twice, or a confirmation repeated after a crash, counts nothing twice.
import { createHash } from 'node:crypto';
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { Phases } from '../../kernel/phases.ts';
import { isCalendarDate, iso, localDate } from '../../kernel/time.ts';
import type { OutreachIndicatorsTable } from '../../db/types.ts';
import { listRecords as queryRecords } from './outreach.queries.ts';
import { HISTORY_MIN_VALUE_C, HISTORY_WINDOW, indicatorMap, reviewReasonFor, totals } from './outreach.service.ts';
import {
  buildTemplate,
  contentDisposition,
  CSV_MIME,
  HEADER,
  indicatorTitle,
  normaliseHeader,
  NotAWorkbook,
  readFillSheet,
  tableToCsv,
  tableToXlsx,
  XLSX_MIME,
  type Cell,
  type Table,
} from './outreach.excel.ts';
import { eachRecord, recordChunks, type DataRow } from './outreach.imports.records.ts';
import {
  deleteStalePreviews,
  findImport,
  findImportHead,
  importedClientIds,
  insertImport,
  insertImportedPg,
  insertImportedSqlite,
  rollUpImportedSqlite,
  markConfirmed,
  orgCodes,
  orgsByKey,
  recentValuesOfPairs,
  subtreeOrgs,
  type InsertedSummary,
} from './outreach.imports.queries.ts';

/** Rows a preview returns besides the rows with errors. */
const PREVIEW_ROWS = 200;
/**
 * Records written per transaction on confirmation; each chunk is idempotent on its own. Other
 * writers wait while a chunk's transaction holds the database (about half a second per 20,000).
 */
const CONFIRM_CHUNK = 20_000;
/** Unconfirmed previews are deleted after this long (a preview of 50,000 rows is a few MB). */
export const PREVIEW_TTL_MS = 24 * 60 * 60_000;
const EXPORT_MAX_RECORDS = 100_000;
const NOTE_MAX = 500;
/** Rows one file may have (the largest case is 50,000). */
const MAX_ROWS = 200_000;
const VALUE_MAX = 1e9;

export interface Download {
  fileName: string;
  contentType: string;
  body: Buffer;
  truncated?: boolean;
}

const activeIndicators = async (kernel: Kernel, fresh = false) =>
  [...(await indicatorMap(kernel, fresh)).values()].filter((i) => i.active).sort((a, b) => a.sort - b.sort);

const orgKey = (o: { id: string; code: string | null }) => o.code ?? o.id;

/** Cheap early refusal for uploads (before a 64 MB body is read); the service checks scope later. */
export async function assertMayImport(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'outreach.import');
}

// ---- template --------------------------------------------------------------------------------

export async function template(kernel: Kernel, actor: Actor | null, orgId: string): Promise<Download> {
  await kernel.authz.require(actor, 'outreach.import', { orgId });
  const orgs = await subtreeOrgs(kernel.db, orgId);
  const root = orgs.find((o) => o.id === orgId);
  if (!root) throw notFound('单位');
  const units = orgs.filter((o) => o.kind === 'village' || o.kind === 'community');
  const body = await buildTemplate({
    orgName: root.name,
    units: (units.length ? units : [root]).map((o) => ({ key: orgKey(o), name: o.name })),
    orgs: orgs.map((o) => ({ key: orgKey(o), name: o.name, kind: o.kind, parent: o.id === orgId ? '' : (o.parent_name ?? '') })),
    indicators: await activeIndicators(kernel, true),
    today: localDate(kernel.clock(), kernel.config.timeZone),
  });
  return { fileName: `宣传台账填报模板-${root.name}.xlsx`, contentType: XLSX_MIME, body };
}

// ---- reading a sheet ---------------------------------------------------------------------------

export interface RowError {
  column: string;
  cell?: string;
  reason: string;
}
export interface PreviewRow {
  row: number;
  orgCode: string;
  orgName: string;
  date: string;
  values: Record<string, number>;
  errors: RowError[];
}
export interface Summary {
  /** Data rows with at least one indicator value (blank and unfilled rows are skipped). */
  rows: number;
  /** Records the valid rows make (one per filled indicator cell). */
  records: number;
  /** Problems found (a row may have several). */
  errors: number;
  /** Records already stored by an earlier import of the same content: confirming skips them. */
  duplicates: number;
}
/** What outreach_imports.preview holds: compact, because 50,000 rows make ~300,000 records. */
interface StoredPreview {
  v: 1;
  summary: Summary;
  /** Rows with errors plus the first PREVIEW_ROWS rows, for display. */
  rows: PreviewRow[];
  /** Indicator codes, in the order of the value slots in `data`. */
  indicators: string[];
  orgs: string[];
  /** Per valid row: [org index, date, note, ...values (null = empty)]; dropped once confirmed. */
  data?: DataRow[];
  /** What confirming did, once confirmed. */
  result?: ConfirmResult;
}
export interface ConfirmResult {
  created: number;
  duplicates: number;
  review: number;
}

const columnLetter = (i: number) => {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
};

const textOf = (c: Cell | undefined): string => {
  if (c === null || c === undefined) return '';
  if (c instanceof Date) return Number.isNaN(c.getTime()) ? '' : c.toISOString().slice(0, 10);
  return String(c).trim();
};

const DATE_TEXT = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/;

/** A date cell as YYYY-MM-DD, or a reason in Chinese. Accepts real dates, serial numbers and text. */
function parseDate(c: Cell | undefined, today: string): { date: string } | { error: string } {
  let date: string | null = null;
  if (c instanceof Date) date = Number.isNaN(c.getTime()) ? null : c.toISOString().slice(0, 10);
  else if (typeof c === 'number') {
    // An Excel serial day number in a cell without a date format.
    if (c >= 36526 && c < 73051) date = new Date(Math.round((c - 25569) * 86_400_000)).toISOString().slice(0, 10);
  } else if (typeof c === 'string') {
    const m = DATE_TEXT.exec(c.trim());
    if (m) date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  }
  const shown = textOf(c);
  if (!shown) return { error: '日期为空' };
  if (!date || !isCalendarDate(date)) return { error: `日期无效：“${shown}”，应为 YYYY-MM-DD` };
  if (date > today) return { error: `日期 ${date} 晚于今天（${today}）` };
  if (date < '2000-01-01') return { error: `日期 ${date} 过早` };
  return { date };
}

const NUMBER_TEXT = /^[+]?(\d+(\.\d*)?|\.\d+)$/;

/** An indicator cell: undefined when empty, else the value or a reason. */
function parseValue(c: Cell | undefined, ind: OutreachIndicatorsTable): { value: number } | { error: string } | undefined {
  if (c === null || c === undefined) return undefined;
  let n: number;
  if (typeof c === 'number') n = c;
  else if (typeof c === 'string') {
    const s = c.replace(/[\s,，]/g, '');
    if (s === '') return undefined;
    if (/^-\d/.test(s) && NUMBER_TEXT.test(s.slice(1))) return { error: `${ind.name}不能为负数` };
    if (!NUMBER_TEXT.test(s)) return { error: `${ind.name}应为数字，不能是“${c.trim().slice(0, 20)}”` };
    n = Number(s);
  } else return { error: `${ind.name}应为数字，不能是“${textOf(c).slice(0, 20)}”` };
  if (!Number.isFinite(n)) return { error: `${ind.name}应为数字` };
  if (n < 0) return { error: `${ind.name}不能为负数` };
  if (n > VALUE_MAX) return { error: `${ind.name}数值过大（超过 10 亿）` };
  const scale = 10 ** ind.decimals;
  const scaled = n * scale;
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
    return { error: ind.decimals === 0 ? `${ind.name}应为整数` : `${ind.name}最多保留 ${ind.decimals} 位小数` };
  }
  return { value: Math.round(scaled) / scale };
}

interface Columns {
  code: number;
  name?: number;
  date: number;
  note?: number;
  indicators: Array<{ col: number; title: string; ind: OutreachIndicatorsTable }>;
}

/** Map header titles to columns; unknown or repeated titles are a file-level 400. */
function mapHeader(header: string[], headerRow: number, indicators: Map<string, OutreachIndicatorsTable>): Columns {
  const byTitle = new Map<string, OutreachIndicatorsTable>();
  for (const ind of indicators.values()) {
    byTitle.set(normaliseHeader(indicatorTitle(ind)), ind);
    byTitle.set(normaliseHeader(ind.name), ind);
    byTitle.set(ind.code, ind);
  }
  const problems: Array<{ row: number; column: string; cell: string; reason: string }> = [];
  const cols: Partial<Columns> & { indicators: Columns['indicators'] } = { indicators: [] };
  const seen = new Set<string>();
  header.forEach((title, i) => {
    if (!title) return;
    const cell = `${columnLetter(i)}${headerRow}`;
    const fixed = ({ [HEADER.code]: 'code', [HEADER.name]: 'name', [HEADER.date]: 'date', [HEADER.note]: 'note' } as const)[title];
    const ind = fixed ? undefined : byTitle.get(title);
    const key = fixed ?? ind?.code;
    if (key && seen.has(key)) {
      problems.push({ row: headerRow, column: title, cell, reason: `“${title}”列重复` });
      return;
    }
    if (key) seen.add(key);
    if (fixed) cols[fixed] = i;
    else if (ind && ind.active) cols.indicators.push({ col: i, title: indicatorTitle(ind), ind });
    else if (ind) problems.push({ row: headerRow, column: title, cell, reason: `指标“${ind.name}”已停用，请重新下载模板` });
    else problems.push({ row: headerRow, column: title, cell, reason: `不认识的列“${title}”，请使用最新模板，不要修改表头` });
  });
  if (!cols.indicators.length) problems.push({ row: headerRow, column: '', cell: '', reason: '表头中没有任何指标列' });
  if (problems.length) {
    throw new AppError('invalid_input', `表头有误：${problems[0]!.reason}`, problems);
  }
  return cols as Columns;
}

/** How many of the stored preview's records exist already (by their derived clientIds). */
async function countExisting(kernel: Kernel, p: StoredPreview): Promise<number> {
  if (!p.data?.length) return 0;
  let from = p.data[0]![1];
  let to = from;
  for (const d of p.data) {
    if (d[1] < from) from = d[1];
    if (d[1] > to) to = d[1];
  }
  const existing = await importedClientIds(kernel.db, p.orgs, from, to);
  if (existing.size === 0) return 0;
  let n = 0;
  eachRecord(p, (_r, _i, _v, clientId) => {
    if (existing.has(clientId)) n++;
  });
  return n;
}

// ---- upload ------------------------------------------------------------------------------------

export interface ImportView {
  id: string;
  orgId: string;
  status: 'preview' | 'confirmed';
  fileName: string | null;
  createdAt: string;
  confirmedAt: string | null;
  summary: Summary;
  rows: PreviewRow[];
  result: ConfirmResult | null;
}

const present = (row: { id: string; org_id: string; status: string; file_name: string | null; created_at: string; confirmed_at: string | null }, p: StoredPreview): ImportView => ({
  id: row.id,
  orgId: row.org_id,
  status: row.status as ImportView['status'],
  fileName: row.file_name,
  createdAt: row.created_at,
  confirmedAt: row.confirmed_at,
  summary: p.summary,
  rows: p.rows,
  result: p.result ?? null,
});

export async function uploadImport(
  kernel: Kernel,
  actor: Actor | null,
  input: { orgId: string; fileName?: string; body: Buffer },
  phases = new Phases(),
): Promise<ImportView> {
  const a = await kernel.authz.require(actor, 'outreach.import', { orgId: input.orgId });
  let sheet;
  try {
    sheet = await readFillSheet(input.body);
  } catch (err) {
    if (err instanceof NotAWorkbook) throw new AppError('invalid_input', '不是有效的 Excel 文件（.xlsx）');
    throw err;
  }
  phases.mark('read');
  if (!sheet) throw new AppError('invalid_input', '没有找到填报表：表头应包含“单位编码”和“日期”两列，请使用下载的模板');
  if (sheet.rows.length > MAX_ROWS) throw new AppError('payload_too_large', `每个文件最多 ${MAX_ROWS} 行，本文件 ${sheet.rows.length} 行，请分成几个文件上传`);
  const indicators = await indicatorMap(kernel, true);
  const cols = mapHeader(sheet.header, sheet.headerRow, indicators);
  const today = localDate(kernel.clock(), kernel.config.timeZone);

  // Which orgs the sheet may name: the subtree of the import's org, by code or by id.
  const subtree = await subtreeOrgs(kernel.db, input.orgId);
  const root = subtree.find((o) => o.id === input.orgId);
  if (!root) throw notFound('单位');
  const byKey = new Map<string, (typeof subtree)[number]>();
  for (const o of subtree) {
    byKey.set(o.id, o);
    if (o.code) byKey.set(o.code, o);
  }
  const byKeyLoose = new Map([...byKey].map(([k, o]) => [k.toLowerCase(), o]));
  const find = (key: string) => byKey.get(key) ?? byKeyLoose.get(key.toLowerCase());
  const strangers = new Set<string>();
  for (const r of sheet.rows) {
    const key = textOf(r.cells[cols.code]);
    if (key && !find(key)) strangers.add(key);
  }
  const elsewhere = new Map<string, string>();
  for (const o of await orgsByKey(kernel.db, [...strangers].slice(0, 2000))) {
    elsewhere.set(o.id, o.name);
    if (o.code) elsewhere.set(o.code, o.name);
  }

  const summary: Summary = { rows: 0, records: 0, errors: 0, duplicates: 0 };
  const shown: PreviewRow[] = [];
  const orgIndex = new Map<string, number>();
  const data: NonNullable<StoredPreview['data']> = [];
  // A file has few distinct dates: parse each once.
  const dates = new Map<unknown, ReturnType<typeof parseDate>>();
  const dateOf = (c: Cell | undefined) => {
    const key = c instanceof Date ? `date:${c.getTime()}` : c;
    let d = dates.get(key);
    if (!d) dates.set(key, (d = parseDate(c, today)));
    return d;
  };
  for (const r of sheet.rows) {
    const at = (col: number) => `${columnLetter(col)}${r.row}`;
    const errors: RowError[] = [];
    const key = textOf(r.cells[cols.code]);
    const org = key ? find(key) : undefined;
    if (!key) errors.push({ column: HEADER.code, cell: at(cols.code), reason: '单位编码为空' });
    else if (!org) {
      const name = elsewhere.get(key);
      const reason = name ? `单位“${name}”（${key}）不在${root.name}管辖范围内` : `未知的单位编码：${key.slice(0, 40)}`;
      errors.push({ column: HEADER.code, cell: at(cols.code), reason });
    }
    const d = dateOf(r.cells[cols.date]);
    if ('error' in d) errors.push({ column: HEADER.date, cell: at(cols.date), reason: d.error });
    const values: Record<string, number> = {};
    const slots: Array<number | null> = new Array(cols.indicators.length).fill(null);
    let filled = 0;
    cols.indicators.forEach(({ col, title, ind }, i) => {
      const v = parseValue(r.cells[col], ind);
      if (v === undefined) return;
      filled++;
      if ('error' in v) errors.push({ column: title, cell: at(col), reason: v.error });
      else values[ind.code] = slots[i] = v.value;
    });
    // Blank rows and the template's unfilled pre-filled rows make no records and are no error.
    if (filled === 0) continue;
    summary.rows++;
    const note = cols.note === undefined ? '' : textOf(r.cells[cols.note]);
    if (note.length > NOTE_MAX) errors.push({ column: HEADER.note, cell: at(cols.note!), reason: `备注超过 ${NOTE_MAX} 字` });

    if (errors.length === 0) {
      let idx = orgIndex.get(org!.id);
      if (idx === undefined) orgIndex.set(org!.id, (idx = orgIndex.size));
      data.push([idx, (d as { date: string }).date, note || null, ...slots]);
      summary.records += Object.keys(values).length;
    } else summary.errors += errors.length;
    if (errors.length || summary.rows <= PREVIEW_ROWS) {
      shown.push({
        row: r.row,
        orgCode: key,
        orgName: org?.name ?? (cols.name === undefined ? '' : textOf(r.cells[cols.name])),
        date: 'date' in d ? d.date : textOf(r.cells[cols.date]),
        values,
        errors,
      });
    }
  }

  if (summary.rows === 0) throw new AppError('invalid_input', '文件中没有填写任何数据：各指标列都是空的');
  phases.mark('check');
  const stored: StoredPreview = {
    v: 1,
    summary,
    rows: shown,
    indicators: cols.indicators.map((c) => c.ind.code),
    orgs: [...orgIndex.keys()],
    data,
  };
  summary.duplicates = await countExisting(kernel, stored);
  phases.mark('duplicates');

  const row = {
    id: newId(),
    org_id: input.orgId,
    file_name: input.fileName ? input.fileName.replace(/^.*[\\/]/, '').slice(0, 200) : null,
    file_hash: createHash('sha256').update(input.body).digest('hex'),
    status: 'preview',
    preview: JSON.stringify(stored),
    created_by: a.userId,
    created_at: iso(kernel.clock()),
    confirmed_at: null,
  };
  await kernel.db.transaction().execute(async (trx) => {
    await insertImport(trx, row);
    await kernel.audit.record(
      { actor: a, action: 'outreach.import.preview', target: row.id, detail: { orgId: input.orgId, fileHash: row.file_hash, ...summary } },
      trx,
    );
  });
  phases.mark('store');
  return present(row, stored);
}

async function loadImport(kernel: Kernel, actor: Actor | null, id: string) {
  const head = await findImportHead(kernel.db, id);
  const a = await kernel.authz.require(actor, 'outreach.import', { orgId: head?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!head) throw notFound('导入记录');
  const row = (await findImport(kernel.db, id))!;
  return { a, row, stored: JSON.parse(row.preview) as StoredPreview };
}

export async function getImport(kernel: Kernel, actor: Actor | null, id: string): Promise<ImportView> {
  const { row, stored } = await loadImport(kernel, actor, id);
  return present(row, stored);
}

// ---- confirm -----------------------------------------------------------------------------------

/**
 * Store a previewed import. The rows were checked on upload; what may have changed since is
 * checked again: the caller's right to write, indicators switched off, and each unit's history
 * (outliers are judged against it now, as a record sent today would be). Records go in chunks of
 * CONFIRM_CHUNK, each one transaction with its roll-ups and one audit event, in (org, date,
 * indicator) order so a chunk touches neighbouring index pages and roll-up rows. A confirmation
 * interrupted after some chunks can be repeated: stored clientIds are skipped.
 */
export async function confirmImport(kernel: Kernel, actor: Actor | null, id: string, phases = new Phases()): Promise<ConfirmResult> {
  const { a, row, stored } = await loadImport(kernel, actor, id);
  if (row.status === 'confirmed') throw new AppError('conflict', '该文件已确认导入，无需再次确认');
  if (stored.summary.errors > 0) throw new AppError('conflict', '请先修正错误后重新上传');
  await kernel.authz.require(a, 'outreach.write', { orgId: row.org_id });
  const indicators = await indicatorMap(kernel, true);
  for (const code of stored.indicators) {
    const ind = indicators.get(code);
    if (!ind || !ind.active) throw new AppError('invalid_input', `指标“${ind?.name ?? code}”已停用，整批未保存，请重新下载模板填写后上传`);
  }
  phases.mark('load');

  const data = stored.data ?? [];
  const nSlots = stored.indicators.length;
  const slotInd = stored.indicators.map((code) => indicators.get(code)!);
  // The history of every (unit, indicator) with a value large enough to be judged, in one query.
  const pairIndex = new Int32Array(stored.orgs.length * nSlots).fill(-1);
  const pairs: Array<[string, string]> = [];
  for (const row of data) {
    for (let i = 0; i < nSlots; i++) {
      const v = row[3 + i] as number | null;
      if (v === null || v === undefined || Math.round(v * 100) < HISTORY_MIN_VALUE_C) continue;
      const k = row[0] * nSlots + i;
      if (pairIndex[k] === -1) {
        pairIndex[k] = pairs.length;
        pairs.push([stored.orgs[row[0]]!, stored.indicators[i]!]);
      }
    }
  }
  const found = pairs.length ? await recentValuesOfPairs(kernel.db, kernel.engine, pairs, HISTORY_WINDOW) : new Map<string, number[]>();
  const history = pairs.map(([org, code]) => found.get(`${org}\u0000${code}`)?.sort((x, y) => x - y));
  phases.mark('history');

  // Review decisions (rare), then the rows in (org, date) order, file order among equals.
  const reasons: Array<[number, string]> = [];
  let total = 0;
  for (let r = 0; r < data.length; r++) {
    const row = data[r]!;
    for (let i = 0; i < nSlots; i++) {
      const v = row[3 + i] as number | null;
      if (v === null || v === undefined) continue;
      total++;
      const pair = pairIndex[row[0] * nSlots + i]!;
      const reason = reviewReasonFor(slotInd[i]!, Math.round(v * 100), pair === -1 ? undefined : history[pair]);
      if (reason) reasons.push([r * nSlots + i, reason]);
    }
  }
  const orgRank = new Int32Array(stored.orgs.length);
  stored.orgs.map((o, i) => [o, i] as const).sort((x, y) => (x[0] < y[0] ? -1 : 1)).forEach(([, i], rank) => (orgRank[i] = rank));
  const order = [...data.keys()].sort((x, y) => {
    const a = data[x]!;
    const b = data[y]!;
    return orgRank[a[0]]! - orgRank[b[0]]! || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : x - y);
  });
  const parts = Math.max(1, Math.ceil(total / CONFIRM_CHUNK));
  phases.mark('plan');

  const { data: _data, ...kept } = stored;
  const result: ConfirmResult = { created: 0, duplicates: 0, review: 0 };
  const meta = { importId: id, createdBy: a.userId, createdAt: iso(kernel.clock()) };
  // Chunks of JSON records (clientIds and all), each prepared just before it is written.
  let c = 0;
  for (const chunk of recordChunks({ indicators: stored.indicators, orgs: stored.orgs, data, order, reasons, chunkSize: CONFIRM_CHUNK })) {
    phases.mark('records');
    const last = c === parts - 1;
    await kernel.db.transaction().execute(async (trx) => {
      let s: InsertedSummary = { created: 0, review: 0 };
      if (chunk.count && kernel.engine === 'sqlite') {
        const ins = await insertImportedSqlite(trx, chunk.json, meta);
        phases.mark('insert');
        if (ins.created) await rollUpImportedSqlite(trx, ins.after);
        s = ins;
      } else if (chunk.count) {
        s = await insertImportedPg(trx, chunk.json, meta); // roll-ups in the same statement
        phases.mark('insert');
      }
      phases.mark('rollups');
      await kernel.audit.record(
        {
          actor: a,
          action: 'outreach.import.confirm',
          target: id,
          detail: { part: c + 1, parts, created: s.created, duplicate: chunk.count - s.created, review: s.review, ...(s.firstId !== undefined ? { firstId: s.firstId, lastId: s.lastId } : {}) },
        },
        trx,
      );
      result.created += s.created;
      result.duplicates += chunk.count - s.created;
      result.review += s.review;
      // The last chunk's transaction completes the import: the records are all in by now. Two
      // confirmations racing: the loser's last chunk rolls back and it is told so.
      if (last && !(await markConfirmed(trx, id, iso(kernel.clock()), JSON.stringify({ ...kept, result })))) {
        throw new AppError('conflict', '该文件已确认导入，无需再次确认');
      }
      phases.mark('audit');
    });
    phases.mark('commit');
    // Let other requests in between chunks (the statements themselves are synchronous on SQLite).
    if (!last) {
      await new Promise((r) => setImmediate(r));
      phases.mark('yield');
    }
    c++;
  }
  if (c !== parts) throw new Error(`import ${id}: ${c} chunks written, ${parts} expected`);
  return result;
}

// ---- housekeeping ------------------------------------------------------------------------------

/** Delete previews nobody confirmed within PREVIEW_TTL_MS; one audit event when any went. */
export async function deleteExpiredPreviews(kernel: Kernel): Promise<number> {
  const before = iso(new Date(kernel.clock().getTime() - PREVIEW_TTL_MS));
  const deleted = await deleteStalePreviews(kernel.db, before);
  if (deleted > 0) await kernel.audit.record({ actor: null, action: 'outreach.import.expire', detail: { deleted, createdBefore: before } });
  return deleted;
}

export function registerImportJobs(kernel: Kernel) {
  kernel.jobs.register('outreach.imports.cleanup', async () => {
    await deleteExpiredPreviews(kernel);
  });
  kernel.jobs.schedule('outreach.imports.cleanup', 'outreach.imports.cleanup', 60 * 60_000);
}

// ---- export ------------------------------------------------------------------------------------

export type ExportView = 'children' | 'days' | 'records';

const STATUS_NAMES: Record<string, string> = { counted: '已计入', pending_review: '待核实', rejected: '已退回', deleted: '已删除' };
const SOURCE_NAMES: Record<string, string> = { entry: '手工填报', import: 'Excel 导入', correction: '更正' };
const VIEW_NAMES: Record<ExportView, string> = { children: '按下级', days: '按日', records: '明细' };

const round2 = (n: number) => Math.round(n * 100) / 100;

export async function exportView(
  kernel: Kernel,
  actor: Actor | null,
  q: { orgId: string; from: string; to: string; view: ExportView; format: 'xlsx' | 'csv' },
): Promise<Download> {
  const a = await kernel.authz.require(actor, 'outreach.read', { orgId: q.orgId });
  const [root] = (await subtreeOrgs(kernel.db, q.orgId)).filter((o) => o.id === q.orgId);
  if (!root) throw notFound('单位');
  const indicators = await activeIndicators(kernel);
  const indicatorColumns = indicators.map((i) => ({ header: indicatorTitle(i), kind: 'number' as const }));
  const title = `社会宣传台账（${root.name}，${q.from} 至 ${q.to}，${VIEW_NAMES[q.view]}）`;
  let table: Table;
  let truncated = false;

  if (q.view === 'children' || q.view === 'days') {
    const t = await totals(kernel, a, { orgId: q.orgId, from: q.from, to: q.to, groupBy: q.view === 'children' ? 'child' : 'day' });
    const nums = (m: Record<string, number>) => indicators.map((i) => m[i.code] ?? 0);
    const footerNums = nums(t.totals);
    if (q.view === 'children') {
      const children = t.children ?? [];
      const codes = await orgCodes(kernel.db, children.map((c) => c.orgId));
      const rows: Table['rows'] = children.map((c) => [codes.get(c.orgId) ?? '', c.name, ...nums(c.totals)]);
      // Records entered for the org itself belong to no child; show them so the rows add up.
      const own = indicators.map((ind, k) => round2(footerNums[k]! - children.reduce((s, c) => s + (c.totals[ind.code] ?? 0), 0)));
      if (own.some((v) => v !== 0)) rows.push([root.code ?? '', `${root.name}（本级）`, ...own]);
      table = {
        title,
        sheetName: '按下级汇总',
        columns: [{ header: HEADER.code, kind: 'text', width: 16 }, { header: HEADER.name, kind: 'text', width: 20 }, ...indicatorColumns],
        rows,
        footer: ['', '合计', ...footerNums],
      };
    } else {
      table = {
        title,
        sheetName: '按日汇总',
        columns: [{ header: HEADER.date, kind: 'date', width: 12 }, ...indicatorColumns],
        rows: (t.days ?? []).map((d) => [d.date, ...nums(d.totals)]),
        footer: ['合计', ...footerNums],
      };
    }
  } else {
    if (q.from > q.to) throw new AppError('invalid_input', '起始日期不能晚于结束日期');
    const byCode = new Map(indicators.map((i) => [i.code, i]));
    const all = await indicatorMap(kernel);
    const rows: Table['rows'] = [];
    let before: number | undefined;
    const codes = new Map<string, string | null>();
    for (;;) {
      const page = await queryRecords(kernel.db, { rootOrgId: q.orgId, from: q.from, to: q.to, limit: 5000, before });
      const missing = [...new Set(page.map((r) => r.org_id))].filter((id) => !codes.has(id));
      for (const [id, code] of await orgCodes(kernel.db, missing)) codes.set(id, code);
      for (const r of page) {
        if (rows.length >= EXPORT_MAX_RECORDS) {
          truncated = true;
          break;
        }
        const ind = byCode.get(r.indicator) ?? all.get(r.indicator);
        rows.push([
          Number(r.id),
          codes.get(r.org_id) ?? r.org_id,
          r.org_name,
          r.date,
          ind ? indicatorTitle(ind) : r.indicator,
          Number(r.value_c) / 100,
          r.note,
          STATUS_NAMES[r.status] ?? r.status,
          r.review_reason,
          SOURCE_NAMES[r.source] ?? r.source,
          r.creator_name ?? '',
          r.created_at,
        ]);
      }
      if (truncated || page.length < 5000) break;
      before = Number(page.at(-1)!.id);
    }
    table = {
      title,
      sheetName: '记录明细',
      columns: [
        { header: '记录编号', kind: 'number', width: 10 },
        { header: HEADER.code, kind: 'text', width: 16 },
        { header: HEADER.name, kind: 'text', width: 18 },
        { header: HEADER.date, kind: 'date', width: 12 },
        { header: '指标', kind: 'text', width: 22 },
        { header: '数值', kind: 'number', width: 10 },
        { header: HEADER.note, kind: 'text', width: 30 },
        { header: '状态', kind: 'text', width: 10 },
        { header: '核实说明', kind: 'text', width: 24 },
        { header: '来源', kind: 'text', width: 10 },
        { header: '填报人', kind: 'text', width: 12 },
        { header: '填报时间', kind: 'text', width: 24 },
      ],
      rows,
      notes: truncated ? [`仅导出最新的 ${EXPORT_MAX_RECORDS} 条记录，请缩小日期范围分次导出`] : undefined,
    };
  }
  const base = `宣传台账-${root.name}-${VIEW_NAMES[q.view]}-${q.from}至${q.to}`;
  return q.format === 'csv'
    ? { fileName: `${base}.csv`, contentType: CSV_MIME, body: tableToCsv(table), truncated }
    : { fileName: `${base}.xlsx`, contentType: XLSX_MIME, body: await tableToXlsx(table), truncated };
}

export { contentDisposition };
