// Outreach ledger benchmark, against the targets of the issue (2-core machine, embedded SQLite):
//
//   A generated district of 300 villages with 2,000,000 records over one year.
//   (a) Totals for any subtree and date range: p95 ≤ 20 ms, through GET /api/outreach/totals
//       (app.inject: routing, auth, authz, validation and serialisation included);
//   (b) at least 20× faster than a plain GROUP BY over the raw records, measured in the same run
//       on the same queries (and both must give the same numbers);
//   (c) single-record POSTs over HTTP from 64 concurrent keep-alive clients against the real server
//       process: ≥ 4,000 acknowledged records/s, durable (the server is killed with SIGKILL right
//       after the run and every acknowledged record must be in the file exactly once); printed
//       beside GET /api/health on the same server in the same run;
//   (d) the same totals queries on PostgreSQL (p95 reported).
//
// The district's orgs and users are created through the API; its 2,000,000 records are NOT: they
// are bulk-inserted with prepared statements, one transaction per day holding that day's records
// and its roll-ups (village, township, district × indicator), so that generation takes about a
// minute instead of hours. The roll-ups are then checked against a GROUP BY over the raw records.
// The generated SQLite file is cached under bench/.work/ keyed by GENERATOR_VERSION.
import { randomUUID } from 'node:crypto';
import { mulberry32 as prng } from '../src/text/random.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/server/config.ts';
import { createDb, migrateToLatest, type Database } from '../src/server/db/index.ts';
import { buildApp } from '../src/server/app.ts';
import { bootstrapPlatform } from '../src/server/bootstrap.ts';
import { localDate } from '../src/server/kernel/time.ts';
import { BUILTIN_INDICATORS } from '../src/server/modules/outreach/outreach.catalogue.ts';
import {
  fmtStats,
  HttpClient,
  loadLoop,
  msSince,
  processCpuMs,
  provisionReporter,
  ROOT,
  runWrk,
  threadCpuMs,
  wrkPath,
  round,
  startServer,
  stats,
  type BenchContext,
  type BenchResult,
  type Stats,
} from './lib.ts';

/** Bump when the generated data changes shape; the cached file is then rebuilt. */
const GENERATOR_VERSION = 1;
const TOWNSHIPS = 12;
const VILLAGES = 300;
const RECORDS = Number(process.env.FRONTLINE_BENCH_RECORDS ?? 2_000_000);
const DAYS = 365;
const ADMIN_PASSWORD = 'Bench#Admin2026';
const USER_PASSWORD = 'Bench#User2026';

const TOTALS_QUERIES = 300;
/** The plain GROUP BY runs on the first queries: at least BASELINE_MIN, at most BASELINE_MAX, within the budget. */
const BASELINE_MIN_QUERIES = 10;
const BASELINE_MAX_QUERIES = 30;
const BASELINE_BUDGET_MS = 60_000;
const HTTP_CLIENTS = 64;
const HTTP_SECONDS = Number(process.env.FRONTLINE_BENCH_HTTP_SECONDS ?? 10);

const WORK_DIR = path.join(ROOT, 'bench', '.work');
/** For working on one part: FRONTLINE_BENCH_PARTS=totals,http,pg (default: all three). */
const PARTS = new Set((process.env.FRONTLINE_BENCH_PARTS ?? 'totals,http,pg').split(','));
const CODES = BUILTIN_INDICATORS.map((i) => i.code as string);

// ---- deterministic randomness -----------------------------------------------------------------
const pickWeighted = (rnd: () => number, cumulative: number[]) => {
  const x = rnd() * cumulative[cumulative.length - 1]!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};
const cumulate = (w: number[]) => w.reduce<number[]>((acc, x) => (acc.push((acc.at(-1) ?? 0) + x), acc), []);
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** How often each indicator is logged and the range of one record's value (in units). */
const INDICATOR_PROFILE: Record<string, { weight: number; min: number; max: number; step?: number }> = {
  group_messages: { weight: 20, min: 1, max: 80 },
  household_visits: { weight: 18, min: 5, max: 300 },
  leaflets: { weight: 15, min: 20, max: 1500 },
  broadcast_hours: { weight: 12, min: 0.5, max: 6, step: 0.1 },
  banners: { weight: 10, min: 1, max: 20 },
  loudspeakers: { weight: 8, min: 1, max: 15 },
  guides_printed: { weight: 6, min: 10, max: 2000 },
  vehicle_trips: { weight: 5, min: 1, max: 4 },
  billboards: { weight: 3, min: 1, max: 5 },
  screens: { weight: 3, min: 1, max: 3 },
};

// ---- an in-process app over a database -------------------------------------------------------
interface InjectClient {
  get(url: string): Promise<{ status: number; body: any }>;
  post(url: string, body: unknown): Promise<{ status: number; body: any }>;
}
function injectClient(app: FastifyInstance, headers: Record<string, string>): InjectClient {
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as any } : {}) });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null };
  };
  return { get: (url) => call('GET', url), post: (url, body) => call('POST', url, body) };
}
async function injectLogin(app: FastifyInstance, username: string, password: string): Promise<InjectClient> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return injectClient(app, { cookie: String(res.headers['set-cookie']).split(';')[0]!, 'x-csrf-token': JSON.parse(res.body).csrfToken });
}
function must<T extends { status: number; body: any }>(res: T, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

async function openApp(env: Record<string, string>): Promise<{ app: FastifyInstance; database: Database }> {
  const config = loadConfig({
    FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FRONTLINE_LOG_LEVEL: 'silent',
    FRONTLINE_PASSWORD_HASH_COST: '11',
    FRONTLINE_DISTRICT_NAME: '压测区',
    FRONTLINE_JOBS: 'false',
    FRONTLINE_WEB_DIR: path.join(os.tmpdir(), 'frontline-bench-no-web'),
    ...env,
  });
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);
  const app = await buildApp({ config, database, logger: false });
  await bootstrapPlatform(app.kernel);
  await app.ready();
  return { app, database };
}

// ---- generation -------------------------------------------------------------------------------
interface Meta {
  version: number;
  generatedAt: string;
  seconds: number;
  from: string;
  to: string;
  records: number;
  counted: number;
  rollupRows: number;
  districtId: string;
  townIds: string[];
  villageIds: string[];
  /** Bearer token of a district-level publicity user (throw-away data). */
  token: string;
  sampleChecks: number;
}

async function ensureDistrict(ctx: BenchContext): Promise<{ dir: string; meta: Meta; generated: boolean }> {
  const dir = path.join(WORK_DIR, `outreach-v${GENERATOR_VERSION}-${RECORDS}`);
  const metaFile = path.join(dir, 'meta.json');
  if (fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Meta;
    if (meta.version === GENERATOR_VERSION && meta.records === RECORDS) {
      ctx.log(`using the cached district ${path.relative(ROOT, dir)} (generated ${meta.generatedAt} in ${meta.seconds} s)`);
      return { dir, meta, generated: false };
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  ctx.log(`generating the district in ${path.relative(ROOT, dir)}: orgs and users through the API …`);
  const { app, database } = await openApp({ FRONTLINE_DATA_DIR: dir });
  try {
    const admin = await injectLogin(app, 'admin', ADMIN_PASSWORD);
    const districtId = must(await admin.get('/api/auth/me'), 200, 'me').body.user.orgId as string;
    const townIds: string[] = [];
    const villageIds: string[] = [];
    const villageTown: string[] = [];
    const reporterOf: string[] = [];
    const TOWN_NAMES = ['青山', '白石', '柳湾', '双河', '石桥', '杨柳', '金鸡', '凤凰', '龙泉', '桃源', '新华', '红星'];
    for (let t = 0; t < TOWNSHIPS; t++) {
      const town = must(await admin.post('/api/orgs', { parentId: districtId, kind: 'township', name: `${TOWN_NAMES[t % TOWN_NAMES.length]}镇`, code: `T${String(t + 1).padStart(2, '0')}` }), 201, 'township');
      townIds.push(town.body.org.id);
    }
    for (let v = 0; v < VILLAGES; v++) {
      const t = v % TOWNSHIPS;
      const code = `T${String(t + 1).padStart(2, '0')}V${String(Math.floor(v / TOWNSHIPS) + 1).padStart(2, '0')}`;
      const village = must(await admin.post('/api/orgs', { parentId: townIds[t], kind: 'village', name: `${TOWN_NAMES[t % TOWN_NAMES.length]}${code.slice(3)}村`, code }), 201, 'village');
      villageIds.push(village.body.org.id);
      villageTown.push(townIds[t]!);
      const user = must(
        await admin.post('/api/users', { username: `rep_${code.toLowerCase()}`, password: USER_PASSWORD, displayName: `${code}填报员`, orgId: village.body.org.id, roles: ['reporter'] }),
        201,
        'reporter',
      );
      reporterOf.push(user.body.user.id);
    }
    must(await admin.post('/api/users', { username: 'district_publicity', password: USER_PASSWORD, displayName: '区宣传办', orgId: districtId, roles: ['publicity'] }), 201, 'publicity');
    const publicity = await injectLogin(app, 'district_publicity', USER_PASSWORD);
    const token = must(await publicity.post('/api/auth/tokens', { name: 'bench' }), 201, 'token').body.token as string;
    ctx.log(`${TOWNSHIPS} townships, ${VILLAGES} villages, ${VILLAGES + 1} users created through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Records: bulk SQL, NOT the HTTP path. One transaction per day: the day's records and the
    // roll-ups they make (each ancestor × indicator × that day), as the writer keeps them.
    const sqlite = database.sqlite!;
    sqlite.pragma('cache_size = -1048576');
    // Generation needs no durability (the file is only kept once it is complete): no fsync at checkpoints.
    sqlite.pragma('synchronous = OFF');
    const yesterday = addDays(localDate(new Date(), 'Asia/Shanghai'), -1);
    const from = addDays(yesterday, -(DAYS - 1));
    const rnd = prng(20200123);
    const dayWeights = Array.from({ length: DAYS }, (_, d) => {
      const weekday = new Date(Date.parse(`${addDays(from, d)}T00:00:00Z`)).getUTCDay();
      // A campaign peak in the first weeks, a lower steady level later, quieter weekends.
      return (0.6 + 1.6 * Math.exp(-d / 45)) * (weekday === 0 || weekday === 6 ? 0.7 : 1);
    });
    const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
    const perDay = dayWeights.map((w) => Math.floor((w / totalWeight) * RECORDS));
    perDay[DAYS - 1]! += RECORDS - perDay.reduce((a, b) => a + b, 0);
    const villageCum = cumulate(villageIds.map(() => 0.3 + 1.4 * rnd()));
    const indicatorCum = cumulate(CODES.map((c) => INDICATOR_PROFILE[c]!.weight));

    const insertRecord = sqlite.prepare(
      `INSERT INTO outreach_records (client_id, org_id, date, indicator, value_c, note, status, review_reason, source, import_id, replaces_id, created_by, created_at, updated_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'entry', NULL, NULL, ?, ?, ?, ?)`,
    );
    const insertRollup = sqlite.prepare('INSERT INTO outreach_rollups (org_id, indicator, date, total_c, records) VALUES (?, ?, ?, ?, ?)');
    let counted = 0;
    let rollupRows = 0;
    const writeDay = sqlite.transaction((date: string, n: number) => {
      const rollups = new Map<string, [string, string, number, number]>();
      for (let i = 0; i < n; i++) {
        const v = pickWeighted(rnd, villageCum);
        const code = CODES[pickWeighted(rnd, indicatorCum)]!;
        const p = INDICATOR_PROFILE[code]!;
        const step = p.step ?? 1;
        let valueC = Math.round((p.min + Math.floor(rnd() * ((p.max - p.min) / step + 1)) * step) * 100);
        const u = rnd();
        // ~1 % are not counted: waiting for review (outliers), rejected, or deleted by a correction.
        let status = 'counted';
        let reason: string | null = null;
        if (u < 0.005) {
          status = 'pending_review';
          reason = '远高于本单位近期水平';
          valueC *= 20;
        } else if (u < 0.007) status = 'rejected';
        else if (u < 0.01) status = 'deleted';
        const minute = 8 * 60 + Math.floor(rnd() * 12 * 60) - 8 * 60; // 08:00–20:00 Beijing time, in UTC
        const createdAt = `${date}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}.000Z`;
        const note = rnd() < 0.02 ? '结合集市开展集中宣传' : null;
        const changed = status === 'deleted' || status === 'rejected';
        insertRecord.run(randomUUID(), villageIds[v], date, code, valueC, note, status, reason, reporterOf[v], createdAt, changed ? reporterOf[v] : null, changed ? createdAt : null);
        if (status !== 'counted') continue;
        counted++;
        for (const org of [villageIds[v]!, villageTown[v]!, districtId]) {
          const key = `${org}\u0000${code}`;
          const r = rollups.get(key);
          if (r) {
            r[2] += valueC;
            r[3] += 1;
          } else rollups.set(key, [org, code, valueC, 1]);
        }
      }
      for (const [org, code, total, count] of rollups.values()) insertRollup.run(org, code, date, total, count);
      rollupRows += rollups.size;
    });
    const tRecords = Date.now();
    for (let d = 0; d < DAYS; d++) {
      writeDay(addDays(from, d), perDay[d]!);
      if ((d + 1) % 73 === 0) ctx.log(`  … ${d + 1}/${DAYS} days, ${perDay.slice(0, d + 1).reduce((a, b) => a + b, 0).toLocaleString('en')} records`);
    }
    ctx.log(`${RECORDS.toLocaleString('en')} records (${counted.toLocaleString('en')} counted) and ${rollupRows.toLocaleString('en')} roll-up rows bulk-inserted in ${((Date.now() - tRecords) / 1000).toFixed(1)} s — generation bypasses the HTTP path`);
    sqlite.exec('ANALYZE');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');

    // Roll-ups must equal a GROUP BY over the raw records: the whole district, and a sample.
    const rnd2 = prng(7);
    const sample = Array.from({ length: 40 }, () => randomQuery(rnd2, { from, to: yesterday, districtId, townIds, villageIds }));
    sample.unshift({ orgId: districtId, from, to: yesterday, level: 'district' });
    const mismatches = sample.filter((q) => !sameTotals(rollupTotalsSql(sqlite, q), rawTotalsSql(sqlite, q)));
    if (mismatches.length) throw new Error(`roll-ups differ from the raw records for ${mismatches.length} of ${sample.length} samples, e.g. ${JSON.stringify(mismatches[0])}`);
    ctx.log(`verified: roll-up totals equal a GROUP BY over the raw records for ${sample.length} samples (the whole district over the whole year included)`);

    const meta: Meta = {
      version: GENERATOR_VERSION,
      generatedAt: new Date().toISOString(),
      seconds: Math.round((Date.now() - t0) / 1000),
      from,
      to: yesterday,
      records: RECORDS,
      counted,
      rollupRows,
      districtId,
      townIds,
      villageIds,
      token,
      sampleChecks: sample.length,
    };
    fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2));
    return { dir, meta, generated: true };
  } finally {
    await app.close();
    await database.close();
  }
}

// ---- queries ----------------------------------------------------------------------------------
interface Query {
  orgId: string;
  from: string;
  to: string;
  level: 'district' | 'township' | 'village';
}

/** A random subtree (district, township or village, each a third of the time) and 1–365 days. */
function randomQuery(rnd: () => number, d: { from: string; to: string; districtId: string; townIds: string[]; villageIds: string[] }): Query {
  const levelPick = Math.floor(rnd() * 3);
  const level = (['district', 'township', 'village'] as const)[levelPick]!;
  const orgId = level === 'district' ? d.districtId : level === 'township' ? d.townIds[Math.floor(rnd() * d.townIds.length)]! : d.villageIds[Math.floor(rnd() * d.villageIds.length)]!;
  const span = 1 + Math.floor(rnd() * DAYS);
  const start = Math.floor(rnd() * (DAYS - span + 1));
  return { orgId, from: addDays(d.from, start), to: addDays(d.from, start + span - 1), level };
}

type Totals = Map<string, number>; // indicator → hundredths

const RAW_SQL = `SELECT r.indicator AS indicator, SUM(r.value_c) AS total_c FROM outreach_records r JOIN org_closure c ON c.descendant_id = r.org_id
  WHERE c.ancestor_id = ? AND r.date BETWEEN ? AND ? AND r.status = 'counted' GROUP BY r.indicator`;
const ROLLUP_SQL = `SELECT indicator, SUM(total_c) AS total_c FROM outreach_rollups WHERE org_id = ? AND date >= ? AND date <= ? GROUP BY indicator`;
const rowsToTotals = (rows: Array<{ indicator: string; total_c: number | string }>): Totals => new Map(rows.map((r) => [r.indicator, Number(r.total_c)]));
const rawTotalsSql = (db: SQLite.Database, q: Query) => rowsToTotals(db.prepare(RAW_SQL).all(q.orgId, q.from, q.to) as any);
const rollupTotalsSql = (db: SQLite.Database, q: Query) => rowsToTotals(db.prepare(ROLLUP_SQL).all(q.orgId, q.from, q.to) as any);
function sameTotals(a: Totals, b: Totals) {
  for (const code of CODES) if ((a.get(code) ?? 0) !== (b.get(code) ?? 0)) return false;
  return true;
}
const apiToTotals = (body: { totals: Record<string, number> }): Totals => new Map(Object.entries(body.totals).map(([k, v]) => [k, Math.round(v * 100)]));

/** Run the queries through GET /api/outreach/totals; returns latencies and the answers. */
async function injectTotals(app: FastifyInstance, token: string, queries: Query[]): Promise<{ latencies: number[]; answers: Totals[] }> {
  const latencies: number[] = [];
  const answers: Totals[] = [];
  for (const q of queries) {
    const t = process.hrtime.bigint();
    const res = await app.inject({ method: 'GET', url: `/api/outreach/totals?orgId=${q.orgId}&from=${q.from}&to=${q.to}`, headers: { authorization: `Bearer ${token}` } });
    latencies.push(msSince(t));
    if (res.statusCode !== 200) throw new Error(`totals ${JSON.stringify(q)}: ${res.statusCode} ${res.body}`);
    answers.push(apiToTotals(JSON.parse(res.body)));
  }
  return { latencies, answers };
}

/** Run the plain GROUP BY on the first queries: up to BASELINE_MAX_QUERIES, or fewer (not under BASELINE_MIN_QUERIES) once the budget is spent. */
async function baseline(run: (q: Query) => Promise<Totals>, queries: Query[], budgetMs: number) {
  const latencies: number[] = [];
  const answers: Totals[] = [];
  const t0 = Date.now();
  for (const q of queries.slice(0, BASELINE_MAX_QUERIES)) {
    if (latencies.length >= BASELINE_MIN_QUERIES && Date.now() - t0 > budgetMs) break;
    const t = process.hrtime.bigint();
    answers.push(await run(q));
    latencies.push(msSince(t));
  }
  return { latencies, answers };
}

function byLevel(queries: Query[], latencies: number[]) {
  const out: string[] = [];
  for (const level of ['district', 'township', 'village'] as const) {
    const l = latencies.filter((_, i) => queries[i]!.level === level);
    if (l.length) out.push(`${level} ${fmtStats(stats(l))}`);
  }
  return out.join('\n    ');
}

// ---- (c) HTTP writes against the real server ---------------------------------------------------
/** Distinct record shapes the wrk script cycles through (each request still gets its own clientId). */
const WRK_TEMPLATES = 4096;

/**
 * The Lua side of the wrk run: each request is one pre-serialised record with a unique clientId
 * (`<run>-<thread>-<n>`; the record's shape is template n mod WRK_TEMPLATES), and every answer is
 * appended to `<ackFile>.<thread>` so that the bench can check after the kill that each
 * acknowledged record is in the file.
 */
function wrkPostScript(tails: string[], token: string): string {
  const lua = (x: string) => JSON.stringify(x); // a JSON string literal is a valid Lua string literal here (ASCII)
  return `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = ${lua(`Bearer ${token}`)}
local tails = { ${tails.map(lua).join(',\n')} }
local N = #tails
local head = '{"records":[{"clientId":"'
local counter = 0
local answered = 0
local prefix, out
local nthreads = 0
function setup(thread)
  thread:set("tid", nthreads)
  nthreads = nthreads + 1
end
function init(args)
  prefix = args[1] .. "-" .. tid .. "-"
  out = io.open(args[2] .. "." .. tid, "w")
end
function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, head .. prefix .. counter .. tails[counter % N + 1])
end
function response(status, headers, body)
  if status == 200 then out:write(body, "\\n") else out:write("!", status, " ", body, "\\n") end
  answered = answered + 1
  if answered % 64 == 0 then out:flush() end
end
`;
}

/**
 * Repeat one-second warm-up slices (at least three, at most ten) until two in a row differ by less
 * than a quarter: the server's writer thread starts with the first record and takes over from the
 * main connection a moment later, and the measured run should see the steady state.
 */
async function warmUntilSteady(ctx: BenchContext, slice: () => Promise<{ ok: number }>) {
  const rates: number[] = [];
  for (let i = 0; i < 10; i++) {
    rates.push((await slice()).ok);
    const [a, b] = rates.slice(-2);
    if (rates.length >= 3 && a && b && Math.abs(a - b) / Math.max(a, b) < 0.25) break;
  }
  ctx.log(`warm-up: ${rates.length} s of records (${rates.join(', ')} per second)`);
}

async function httpWrites(ctx: BenchContext): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-bench-http-'));
  const prof = process.env.FRONTLINE_BENCH_PROF;
  const server = await startServer({ dataDir, env: { FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD, FRONTLINE_PASSWORD_HASH_COST: '11' }, nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  ctx.log(`server pid ${server.proc.pid} on 127.0.0.1:${server.port}, data ${dataDir} (SQLite, synchronous=NORMAL)`);
  const wrk = wrkPath();
  ctx.log(
    wrk
      ? `load generator: wrk (${wrk}), 2 threads, ${HTTP_CLIENTS} keep-alive connections, pre-serialised requests with unique clientIds`
      : `load generator: the Node client (bench/lib.ts HttpClient, ${HTTP_CLIENTS} keep-alive sockets). NOTE: wrk is not installed ` +
          '(Debian: apt-get install wrk), so the client runs in Node on the same cores and takes CPU from the server; expect lower figures.',
  );
  const setup = new HttpClient(server.port, { maxSockets: 4 });
  const load = new HttpClient(server.port, { maxSockets: HTTP_CLIENTS });
  const results: BenchResult[] = [];
  try {
    const { villageId, token } = await provisionReporter(setup, ADMIN_PASSWORD);
    const auth = { authorization: `Bearer ${token}` };
    const today = localDate(new Date(), 'Asia/Shanghai');
    const rnd = prng(99);
    const acked = new Map<string, { id: number; indicator: string; valueC: number }>();
    const makeRecord = () => {
      const code = CODES[Math.floor(rnd() * CODES.length)]!;
      const p = INDICATOR_PROFILE[code]!;
      const step = p.step ?? 1;
      const value = Math.round((p.min + Math.floor(rnd() * Math.min(30, (p.max - p.min) / step + 1)) * step) * 10) / 10;
      return { clientId: randomUUID(), orgId: villageId, date: addDays(today, -1 - Math.floor(rnd() * 30)), indicator: code, value };
    };
    const postOne = async () => {
      const r = makeRecord();
      const res = await load.post('/api/outreach/records', { records: [r] }, auth);
      if (res.status !== 200) throw new Error(`POST ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      const out = res.body.results[0];
      if (out.status !== 'created') throw new Error(`unexpected ${out.status}`);
      acked.set(r.clientId, { id: out.id, indicator: r.indicator, valueC: Math.round(r.value * 100) });
      return true;
    };
    const health = async () => (await load.get('/api/health')).status === 200;
    // CPU seconds the server process used (user + system, from /proc): a figure a busy machine
    // distorts far less than requests per second, since the server is charged only for its own work.
    const cpuMs = () => processCpuMs(server.proc.pid);
    // With profiling the server must exit normally to write its profile: SIGTERM instead of kill -9.
    const killSignal: NodeJS.Signals = prof ? 'SIGTERM' : 'SIGKILL';
    if (prof) ctx.log(`profiling into ${prof}: the server is stopped with SIGTERM (not kill -9), so this run does not test durability`);

    let healthRate: number;
    let hs: { p50: number; p99: number };
    let healthCpuUs: number;
    let rate: number;
    let ws: { p50: number; p99: number };
    let postCpuUs = NaN;
    // The main thread's share: the event loop is the part that cannot use the second core.
    let postMainUs = NaN;
    let threads0 = { main: NaN, others: NaN };
    let ackedCount: number;
    let inFlight: number;
    let clientCpuUs = NaN;
    let warmAcked = 0;
    let badAnswers = 0;
    if (wrk) {
      // Warm up (JIT, caches, sockets, the writer thread the first record starts) through the Node
      // client until the record rate is steady, then the two measured runs.
      await loadLoop({ concurrency: 16, durationMs: 1500, one: health });
      await warmUntilSteady(ctx, () => loadLoop({ concurrency: 16, durationMs: 1000, one: postOne }));
      warmAcked = acked.size;
      let cpu0 = cpuMs();
      const h = await runWrk({ port: server.port, path: '/api/health', connections: HTTP_CLIENTS, durationS: HTTP_SECONDS });
      healthCpuUs = ((cpuMs() - cpu0) * 1000) / h.requests;
      healthRate = h.requests / h.seconds;
      hs = h.latency;
      if (h.non2xx || h.socketErrors) throw new Error(`GET /api/health under load: ${h.non2xx} non-2xx, ${h.socketErrors} socket errors`);
      ctx.log(`GET /api/health (wrk): ${h.requests} in ${h.seconds.toFixed(1)} s = ${healthRate.toFixed(0)} req/s, p50=${round(hs.p50)}ms p99=${round(hs.p99)}ms; wrk used ${((h.cpuMs * 1000) / h.requests).toFixed(1)} µs CPU per request`);

      const templates = Array.from({ length: WRK_TEMPLATES }, () => {
        const r = makeRecord();
        return { indicator: r.indicator, valueC: Math.round(r.value * 100), tail: `","orgId":${JSON.stringify(r.orgId)},"date":"${r.date}","indicator":"${r.indicator}","value":${r.value}}]}` };
      });
      const ackDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-wrk-acks-'));
      const runId = `b${Date.now().toString(36)}`;
      // The server is killed (kill -9) HTTP_SECONDS after wrk starts, with 64 requests in flight;
      // wrk is stopped right after. Whatever was acknowledged must then be in the file.
      let killedAt = 0;
      let killer: NodeJS.Timeout | undefined;
      const w = await runWrk({
        port: server.port,
        path: '/api/outreach/records',
        connections: HTTP_CLIENTS,
        durationS: HTTP_SECONDS + 60,
        script: wrkPostScript(templates.map((t) => t.tail), token),
        scriptArgs: [runId, path.join(ackDir, 'acks')],
        stopAfterMs: HTTP_SECONDS * 1000 + 300,
        onStart: () => {
          cpu0 = cpuMs();
          threads0 = threadCpuMs(server.proc.pid);
          killer = setTimeout(() => {
            postCpuUs = (cpuMs() - cpu0) * 1000;
            postMainUs = (threadCpuMs(server.proc.pid).main - threads0.main) * 1000;
            killedAt = Date.now();
            server.proc.kill(killSignal);
          }, HTTP_SECONDS * 1000);
        },
      });
      clearTimeout(killer);
      await server.exited;
      // Every answer wrk saw, from the per-thread files.
      const perThread = new Map<string, number>();
      for (const f of fs.readdirSync(ackDir)) {
        for (const line of fs.readFileSync(path.join(ackDir, f), 'utf8').split('\n')) {
          if (!line) continue;
          if (line.startsWith('!')) {
            badAnswers++;
            if (badAnswers <= 3) ctx.log(`unexpected answer: ${line.slice(0, 200)}`);
            continue;
          }
          const res = JSON.parse(line).results[0] as { clientId: string; id: number; status: string };
          if (res.status !== 'created') {
            badAnswers++;
            continue;
          }
          const n = Number(res.clientId.split('-').at(-1));
          const t = templates[n % WRK_TEMPLATES]!;
          acked.set(res.clientId, { id: res.id, indicator: t.indicator, valueC: t.valueC });
          perThread.set(f, (perThread.get(f) ?? 0) + 1);
        }
      }
      fs.rmSync(ackDir, { recursive: true, force: true });
      ackedCount = acked.size - warmAcked;
      // Acknowledged records over the time until the kill.
      rate = ackedCount / HTTP_SECONDS;
      postCpuUs /= ackedCount;
      postMainUs /= ackedCount;
      ws = w.latency;
      inFlight = HTTP_CLIENTS;
      clientCpuUs = (w.cpuMs * 1000) / ackedCount;
      if (!killedAt) throw new Error('the server was not killed');
    } else {
      // Warm up (JIT, caches, sockets, the writer thread), then the two measured runs.
      await loadLoop({ concurrency: HTTP_CLIENTS, durationMs: 1500, one: health });
      await warmUntilSteady(ctx, () => loadLoop({ concurrency: HTTP_CLIENTS, durationMs: 1000, one: postOne }));
      warmAcked = acked.size;
      let cpu0 = cpuMs();
      const h = await loadLoop({ concurrency: HTTP_CLIENTS, durationMs: HTTP_SECONDS * 1000, one: health });
      healthCpuUs = ((cpuMs() - cpu0) * 1000) / h.ok;
      healthRate = h.ok / h.seconds;
      hs = stats(h.latencies);
      ctx.log(`GET /api/health: ${h.ok} in ${h.seconds.toFixed(1)} s = ${healthRate.toFixed(0)} req/s, ${fmtStats(stats(h.latencies))}, failed ${h.failed}`);
      // At the end of the run the server is killed with SIGKILL while 64 requests are still in flight:
      // whatever it acknowledged must already be on disk.
      cpu0 = cpuMs();
      threads0 = threadCpuMs(server.proc.pid);
      let killedAt = 0;
      const killer = setTimeout(() => {
        postCpuUs = (cpuMs() - cpu0) * 1000;
        postMainUs = (threadCpuMs(server.proc.pid).main - threads0.main) * 1000;
        killedAt = Date.now();
        server.proc.kill(killSignal);
      }, HTTP_SECONDS * 1000);
      const w = await loadLoop({ concurrency: HTTP_CLIENTS, durationMs: HTTP_SECONDS * 1000 + 60_000, stop: () => killedAt > 0, one: postOne });
      clearTimeout(killer);
      await server.exited;
      inFlight = w.failed;
      w.seconds = Math.min(w.seconds, HTTP_SECONDS);
      ackedCount = w.ok;
      postCpuUs /= w.ok;
      postMainUs /= w.ok;
      rate = w.ok / w.seconds;
      ws = stats(w.latencies);
    }
    ctx.log(`POST /api/outreach/records (1 record each): ${ackedCount} acknowledged in ${HTTP_SECONDS} s = ${rate.toFixed(0)} records/s, p50=${round(ws.p50)}ms p99=${round(ws.p99)}ms${badAnswers ? `, ${badAnswers} unexpected answers` : ''}`);
    ctx.log(`ratio records/s ÷ health req/s = ${(rate / healthRate).toFixed(3)}`);
    ctx.log(
      `server CPU per request: health ${healthCpuUs.toFixed(0)} µs, record ${postCpuUs.toFixed(0)} µs (main thread ${postMainUs.toFixed(0)} µs, other threads ${(postCpuUs - postMainUs).toFixed(0)} µs) → ` +
        `the event loop with a core to itself would acknowledge ≈ ${(1e6 / postMainUs).toFixed(0)} records/s` +
        (Number.isFinite(clientCpuUs) ? `; wrk used ${clientCpuUs.toFixed(1)} µs CPU per record` : '') +
        ` (load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, other processes share the 2 cores)`,
    );

    // Every acknowledged record is in the file exactly once (the file is opened after SIGKILL).
    const db = new SQLite(path.join(dataDir, 'frontline.db'));
    const rows = db.prepare('SELECT id, client_id, indicator, value_c FROM outreach_records').all() as Array<{ id: number; client_id: string; indicator: string; value_c: number }>;
    const seen = new Map<string, number>();
    for (const r of rows) seen.set(r.client_id, (seen.get(r.client_id) ?? 0) + 1);
    const byClient = new Map(rows.map((r) => [r.client_id, r]));
    let missing = 0;
    let wrong = 0;
    for (const [clientId, a] of acked) {
      const r = byClient.get(clientId);
      if (!r) missing++;
      else if (r.id !== a.id || r.indicator !== a.indicator || r.value_c !== a.valueC) wrong++;
    }
    // client_id is UNIQUE, so this stays 0 unless the schema loses that guarantee.
    const duplicates = [...seen.values()].filter((n) => n > 1).length;
    // The roll-ups of the village match its records after the crash too.
    const rollup = db.prepare('SELECT COALESCE(SUM(total_c), 0) AS s FROM outreach_rollups WHERE org_id = ?').get(villageId) as { s: number };
    const raw = db.prepare("SELECT COALESCE(SUM(value_c), 0) AS s FROM outreach_records WHERE org_id = ? AND status = 'counted'").get(villageId) as { s: number };
    db.close();
    ctx.log(
      `after ${prof ? 'SIGTERM' : 'kill -9'}: ${acked.size} acknowledged (${warmAcked} in warm-up), ${rows.length} rows in the file (up to ${inFlight} requests in flight at the kill, ${rows.length - acked.size} of them committed but unanswered), ` +
        `missing ${missing}, duplicates ${duplicates}, mismatched ${wrong}; village roll-up ${rollup.s} vs records ${raw.s}`,
    );
    results.push(
      { name: 'http: acknowledged records/s (64 clients, 1 record/POST)', value: round(rate, 0), unit: 'rec/s', target: '≥ 4000', ok: rate >= 4000 },
      { name: 'http: POST latency p50', value: round(ws.p50), unit: 'ms' },
      { name: 'http: POST latency p99', value: round(ws.p99), unit: 'ms' },
      { name: 'http: GET /api/health (64 clients)', value: round(healthRate, 0), unit: 'req/s' },
      { name: 'http: records/s ÷ health req/s', value: round(rate / healthRate, 3), unit: '×' },
      { name: 'http: server CPU per acknowledged record', value: round(postCpuUs, 0), unit: 'µs' },
      { name: 'http: server CPU per acknowledged record, main thread', value: round(postMainUs, 0), unit: 'µs' },
      { name: 'http: server CPU per health request', value: round(healthCpuUs, 0), unit: 'µs' },
      { name: 'http: load generator (1 = wrk, 0 = Node client)', value: wrk ? 1 : 0, unit: '' },
      { name: 'http: acknowledged records lost or doubled after kill -9', value: missing + duplicates + wrong + badAnswers, unit: 'records', target: '= 0', ok: missing + duplicates + wrong + badAnswers === 0 },
      { name: 'http: roll-up ≠ records after kill -9', value: Math.abs(rollup.s - raw.s), unit: 'hundredths', target: '= 0', ok: rollup.s === raw.s },
    );
  } finally {
    setup.close();
    load.close();
    await server.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

// ---- (d) PostgreSQL ----------------------------------------------------------------------------
interface PgServer {
  url: string;
  stop: () => Promise<void>;
}
async function pgServer(ctx: BenchContext): Promise<PgServer | null> {
  const given = process.env.FRONTLINE_BENCH_PG_URL ?? process.env.FRONTLINE_TEST_PG_URL;
  if (given) return { url: given, stop: async () => {} };
  const { startPg } = (await import(path.join(ROOT, 'scripts', 'pg.mjs') as string)) as {
    startPg: (o: { log: (m: string) => void }) => Promise<{ url: string; stop: () => Promise<void> } | null>;
  };
  return startPg({ log: (m) => ctx.log(`[pg] ${m}`) });
}

/** Copy every table of the SQLite file into a fresh PostgreSQL database, a few thousand rows per statement. */
async function copyToPg(ctx: BenchContext, sqliteFile: string, url: string) {
  const src = new SQLite(sqliteFile, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    // Foreign keys and the audit table's triggers are not checked during the copy of consistent data.
    await client.query('SET session_replication_role = replica');
    await client.query(`SET maintenance_work_mem = '512MB'`);
    const tables = (src.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'schema_migrations%'").all() as Array<{ name: string }>).map((t) => t.name);
    for (const table of tables) {
      const cols = (
        await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position', [table])
      ).rows;
      if (cols.length === 0) continue;
      const names = cols.map((c) => c.column_name);
      // Rows travel as one JSON array per batch: JSON.stringify and PostgreSQL's json_populate_recordset
      // are far quicker than binding tens of thousands of parameters (or arrays of them).
      const list = names.map((n) => `"${n}"`).join(', ');
      const insert = `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)`;
      // A big table loads faster without its secondary indexes; they are rebuilt once at the end.
      const count = (src.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      const rebuild: string[] = [];
      if (count > 50_000) {
        const unique = await client.query<{ conname: string; def: string }>(
          `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'u'`,
          [table],
        );
        const indexes = await client.query<{ indexname: string; indexdef: string }>(
          `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1
             AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)`,
          [table],
        );
        for (const c of unique.rows) {
          await client.query(`ALTER TABLE ${table} DROP CONSTRAINT "${c.conname}"`);
          rebuild.push(`ALTER TABLE ${table} ADD CONSTRAINT "${c.conname}" ${c.def}`);
        }
        for (const i of indexes.rows) {
          await client.query(`DROP INDEX "${i.indexname}"`);
          rebuild.push(i.indexdef);
        }
      }
      const stmt = src.prepare(`SELECT ${list} FROM ${table}`);
      const BATCH = 20_000;
      let batch: unknown[] = [];
      let n = 0;
      const t = Date.now();
      const flush = async () => {
        if (batch.length === 0) return;
        await client.query(insert, [JSON.stringify(batch)]);
        batch = [];
      };
      for (const row of stmt.iterate()) {
        batch.push(row);
        if (++n % BATCH === 0) await flush();
      }
      await flush();
      const loaded = Date.now();
      for (const ddl of rebuild) await client.query(ddl);
      if (n > 10_000) ctx.log(`  ${table}: ${n.toLocaleString('en')} rows in ${((loaded - t) / 1000).toFixed(1)} s, indexes rebuilt in ${((Date.now() - loaded) / 1000).toFixed(1)} s`);
    }
    await client.query(`SELECT setval(pg_get_serial_sequence('outreach_records', 'id'), (SELECT MAX(id) FROM outreach_records))`);
    await client.query('SET session_replication_role = origin');
    // As autovacuum would have done on a live server: statistics, visibility map and hint bits.
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
    src.close();
  }
}

// ---- the bench --------------------------------------------------------------------------------
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const { dir, meta, generated } = await ensureDistrict(ctx);
  const sqliteFile = path.join(dir, 'frontline.db');
  ctx.log(
    `district: 1 district, ${meta.townIds.length} townships, ${meta.villageIds.length} villages; ${meta.records.toLocaleString('en')} records ` +
      `(${meta.counted.toLocaleString('en')} counted) over ${meta.from} … ${meta.to}; ${meta.rollupRows.toLocaleString('en')} roll-up rows. ` +
      `NOTE: the records were bulk-inserted with SQL (not through HTTP), with roll-ups verified against the raw records on ${meta.sampleChecks} samples.`,
  );
  results.push({ name: `data: records (bulk SQL, ${meta.villageIds.length} villages, ${DAYS} days)`, value: meta.records, unit: 'records' });
  if (generated) results.push({ name: 'data: generation time (cached afterwards)', value: meta.seconds, unit: 's' });

  const rnd = prng(4242);
  const queries = Array.from({ length: TOTALS_QUERIES }, () => randomQuery(rnd, meta));
  const warm = Array.from({ length: 30 }, () => randomQuery(rnd, meta));

  // (a) + (b) on SQLite.
  let rollupStats: Stats;
  let baselineStats: Stats;
  if (PARTS.has('totals')) {
    const { app, database } = await openApp({ FRONTLINE_DATA_DIR: dir });
    try {
      await injectTotals(app, meta.token, warm);
      const a = await injectTotals(app, meta.token, queries);
      rollupStats = stats(a.latencies);
      ctx.log(`(a) totals via GET /api/outreach/totals on SQLite: ${fmtStats(rollupStats)}\n    ${byLevel(queries, a.latencies)}`);

      const sqlite = database.sqlite!;
      const rawStmt = sqlite.prepare(RAW_SQL);
      const rollStmt = sqlite.prepare(ROLLUP_SQL);
      const direct = queries.map((q) => {
        const t = process.hrtime.bigint();
        rollStmt.all(q.orgId, q.from, q.to);
        return msSince(t);
      });
      ctx.log(`    the roll-up SQL alone (no HTTP, auth or JSON): ${fmtStats(stats(direct))}`);
      rawStmt.all(meta.districtId, meta.from, meta.to); // warm the page cache the same way for both
      const b = await baseline(async (q) => rowsToTotals(rawStmt.all(q.orgId, q.from, q.to) as any), queries, BASELINE_BUDGET_MS);
      baselineStats = stats(b.latencies);
      const sameSubset = stats(a.latencies.slice(0, b.latencies.length));
      const mismatched = b.answers.filter((t, i) => !sameTotals(t, a.answers[i]!)).length;
      ctx.log(`(b) plain GROUP BY over the raw records (better-sqlite3, no HTTP): ${fmtStats(baselineStats)}\n    ${byLevel(queries, b.latencies)}`);
      const r50 = baselineStats.p50 / sameSubset.p50;
      const r95 = baselineStats.p95 / sameSubset.p95;
      ctx.log(`    speed-up on the same ${b.latencies.length} queries: p50 ${r50.toFixed(1)}×, p95 ${r95.toFixed(1)}×; answers that differ: ${mismatched}`);
      results.push(
        { name: 'sqlite: totals p50 (GET /api/outreach/totals)', value: round(rollupStats.p50), unit: 'ms' },
        { name: 'sqlite: totals p95', value: round(rollupStats.p95), unit: 'ms', target: '≤ 20', ok: rollupStats.p95 <= 20 },
        { name: 'sqlite: totals max', value: round(rollupStats.max), unit: 'ms' },
        { name: 'sqlite: plain GROUP BY p50', value: round(baselineStats.p50), unit: 'ms' },
        { name: 'sqlite: plain GROUP BY p95', value: round(baselineStats.p95), unit: 'ms' },
        { name: 'sqlite: speed-up p50 (GROUP BY ÷ totals API)', value: round(r50, 1), unit: '×', target: '≥ 20', ok: r50 >= 20 },
        { name: 'sqlite: speed-up p95', value: round(r95, 1), unit: '×', target: '≥ 20', ok: r95 >= 20 },
        { name: 'sqlite: totals API ≠ GROUP BY (queries compared)', value: mismatched, unit: `of ${b.latencies.length}`, target: '= 0', ok: mismatched === 0 },
      );
    } finally {
      await app.close();
      await database.close();
    }
  }

  // (c) HTTP writes.
  if (PARTS.has('http')) results.push(...(await httpWrites(ctx)));

  // (d) PostgreSQL.
  const server = PARTS.has('pg') ? await pgServer(ctx) : undefined;
  if (server === undefined) {
    // not asked for
  } else if (!server) {
    ctx.log('!!! PostgreSQL server binaries not found: the PostgreSQL part is SKIPPED (apt-get install postgresql) !!!');
  } else {
    const name = `fl_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: server.url });
    admin.on('error', () => {});
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(server.url);
    url.pathname = `/${name}`;
    try {
      {
        const database = await createDb({ databaseUrl: url.toString(), dataDir: os.tmpdir() });
        await migrateToLatest(database.db);
        await database.close();
      }
      const t = Date.now();
      ctx.log('(d) copying the generated district into PostgreSQL …');
      await copyToPg(ctx, sqliteFile, url.toString());
      ctx.log(`    copied in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      const { app, database } = await openApp({ FRONTLINE_DATA_DIR: os.tmpdir(), DATABASE_URL: url.toString() });
      try {
        await injectTotals(app, meta.token, warm);
        const a = await injectTotals(app, meta.token, queries);
        const s = stats(a.latencies);
        ctx.log(`(d) totals via GET /api/outreach/totals on PostgreSQL: ${fmtStats(s)}\n    ${byLevel(queries, a.latencies)}`);
        const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
        pool.on('error', () => {}); // a connection closing while the database is dropped is no failure
        const pgRaw = RAW_SQL.replace('?', '$1').replace('?', '$2').replace('?', '$3');
        const b = await baseline(async (q) => rowsToTotals((await pool.query(pgRaw, [q.orgId, q.from, q.to])).rows), queries, BASELINE_BUDGET_MS / 2);
        await pool.end();
        const bs = stats(b.latencies);
        const mismatched = b.answers.filter((x, i) => !sameTotals(x, a.answers[i]!)).length;
        const r50 = bs.p50 / stats(a.latencies.slice(0, b.latencies.length)).p50;
        ctx.log(`    plain GROUP BY on PostgreSQL: ${fmtStats(bs)}; speed-up p50 ${r50.toFixed(1)}×; answers that differ: ${mismatched}`);
        results.push(
          { name: 'postgres: totals p50 (GET /api/outreach/totals)', value: round(s.p50), unit: 'ms' },
          { name: 'postgres: totals p95', value: round(s.p95), unit: 'ms' },
          { name: 'postgres: plain GROUP BY p50', value: round(bs.p50), unit: 'ms' },
          { name: 'postgres: speed-up p50', value: round(r50, 1), unit: '×' },
          { name: 'postgres: totals API ≠ GROUP BY (queries compared)', value: mismatched, unit: `of ${b.latencies.length}`, target: '= 0', ok: mismatched === 0 },
        );
      } finally {
        await app.close();
        await database.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
      await server.stop();
    }
  }
  return results;
}
