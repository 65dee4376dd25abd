// Spreadsheet formats of the outreach ledger, with no database and no rules: the fill-in template
// (.xlsx with data validation), reading the rows of an uploaded workbook, and writing tables as
// .xlsx or .csv. The import service decides what the cells mean.
import { PassThrough } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
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

const HEADER_SCAN_ROWS = 5;
/** Most bytes one part of the zip may inflate to: a zip bomb stops here. */
const MAX_PART_BYTES = 512 * 1024 * 1024;

/**
 * The parts of a zip archive by name, inflated on demand. Only what .xlsx files use: stored or
 * deflated entries, no zip64, no encryption.
 */
function unzip(buf: Buffer): Map<string, () => Buffer> {
  if (buf.length < 22 || buf.readUInt32LE(0) !== 0x04034b50) throw new NotAWorkbook('not a zip file');
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NotAWorkbook('no central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const parts = new Map<string, () => Buffer>();
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new NotAWorkbook('broken central directory');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const skip = nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p += 46 + skip;
    if (flags & 1) throw new NotAWorkbook('encrypted');
    parts.set(name.replace(/^\/+/, ''), () => {
      if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new NotAWorkbook('broken entry');
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      if (method === 0) return data;
      if (method !== 8) throw new NotAWorkbook(`compression ${method}`);
      return inflateRawSync(data, { maxOutputLength: MAX_PART_BYTES });
    });
  }
  return parts;
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));|_x([0-9a-fA-F]{4})_/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
/** XML text to a string: entities, and Excel's _xHHHH_ escapes of control characters. */
function xmlText(s: string): string {
  if (!s.includes('&') && !s.includes('_x')) return s;
  return s.replace(ENTITY, (_m, dec, hex, named, esc) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : named ? NAMED[named]! : String.fromCharCode(parseInt(esc, 16)),
  );
}
const attrPatterns = new Map<string, RegExp>();
const attr = (attrs: string, name: string) => {
  let re = attrPatterns.get(name);
  if (!re) attrPatterns.set(name, (re = new RegExp(`(?:^|\\s)${name}="([^"]*)"`)));
  const m = re.exec(attrs);
  return m ? xmlText(m[1]!) : undefined;
};

/** Shared strings, each the text of its runs (phonetic guides left out). */
function sharedStrings(xml: string | undefined): string[] {
  if (!xml) return [];
  const out: string[] = [];
  const re = /<(\/?)(?:\w+:)?(si|t|rPh)\b[^>]*?(\/?)>/g;
  let text = '';
  let inPh = false;
  let tStart = -1;
  for (let m; (m = re.exec(xml)); ) {
    const [, close, tag, selfClose] = m;
    if (tag === 'si') {
      if (close) out.push(text);
      else if (selfClose) out.push('');
      else text = '';
    } else if (tag === 'rPh') inPh = !close && !selfClose;
    else if (!inPh && !selfClose) {
      if (!close) tStart = re.lastIndex;
      else if (tStart >= 0) {
        text += xmlText(xml.slice(tStart, m.index));
        tStart = -1;
      }
    }
  }
  return out;
}

const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
const isDateFormat = (code: string) => /[ymdhsb]/i.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '').replace(/\\./g, ''));

/** Which cell styles (by index) show numbers as dates. */
function dateStyles(xml: string | undefined): boolean[] {
  if (!xml) return [];
  const custom = new Map<number, string>();
  for (const m of xml.matchAll(/<(?:\w+:)?numFmt\b([^>]*?)\/?>/g)) {
    const id = Number(attr(m[1]!, 'numFmtId'));
    custom.set(id, attr(m[1]!, 'formatCode') ?? '');
  }
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(xml)?.[1] ?? '';
  return [...xfs.matchAll(/<(?:\w+:)?xf\b([^>]*?)\/?>/g)].map((m) => {
    const id = Number(attr(m[1]!, 'numFmtId') ?? 0);
    return custom.has(id) ? isDateFormat(custom.get(id)!) : BUILTIN_DATE_FORMATS.has(id);
  });
}

const columnIndex = (ref: string) => {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
};

/** The r, s and t attributes of a cell's start tag (between `<c` and `>`), scanned by hand. */
function cellAttrs(xml: string, from: number, to: number, out: { r: string; s: number; t: string }) {
  out.r = '';
  out.s = 0;
  out.t = 'n';
  let i = from;
  while (i < to) {
    const eq = xml.indexOf('="', i);
    if (eq < 0 || eq >= to) break;
    const close = xml.indexOf('"', eq + 2);
    const name = xml.slice(i, eq).trim();
    const value = xml.slice(eq + 2, close);
    if (name === 'r') out.r = value;
    else if (name === 's') out.s = Number(value);
    else if (name === 't') out.t = value;
    i = close + 1;
  }
}

/** Text of the <t> runs inside an inline string, phonetic guides (<rPh>) left out. */
const inlinePatterns = new Map<string, RegExp>();
function inlineText(inner: string, pfx: string): string {
  let text = '';
  let re = inlinePatterns.get(pfx);
  if (!re) inlinePatterns.set(pfx, (re = new RegExp(`<(/?)${pfx}(t|rPh)\\b[^>]*?(/?)>`, 'g')));
  re.lastIndex = 0;
  let inPh = false;
  let start = -1;
  for (let m; (m = re.exec(inner)); ) {
    if (m[2] === 'rPh') inPh = !m[1] && !m[3];
    else if (!inPh && !m[3]) {
      if (!m[1]) start = re.lastIndex;
      else if (start >= 0) {
        text += xmlText(inner.slice(start, m.index));
        start = -1;
      }
    }
  }
  return text;
}

/**
 * The rows of one worksheet's XML, values typed; stops early when `enough` says so. Scans with
 * indexOf rather than a tokenizer: 50,000 rows × 14 columns take a few hundred milliseconds.
 */
function sheetRows(xml: string, strings: string[], dates: boolean[], epoch: number, enough?: (rows: SheetRow[]) => boolean): SheetRow[] {
  const rows: SheetRow[] = [];
  const at = xml.indexOf('sheetData');
  if (at < 0) return rows;
  // Tags may carry a namespace prefix (<x:row>) in files from some generators.
  const lt = xml.lastIndexOf('<', at);
  const pfx = xml.slice(lt + 1, at);
  const ROW = `<${pfx}row`;
  const ROW_END = `</${pfx}row>`;
  const C = `<${pfx}c`;
  const C_END = `</${pfx}c>`;
  const V = `<${pfx}v`;
  const V_END = `</${pfx}v>`;
  const dataEnd = xml.indexOf(`</${pfx}sheetData>`, at);
  const limit = dataEnd < 0 ? xml.length : dataEnd;
  const a = { r: '', s: 0, t: 'n' };
  let p = at;
  let rowNo = 0;
  for (;;) {
    const r = xml.indexOf(ROW, p);
    if (r < 0 || r >= limit) break;
    const after = xml.charCodeAt(r + ROW.length);
    if (after !== 32 && after !== 62 && after !== 47 && after !== 9 && after !== 10 && after !== 13) {
      p = r + ROW.length;
      continue;
    }
    const gt = xml.indexOf('>', r);
    const rAttr = /\sr="(\d+)"/.exec(xml.slice(r, gt));
    rowNo = rAttr ? Number(rAttr[1]) : rowNo + 1;
    const row: SheetRow = { row: rowNo, cells: [] };
    rows.push(row);
    if (xml.charCodeAt(gt - 1) === 47) {
      p = gt + 1;
    } else {
      const end = xml.indexOf(ROW_END, gt);
      const rowEnd = end < 0 ? limit : end;
      let q = gt + 1;
      let col = -1;
      for (;;) {
        const c = xml.indexOf(C, q);
        if (c < 0 || c >= rowEnd) break;
        const ch = xml.charCodeAt(c + C.length);
        if (ch !== 32 && ch !== 62 && ch !== 47 && ch !== 9 && ch !== 10 && ch !== 13) {
          q = c + C.length;
          continue;
        }
        const cgt = xml.indexOf('>', c);
        const selfClosing = xml.charCodeAt(cgt - 1) === 47;
        cellAttrs(xml, c + C.length, selfClosing ? cgt - 1 : cgt, a);
        col = a.r ? columnIndex(a.r) : col + 1;
        if (selfClosing) {
          q = cgt + 1;
          continue;
        }
        const cend = xml.indexOf(C_END, cgt);
        const cellEnd = cend < 0 ? rowEnd : cend;
        q = cellEnd + C_END.length;
        let text: string | null = null;
        if (a.t === 'inlineStr') text = inlineText(xml.slice(cgt + 1, cellEnd), pfx);
        else {
          let v = xml.indexOf(V, cgt);
          while (v >= 0 && v < cellEnd && xml.charCodeAt(v + V.length) !== 62 && xml.charCodeAt(v + V.length) !== 32) v = xml.indexOf(V, v + V.length);
          if (v >= 0 && v < cellEnd) {
            const vgt = xml.indexOf('>', v);
            if (xml.charCodeAt(vgt - 1) !== 47) {
              const vend = xml.indexOf(V_END, vgt);
              text = xmlText(xml.slice(vgt + 1, vend < 0 || vend > cellEnd ? cellEnd : vend));
            }
          }
        }
        if (text === null) continue;
        let value: Cell = null;
        if (a.t === 's') value = strings[Number(text)] ?? null;
        else if (a.t === 'inlineStr' || a.t === 'str' || a.t === 'e') value = text;
        else if (a.t === 'b') value = text.trim() === '1';
        else if (a.t === 'd') {
          const d = new Date(text.length <= 10 ? `${text}T00:00:00Z` : text);
          value = Number.isNaN(d.getTime()) ? text : d;
        } else if (text.trim() !== '') {
          const n = Number(text);
          value = !Number.isFinite(n) ? text : dates[a.s] ? new Date(Math.round((n - epoch) * 86_400_000)) : n;
        }
        if (col >= 0) row.cells[col] = value;
      }
      p = rowEnd;
    }
    if (enough?.(rows)) break;
  }
  return rows;
}

const headerTexts = (r: SheetRow) => Array.from(r.cells, (c) => (c === null || c === undefined ? '' : normaliseHeader(c instanceof Date ? '' : String(c))));
const isFillHeader = (texts: string[]) => texts.includes(HEADER.code) && texts.includes(HEADER.date);

/**
 * Read the fill-in sheet of a workbook: the sheet named 填报, else the first whose header (within
 * its first rows) has both 单位编码 and 日期. Returns null when there is none; throws NotAWorkbook
 * when the bytes are not a readable .xlsx. A purpose-built reader: exceljs's takes ~10× longer
 * on 50,000 rows, most of the import's time budget.
 */
export async function readFillSheet(buf: Buffer): Promise<Sheet | null> {
  try {
    const parts = unzip(buf);
    const text = (name: string) => parts.get(name)?.().toString('utf8');
    const workbook = text('xl/workbook.xml');
    if (!workbook) throw new NotAWorkbook('no workbook part');
    const rels = new Map<string, string>();
    for (const m of (text('xl/_rels/workbook.xml.rels') ?? '').matchAll(/<(?:\w+:)?Relationship\b([^>]*?)\/?>/g)) {
      const target = attr(m[1]!, 'Target') ?? '';
      rels.set(attr(m[1]!, 'Id') ?? '', target.startsWith('/') ? target.slice(1) : `xl/${target}`);
    }
    const sheets = [...workbook.matchAll(/<(?:\w+:)?sheet\b([^>]*?)\/?>/g)].map((m) => ({
      name: attr(m[1]!, 'name') ?? '',
      part: rels.get(attr(m[1]!, 'r:id') ?? /\br:id="([^"]*)"/.exec(m[1]!)?.[1] ?? '') ?? '',
    }));
    const epoch = /date1904="(1|true)"/.test(workbook) ? 24107 : 25569;
    const ordered = [...sheets.filter((s) => s.name === FILL_SHEET), ...sheets.filter((s) => s.name !== FILL_SHEET)];
    let strings: string[] | undefined;
    let dates: boolean[] | undefined;
    for (const s of ordered) {
      const xml = text(s.part);
      if (!xml) continue;
      strings ??= sharedStrings(text('xl/sharedStrings.xml'));
      dates ??= dateStyles(text('xl/styles.xml'));
      // Look at the first rows only, then read the whole sheet if it is the one.
      const head = sheetRows(xml, strings, dates, epoch, (rows) => rows.length >= HEADER_SCAN_ROWS);
      const found = head.find((r) => isFillHeader(headerTexts(r)));
      if (!found) continue;
      const rows = sheetRows(xml, strings, dates, epoch).filter((r) => r.row > found.row);
      return { name: s.name, headerRow: found.row, header: headerTexts(found), rows };
    }
    return null;
  } catch (err) {
    if (err instanceof NotAWorkbook) throw err;
    throw new NotAWorkbook((err as Error).message);
  }
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
