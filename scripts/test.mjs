// `npm test`: builds the web app if stale, starts a throwaway PostgreSQL, runs every test file with
// node's test runner (through tsx), then stops PostgreSQL and exits with the runner's code.
//
//   npm test                          all of src/**/*.test.ts, test/**/*.test.ts, test/e2e/**/*.e2e.ts
//   npm test -- audit outreach        only files whose path contains "audit" or "outreach"
//   npm test -- --test-name-pattern=x flags starting with "-" go to `node --test` as they are
//
// Environment: CI=true turns a missing PostgreSQL or Chromium from a warning into a failure.
// FRONTLINE_TEST_PG_URL, when already set, is used as is (no cluster is started): point it at a
// server where the user may CREATE DATABASE.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPg } from './pg.mjs';
import { ensureWebBuilt, ROOT } from './web-build.mjs';

const t0 = Date.now();
const CI = /^(1|true|yes)$/i.test(process.env.CI ?? '');
const CHROMIUM = '/usr/bin/chromium';
const log = (m) => console.error(m);

function banner(msg) {
  const bar = '!'.repeat(Math.max(msg.length, 60));
  log(`\n${bar}\n${msg}\n${bar}\n`);
}

const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

// ---- arguments --------------------------------------------------------------------------------
const filters = [];
const passThrough = [];
for (const a of process.argv.slice(2)) (a.startsWith('-') ? passThrough : filters).push(a);

// ---- collect test files -----------------------------------------------------------------------
function walk(dir, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

const rel = (p) => path.relative(ROOT, p).split(path.sep).join('/');
const all = [...walk(path.join(ROOT, 'src')), ...walk(path.join(ROOT, 'test'))].map(rel).sort();
const isE2e = (f) => f.startsWith('test/e2e/') && f.endsWith('.e2e.ts');
const unitFiles = all.filter((f) => f.endsWith('.test.ts'));
let e2eFiles = all.filter(isE2e);
const matches = (f) => filters.length === 0 || filters.some((s) => f.includes(s));

let files = unitFiles.filter(matches);
e2eFiles = e2eFiles.filter(matches);

if (e2eFiles.length > 0 && !fs.existsSync(CHROMIUM)) {
  banner(
    `!!! ${CHROMIUM} not found: ${e2eFiles.length} end-to-end test file(s) are SKIPPED !!!\n` +
      '!!! 未找到 Chromium，端到端测试被跳过。Debian: apt-get install chromium fonts-noto-cjk !!!',
  );
  if (CI) {
    log('CI=true: failing instead of skipping.');
    process.exit(1);
  }
  e2eFiles = [];
}
files = [...files, ...e2eFiles]; // browser tests last: they are the slowest

if (files.length === 0) {
  banner(
    filters.length
      ? `!!! no test files match ${filters.map((f) => JSON.stringify(f)).join(', ')} !!!`
      : '!!! no test files found (src/**/*.test.ts, test/**/*.test.ts, test/e2e/**/*.e2e.ts) !!!',
  );
  process.exit(1);
}

// ---- web build (the e2e tests and the static-file routes need dist/web) ------------------------
if (!(await ensureWebBuilt({ log }))) process.exit(1);

// ---- PostgreSQL -------------------------------------------------------------------------------
let pg = null;
if (process.env.FRONTLINE_TEST_PG_URL) {
  log(`using FRONTLINE_TEST_PG_URL from the environment (no PostgreSQL started)`);
} else {
  try {
    pg = await startPg({ log: (m) => log(`[pg] ${m}`) });
  } catch (err) {
    log(`[pg] could not start PostgreSQL: ${err.message}`);
    if (CI) process.exit(1);
  }
  if (pg) {
    process.env.FRONTLINE_TEST_PG_URL = pg.url;
  } else {
    banner('!!! PostgreSQL server binaries not found: PostgreSQL variants of the tests are SKIPPED !!!');
    if (CI) {
      log('CI=true: failing instead of skipping.');
      process.exit(1);
    }
  }
}
process.on('exit', () => pg?.stopSync()); // last resort; the normal path stops it below

// ---- run --------------------------------------------------------------------------------------
const summaryFile = path.join(os.tmpdir(), `frontline-test-${process.pid}.json`);
process.env.FRONTLINE_TEST_SUMMARY_FILE = summaryFile;
const summaryReporter = pathToFileURL(path.join(ROOT, 'scripts', 'test-summary.mjs')).href;
const args = [
  '--import', 'tsx',
  '--test',
  '--test-concurrency=2',
  // A test file that leaves a handle open (a server, a pool, a timer) must not hang the run.
  '--test-force-exit',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  // Totals for the closing line below.
  `--test-reporter=${summaryReporter}`, '--test-reporter-destination=stderr',
  ...passThrough,
  ...files,
];
log(`running ${files.length} test file(s)${filters.length ? ` matching ${filters.join(', ')}` : ''} …\n`);

const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env: process.env });
let interrupted = null;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    interrupted = sig;
    child.kill(sig); // a terminal's Ctrl-C reaches the child too; a second signal is harmless
  });
}
const { code, signal } = await new Promise((resolve) => {
  child.on('exit', (code, signal) => resolve({ code, signal }));
  child.on('error', (err) => {
    log(`cannot start node --test: ${err.message}`);
    resolve({ code: 1, signal: null });
  });
});

if (pg) await pg.stop();

// ---- summary ----------------------------------------------------------------------------------
let counts = {};
try {
  counts = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
} catch {
  /* the runner died before reporting its totals */
}
fs.rmSync(summaryFile, { force: true });

let exitCode = signal || interrupted ? 1 : (code ?? 1);
if (exitCode === 0 && !counts.tests) {
  banner('!!! the test runner finished without running a single test !!!');
  exitCode = 1;
}
log(`\ntotal wall time / 总用时: ${elapsed()}${interrupted ? ` (interrupted by ${interrupted})` : ''}`);
if (counts.tests !== undefined) {
  const failed = (counts.fail ?? 0) + (counts.cancelled ?? 0);
  const skipped = (counts.skipped ?? 0) + (counts.todo ?? 0);
  console.log(`tests: ${counts.pass ?? 0} passed, ${failed} failed, ${skipped} skipped`);
}
process.exit(exitCode);
