// Benchmark: Excel import of 50,000 rows, from upload to stored, on embedded SQLite.
// Target (issue): ≤ 10 s on a 2-core machine. A district of 300 villages; a template-shaped
// workbook of 50,000 rows (a village, a date, 4–7 indicator values each) is uploaded through the
// HTTP API (preview) and confirmed; the clock runs from the upload request to the confirm answer.
// The phases come from the server's Server-Timing headers (wall and process CPU per phase); the
// rest of each request is HTTP, authentication and validation.
// Run alone: npx tsx bench/outreach-import.ts
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import ExcelJS from 'exceljs';
import { createTestContext, USER_PASSWORD } from '../src/server/testing/harness.ts';
import { localDate } from '../src/server/kernel/time.ts';
import { timing, type BenchContext, type BenchResult } from './lib.ts';


const ROWS = 50_000;
const TOWNSHIPS = 10;
const VILLAGES = 300;
const TARGET_S = 10;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The result table's phase lines (all phases are in the log); names as in the Server-Timing headers. */
const PHASE_GROUPS: Array<[string, string[]]> = [
  ['upload: read the workbook', ['upload: read']],
  ['upload: check rows', ['upload: check']],
  ['upload: other (duplicates, store preview, HTTP)', ['upload: duplicates', 'upload: store', 'upload: http + auth']],
  ['confirm: prepare records (history, clientIds, JSON)', ['confirm: load', 'confirm: history', 'confirm: plan', 'confirm: records']],
  ['confirm: insert records', ['confirm: insert']],
  ['confirm: roll-ups', ['confirm: rollups']],
  ['confirm: commit (WAL, checkpoints)', ['confirm: commit']],
  ['confirm: other (audit, HTTP)', ['confirm: audit', 'confirm: yield', 'confirm: http + auth']],
];

/** Deterministic pseudo-random numbers, so every run imports the same file. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function buildWorkbook(codes: string[], names: string[], indicators: Array<{ code: string; title: string; decimals: number }>, today: string) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => out.on('end', r));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
  const ws = wb.addWorksheet('填报');
  ws.columns = [
    { header: '单位编码', width: 12 },
    { header: '单位名称', width: 12 },
    { header: '日期', width: 12, style: { numFmt: 'yyyy-mm-dd' } },
    ...indicators.map((i) => ({ header: i.title, width: 12 })),
    { header: '备注', width: 20 },
  ];
  const rand = rng(42);
  const sums: Record<string, number> = Object.fromEntries(indicators.map((i) => [i.code, 0]));
  let records = 0;
  const base = Date.parse(`${today}T00:00:00Z`);
  for (let r = 0; r < ROWS; r++) {
    const v = r % codes.length;
    const date = new Date(base - (1 + Math.floor(rand() * 180)) * 86_400_000);
    const values: Array<number | null> = indicators.map(() => null);
    const n = 4 + Math.floor(rand() * 4);
    for (let k = 0; k < n; k++) {
      const i = Math.floor(rand() * indicators.length);
      if (values[i] !== null) continue;
      const ind = indicators[i]!;
      const value = ind.decimals ? Math.round(rand() * 40) / 10 : Math.floor(rand() * 30);
      values[i] = value;
    }
    values.forEach((value, i) => {
      if (value === null) return;
      sums[indicators[i]!.code]! += value;
      records++;
    });
    ws.addRow([codes[v], names[v], date, ...values, r % 50 === 0 ? '集中宣传日' : null]).commit();
  }
  ws.commit();
  await wb.commit();
  await ended;
  return { file: Buffer.concat(chunks), sums, records };
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const started = Date.now();
  const c = await createTestContext('sqlite');
  try {
    const codes: string[] = [];
    const names: string[] = [];
    for (let t = 0; t < TOWNSHIPS; t++) {
      const town = await c.org(c.rootOrgId, 'township', `第${t + 1}镇`, `T${String(t + 1).padStart(2, '0')}`);
      for (let v = 0; v < VILLAGES / TOWNSHIPS; v++) {
        const code = `T${String(t + 1).padStart(2, '0')}V${String(v + 1).padStart(2, '0')}`;
        await c.org(town, 'village', `第${t + 1}镇${v + 1}村`, code);
        codes.push(code);
        names.push(`第${t + 1}镇${v + 1}村`);
      }
    }
    await c.user(c.rootOrgId, ['publicity'], 'bench_pub');
    const login = await c.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bench_pub', password: USER_PASSWORD } });
    const headers = { cookie: String(login.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': JSON.parse(login.body).csrfToken as string };
    const indicators = (await c.admin.get('/api/outreach/indicators')).body.indicators.map((i: { code: string; name: string; unit: string; decimals: number }) => ({
      code: i.code,
      title: `${i.name}（${i.unit}）`,
      decimals: i.decimals,
    }));
    const today = localDate(new Date(), c.config.timeZone);
    const { file, sums, records } = await buildWorkbook(codes, names, indicators, today);
    ctx.log(`setup ${((Date.now() - started) / 1000).toFixed(1)} s: ${VILLAGES} villages, ${ROWS} rows, ${records} records, ${(file.length / 1e6).toFixed(1)} MB`);

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const up = await c.app.inject({ method: 'POST', url: `/api/outreach/imports?orgId=${c.rootOrgId}&fileName=bench.xlsx`, headers: { ...headers, 'content-type': XLSX }, payload: file });
    const t1 = performance.now();
    if (up.statusCode !== 200) throw new Error(`upload failed: ${up.statusCode} ${up.body.slice(0, 500)}`);
    const preview = JSON.parse(up.body).import;
    if (preview.summary.errors) throw new Error(`preview has errors: ${JSON.stringify(preview.rows.find((r: { errors: unknown[] }) => r.errors.length))}`);
    const conf = await c.app.inject({ method: 'POST', url: `/api/outreach/imports/${preview.id}/confirm`, headers });
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    if (conf.statusCode !== 200) throw new Error(`confirm failed: ${conf.statusCode} ${conf.body.slice(0, 500)}`);
    const confirmed = JSON.parse(conf.body);

    // The totals must move by exactly the file's sums.
    const from = localDate(new Date(Date.now() - 200 * 86_400_000), c.config.timeZone);
    const totals = (await c.app.inject({ method: 'GET', url: `/api/outreach/totals?orgId=${c.rootOrgId}&from=${from}&to=${today}`, headers })).json().totals;
    const exact = Object.entries(sums).every(([code, s]) => Math.round(totals[code] * 100) === Math.round(s * 100));
    const counted = confirmed.created === records && confirmed.review === 0;

    const total = (t2 - t0) / 1000;
    // The server's own phases (Server-Timing), and the HTTP layer as the rest of each request.
    const phases: Array<{ name: string; ms: number; cpuMs: number }> = [
      ...timing(up).map((p) => ({ ...p, name: `upload: ${p.name}` })),
      { name: 'upload: http + auth', ms: t1 - t0 - timing(up).reduce((s, p) => s + p.ms, 0), cpuMs: NaN },
      ...timing(conf).map((p) => ({ ...p, name: `confirm: ${p.name}` })),
      { name: 'confirm: http + auth', ms: t2 - t1 - timing(conf).reduce((s, p) => s + p.ms, 0), cpuMs: NaN },
    ];
    ctx.log(`phases (wall / CPU): ${phases.map((p) => `${p.name} ${(p.ms / 1000).toFixed(2)}${Number.isNaN(p.cpuMs) ? '' : ` / ${(p.cpuMs / 1000).toFixed(2)}`} s`).join(' · ')}`);
    ctx.log(`upload+preview ${((t1 - t0) / 1000).toFixed(2)} s, confirm ${((t2 - t1) / 1000).toFixed(2)} s; created ${confirmed.created}, held for review ${confirmed.review}; totals exact: ${exact}; CPU ${cpuS.toFixed(2)} s (user ${(cpu.user / 1e6).toFixed(2)}, system ${(cpu.system / 1e6).toFixed(2)}); load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    return [
      { name: 'outreach import 50k rows: upload → stored', value: Number(total.toFixed(2)), unit: 's', target: `≤ ${TARGET_S} s`, ok: total <= TARGET_S && exact && counted },
      { name: 'outreach import: upload + preview', value: Number(((t1 - t0) / 1000).toFixed(2)), unit: 's' },
      { name: 'outreach import: confirm', value: Number(((t2 - t1) / 1000).toFixed(2)), unit: 's' },
      { name: 'outreach import: CPU time (all threads)', value: Number(cpuS.toFixed(2)), unit: 's' },
      { name: 'outreach import: rows per second', value: Math.round(ROWS / total), unit: 'rows/s' },
      { name: 'outreach import: records per second', value: Math.round(records / total), unit: 'records/s' },
      { name: 'outreach import: totals exact after import', value: exact ? 1 : 0, unit: 'bool', target: '1', ok: exact },
      ...PHASE_GROUPS.map(([label, names]) => ({
        name: `outreach import phase: ${label}`,
        value: Number((phases.filter((p) => names.includes(p.name)).reduce((s, p) => s + p.ms, 0) / 1000).toFixed(2)),
        unit: 's',
      })),
    ];
  } finally {
    await c.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await run({ log: (s) => console.log(s) });
  for (const r of results) console.log(`${r.ok === false ? '✗' : r.ok ? '✓' : ' '} ${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target})` : ''}`);
  if (results.some((r) => r.ok === false)) process.exitCode = 1;
}
