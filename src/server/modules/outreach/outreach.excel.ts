// Spreadsheet formats of the outreach ledger, with no database and no rules: the fill-in template
// (.xlsx with data validation), reading the rows of an uploaded workbook, and writing tables as
// .xlsx or .csv. The import service decides what the cells mean.
import { Readable, PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_MIME = 'text/csv; charset=utf-8';

export const HEADER = { code: '单位编码', name: '单位名称', date: '日期', note: '备注' } as const;
export const FILL_SHEET = '填报';
export const ORG_SHEET = '单位';
export const HELP_SHEET = '说明';

export interface IndicatorColumn {
  code: string;
  name: string;
  unit: string;
  decimals: number;
}

/** The column title of an indicator, as in the template: 标语横幅（条）. */
export const indicatorTitle = (i: Pick<IndicatorColumn, 'name' | 'unit'>) => `${i.name}（${i.unit}）`;

/** Header text compared loosely: spaces gone, half-width brackets as full-width. */
export const normaliseHeader = (s: string) => s.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）');

/** Content-Disposition for a download with a Chinese name (RFC 6266 / RFC 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const HEADER_FONT = { bold: true } as const;
const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8F0FE' } } as const;

async function toBuffer(wb: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);
}

// ---- template --------------------------------------------------------------------------------

export interface TemplateSpec {
  orgName: string;
  /** Pre-filled rows: one per reporting unit. `key` is the org code, or the id when it has none. */
  units: Array<{ key: string; name: string }>;
  /** Every org of the subtree, for the 单位 sheet and the code list. */
  orgs: Array<{ key: string; name: string; kind: string; parent: string }>;
  indicators: IndicatorColumn[];
  today: string;
}

/** Rows below the header that carry data validation (the pre-filled ones and room to add more). */
const VALIDATED_ROWS = 5000;

const KIND_NAMES: Record<string, string> = {
  district: '区', township: '乡镇（街道）', village: '村', community: '社区', department: '部门', media: '媒体',
};

export async function buildTemplate(spec: TemplateSpec): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Frontline 一线';
  wb.created = new Date();
  const ws = wb.addWorksheet(FILL_SHEET, { views: [{ state: 'frozen', xSplit: 2, ySplit: 1 }] });
  const orgSheet = wb.addWorksheet(ORG_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  const help = wb.addWorksheet(HELP_SHEET);

  const header = [HEADER.code, HEADER.name, HEADER.date, ...spec.indicators.map(indicatorTitle), HEADER.note];
  ws.columns = header.map((h, i) => ({
    header: h,
    width: i === 0 ? 16 : i === 1 ? 18 : i === 2 ? 12 : i === header.length - 1 ? 30 : Math.max(10, Math.min(24, h.length * 2 + 2)),
    style: i === 0 ? { numFmt: '@' } : i === 2 ? { numFmt: 'yyyy-mm-dd' } : {},
  }));
  const headRow = ws.getRow(1);
  headRow.font = HEADER_FONT;
  headRow.eachCell((c) => {
    c.fill = HEADER_FILL;
    c.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  });
  headRow.height = 30;
  for (const u of spec.units) ws.addRow([u.key, u.name]);

  // Validation: codes from the 单位 sheet, a real date, non-negative numbers (whole unless decimals).
  const last = Math.max(VALIDATED_ROWS, spec.units.length + 1000) + 1;
  const lastOrgRow = Math.max(2, spec.orgs.length + 1);
  const col = (n: number) => ws.getColumn(n).letter;
  // Range validations (one sqref each); exceljs has this API but leaves it out of its typings.
  const validations = (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  validations.add(`A2:A${last}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`'${ORG_SHEET}'!$A$2:$A$${lastOrgRow}`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '单位编码无效',
    error: `请从“${ORG_SHEET}”表中选择单位编码`,
  });
  validations.add(`C2:C${last}`, {
    type: 'date',
    operator: 'between',
    allowBlank: true,
    formulae: [new Date(Date.UTC(2000, 0, 1)), new Date(Date.UTC(2099, 11, 31))],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '日期无效',
    error: '请填写日期，例如 2026-02-01',
    showInputMessage: true,
    promptTitle: '日期',
    prompt: '格式 YYYY-MM-DD，不能晚于今天',
  });
  spec.indicators.forEach((ind, i) => {
    const letter = col(4 + i);
    validations.add(`${letter}2:${letter}${last}`, {
      type: ind.decimals > 0 ? 'decimal' : 'whole',
      operator: 'greaterThanOrEqual',
      allowBlank: true,
      formulae: [0],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: '数值无效',
      error: ind.decimals > 0 ? `请填写不小于 0 的数，最多 ${ind.decimals} 位小数` : '请填写不小于 0 的整数',
    });
  });

  orgSheet.columns = [
    { header: HEADER.code, width: 40, style: { numFmt: '@' } },
    { header: HEADER.name, width: 20 },
    { header: '类型', width: 14 },
    { header: '上级单位', width: 20 },
  ];
  orgSheet.getRow(1).font = HEADER_FONT;
  for (const o of spec.orgs) orgSheet.addRow([o.key, o.name, KIND_NAMES[o.kind] ?? o.kind, o.parent]);

  help.getColumn(1).width = 100;
  const lines = [
    `社会宣传台账填报模板（${spec.orgName}）`,
    '',
    `1. 在“${FILL_SHEET}”表中每行填写一个单位一天的工作量：单位编码、日期、各项指标数量；同一单位不同日期请另起一行（可复制行）。`,
    `2. 单位编码已按本单位下属的村（社区）预填；也可从“${ORG_SHEET}”表中选择。没有编码的单位以系统编号标识，请勿修改。单位名称仅供核对，以编码为准。`,
    `3. 日期写成 YYYY-MM-DD（如 ${spec.today}），不能晚于今天。`,
    '4. 指标数量填写非负数；除标明可有小数的指标（如广播小时数）外都应为整数。没有开展的项目留空即可，留空不计入，填 0 记为“已填报、数量为 0”。',
    '5. 备注可写说明（不超过 500 字），会记入该行的每条记录。',
    '6. 不要修改第一行表头，不要增删指标列；指标有调整时请重新下载模板。',
    '7. 上传后系统逐行检查并显示预览（第几行、哪一列、什么问题），确认无误后才正式入账。同一文件重复上传、确认不会重复计数。',
  ];
  lines.forEach((text, i) => {
    const cell = help.getCell(`A${i + 1}`);
    cell.value = text;
    cell.alignment = { wrapText: true, vertical: 'top' };
    if (i === 0) cell.font = { bold: true, size: 14 };
  });
  return toBuffer(wb);
}

// ---- reading ---------------------------------------------------------------------------------

/** A cell as read: number, text, a date (already a calendar date in UTC), boolean, or empty. */
export type Cell = number | string | Date | boolean | null;
export interface SheetRow {
  /** The row number in the sheet, 1-based as Excel shows it. */
  row: number;
  /** Cells by column, 0-based (A = 0). */
  cells: Cell[];
}
export interface Sheet {
  name: string;
  /** Row number of the header row, 1-based. */
  headerRow: number;
  header: string[];
  rows: SheetRow[];
}

export class NotAWorkbook extends Error {}

function plain(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('result' in o) return plain(o.result);
    if ('formula' in o || 'sharedFormula' in o) return null;
    if (Array.isArray(o.richText)) return (o.richText as Array<{ text?: string }>).map((r) => r.text ?? '').join('');
    if ('text' in o) return plain(o.text);
    if ('error' in o) return String(o.error);
  }
  return String(v);
}

const HEADER_SCAN_ROWS = 5;

/**
 * Read the fill-in sheet of a workbook: the first sheet whose header (within its first rows) has
 * both 单位编码 and 日期. Streams the file, so memory holds one sheet's cell values, not the
 * whole object model. Throws NotAWorkbook when the bytes are not a readable .xlsx.
 */
export async function readFillSheet(buf: Buffer): Promise<Sheet | null> {
  if (buf.length < 4 || buf.readUInt32LE(0) !== 0x04034b50) throw new NotAWorkbook('not a zip file');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buf]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  } as ExcelJS.stream.xlsx.WorkbookStreamReaderOptions);
  let found: Sheet | null = null;
  try {
    for await (const ws of reader) {
      const sheet = ws as unknown as AsyncIterable<ExcelJS.Row> & { name: string };
      if (found) {
        for await (const _ of sheet);
        continue;
      }
      let candidate: Sheet | null = null;
      let scanned = 0;
      for await (const r of sheet) {
        const values = r.values as unknown[];
        if (!candidate) {
          if (++scanned > HEADER_SCAN_ROWS) continue;
          const texts = values.slice(1).map((v) => {
            const p = plain(v);
            return p === null ? '' : normaliseHeader(String(p));
          });
          if (texts.includes(HEADER.code) && texts.includes(HEADER.date)) {
            candidate = { name: sheet.name, headerRow: r.number, header: texts, rows: [] };
          }
          continue;
        }
        const cells: Cell[] = new Array(Math.max(0, values.length - 1));
        for (let i = 1; i < values.length; i++) cells[i - 1] = plain(values[i]);
        candidate.rows.push({ row: r.number, cells });
      }
      if (candidate) found = candidate;
    }
  } catch (err) {
    if (err instanceof NotAWorkbook) throw err;
    throw new NotAWorkbook((err as Error).message);
  }
  return found;
}

// ---- writing tables ---------------------------------------------------------------------------

export interface Table {
  title: string;
  sheetName: string;
  columns: Array<{ header: string; width?: number; kind?: 'text' | 'number' | 'date' }>;
  rows: Array<Array<string | number | null>>;
  /** A bold last row (合计). */
  footer?: Array<string | number | null>;
  /** Lines under the table (notes such as a cut-off). */
  notes?: string[];
}

/** An .xlsx of one table, written with the streaming writer so 100,000 rows stay cheap. */
export async function tableToXlsx(table: Table): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Frontline 一线';
  const ws = wb.addWorksheet(table.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, Math.min(30, c.header.length * 2 + 2)) }));
  const head = ws.getRow(1);
  head.font = HEADER_FONT;
  head.commit();
  for (const r of table.rows) ws.addRow(r).commit();
  if (table.footer) {
    const f = ws.addRow(table.footer);
    f.font = HEADER_FONT;
    f.commit();
  }
  for (const n of table.notes ?? []) ws.addRow([n]).commit();
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

const CSV_NEEDS_QUOTES = /[",\r\n]/;
/** Text that spreadsheet programs would run as a formula gets a leading apostrophe (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(v: string | number | null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return CSV_NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV for Excel on Windows: UTF-8 with BOM, CRLF line ends, RFC 4180 quoting. */
export function tableToCsv(table: Table): Buffer {
  const lines: string[] = [table.columns.map((c) => csvField(c.header)).join(',')];
  for (const r of table.rows) lines.push(r.map(csvField).join(','));
  if (table.footer) lines.push(table.footer.map(csvField).join(','));
  for (const n of table.notes ?? []) lines.push(csvField(n));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
