// `npm run bench [filter…]`: runs every bench/*.ts module (except run.ts, lib.ts and _*.ts) that exports
// `run(ctx)`, one after another, prints one table of figures with their targets, and writes
// bench/results/<bench>.json and bench/results/latest.md (the newest figures of every bench, so a
// filtered run updates only its own rows). A missed target is printed loudly but
// does not fail the run (exit 0): the figures are the product, the table says what was missed.
// A bench that throws is reported (exit 1), since then there are no figures at all.
//
//   npm run bench                 all benches
//   npm run bench -- outreach     only bench/outreach.ts (an exact name), else files containing it
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineInfo, ROOT, type BenchModule, type BenchResult } from './lib.ts';

const BENCH_DIR = path.join(ROOT, 'bench');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = fs
  .readdirSync(BENCH_DIR)
  // Files starting with "_" are scratch files, never benches.
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_') && f !== 'run.ts' && f !== 'lib.ts')
  .sort();
const benchName = (f: string) => f.replace(/\.ts$/, '');
// A filter that names a bench exactly selects only it ("outreach" is not also "outreach-import").
const matches = (f: string) =>
  filters.length === 0 || filters.some((s) => (all.some((g) => benchName(g) === s) ? benchName(f) === s : f.includes(s)));
const files = all.filter(matches);

if (files.length === 0) {
  console.error(`no bench files${filters.length ? ` matching ${filters.join(', ')}` : ''} in bench/`);
  process.exit(1);
}

const machine = machineInfo();
console.log(`Frontline benchmarks — ${machine.date}\nnode ${machine.node} · ${machine.cpu} · ${machine.memoryGiB} GiB · commit ${machine.commit} · load ${machine.loadavg.join(' ')}\n`);
const cores = os.cpus().length;
const busyWarning = (load: number) =>
  load > cores
    ? `!!! The machine is busy: load average ${load.toFixed(1)} on ${cores} cores. Other processes compete for the CPU, so timings are inflated and throughput understated. !!!`
    : '';
if (busyWarning(machine.loadavg[0]!)) console.log(`${busyWarning(machine.loadavg[0]!)}\n`);

interface Section {
  bench: string;
  results: BenchResult[];
  seconds: number;
  error?: string;
}
const sections: Section[] = [];

for (const file of files) {
  const bench = file.replace(/\.ts$/, '');
  const mod = (await import(pathToFileURL(path.join(BENCH_DIR, file)).href)) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') {
    console.log(`(skipping ${file}: it exports no run())`);
    continue;
  }
  console.log(`=== ${bench} ===`);
  const t0 = Date.now();
  const log = (s: string) => console.log(`[${bench} ${((Date.now() - t0) / 1000).toFixed(1)}s] ${s}`);
  let results: BenchResult[] = [];
  let error: string | undefined;
  try {
    results = await mod.run({ log });
  } catch (err) {
    error = (err as Error)?.stack ?? String(err);
    console.error(`\n!!! ${bench} failed: ${error}\n`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const loadAfter = os.loadavg().map((l) => Math.round(l * 100) / 100);
  sections.push({ bench, results, seconds, error });
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, `${bench}.json`), JSON.stringify({ bench, ...machine, loadAfter, seconds, error, results }, null, 2) + '\n');
  if (busyWarning(loadAfter[0]!)) console.log(busyWarning(loadAfter[0]!));
  console.log(`=== ${bench} done in ${seconds.toFixed(0)} s ===\n`);
}

// ---- the table --------------------------------------------------------------------------------
const mark = (r: BenchResult) => (r.ok === undefined ? '' : r.ok ? '✓' : '✗');
const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const rows = sections.flatMap((s) =>
  s.error ? [[s.bench, 'FAILED', '', '', '✗']] : s.results.map((r) => [r.name, fmt(r.value), r.unit, r.target ?? '', mark(r)]),
);
const header = ['name', 'value', 'unit', 'target', ''];
const widths = header.map((h, i) => Math.max(strWidth(h), ...rows.map((r) => strWidth(r[i]!))));
const line = (cells: string[]) => cells.map((c, i) => (i === 1 ? padStart(c, widths[i]!) : padEnd(c, widths[i]!))).join('  ').trimEnd();
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));

const missed = sections.flatMap((s) => s.results.filter((r) => r.ok === false).map((r) => `${r.name} = ${fmt(r.value)} ${r.unit} (target ${r.target})`));
const failed = sections.filter((s) => s.error);
if (missed.length) {
  const bar = '!'.repeat(70);
  console.log(`\n${bar}\n!!! ${missed.length} TARGET(S) MISSED:\n${missed.map((m) => `!!!   ${m}`).join('\n')}\n${bar}`);
}

// ---- latest.md: the newest figures of every bench (a filtered run updates only its own) ---------
const saved = fs
  .readdirSync(RESULTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, f), 'utf8')) as Section & ReturnType<typeof machineInfo> & { loadAfter?: number[] });
const mdRows = saved.flatMap((s) =>
  s.error ? [[s.bench, 'FAILED', '', '', '✗']] : s.results.map((r) => [r.name, fmt(r.value), r.unit, r.target ?? '', mark(r)]),
);
const mdMissed = saved.flatMap((s) => s.results.filter((r) => r.ok === false).map((r) => `${r.name} = ${fmt(r.value)} ${r.unit} (target ${r.target})`));
const md = [
  `# Latest benchmark results`,
  ``,
  `Written by \`npm run bench\` (bench/run.ts); each bench's full record is in bench/results/<bench>.json.`,
  ``,
  `| name | value | unit | target | |`,
  `| --- | ---: | --- | --- | --- |`,
  ...mdRows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ``,
  ...saved.map(
    (s) =>
      `- \`${s.bench}\`: ${s.date} · ${s.seconds.toFixed(0)} s · node ${s.node} · ${s.cpu} · ${s.memoryGiB} GiB · ${s.platform} · commit ${s.commit} · load average at start ${s.loadavg.join(' ')}${s.loadAfter ? `, at end ${s.loadAfter.join(' ')}` : ''}` +
      (s.error ? ` — FAILED: ${s.error.split('\n')[0]}` : ''),
  ),
  ...(mdMissed.length ? ['', `**Missed targets:** ${mdMissed.join('; ')}`] : []),
  ``,
].join('\n');
fs.writeFileSync(path.join(RESULTS_DIR, 'latest.md'), md);
console.log(`\nwrote bench/results/latest.md and bench/results/<bench>.json`);
process.exit(failed.length ? 1 : 0);

// Display width: CJK characters take two terminal columns.
function strWidth(s: string) {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}
function padEnd(s: string, w: number) {
  return s + ' '.repeat(Math.max(0, w - strWidth(s)));
}
function padStart(s: string, w: number) {
  return ' '.repeat(Math.max(0, w - strWidth(s))) + s;
}
