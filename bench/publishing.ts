// Public site benchmark, against the target of the issue (2-core machine, embedded SQLite):
//
//   "The public content page and the feed serve ≥ 2,000 requests/s on the 2-core machine with
//    10,000 published items (cached rendering, correct ETag/Last-Modified); report the ratio to
//    GET /api/health."
//
// Data: a fresh data directory (bench/.work/publishing-v<N>-<items>/, cached) whose platform is set
// up through the app (migrations, bootstrap: district and admin), then ITEMS published items
// bulk-inserted into pub_content with SQL (NOT through the editorial workflow: no versions,
// reviews or deliveries), with Chinese titles and bodies of a few paragraphs, search_text as the
// service computes it, published_at spread over the last 180 days; the settings row
// 'publishing_version' is bumped as a publish would.
//
// Load: the real server as a child process (`node --import tsx src/server/main.ts serve`,
// FRONTLINE_JOBS=false, log level warn) on a free loopback port; CLIENTS concurrent keep-alive
// connections for SECONDS each, one route after another: GET /api/health, GET /news/<id> (random
// among the 200 newest), GET /news, GET /feed.xml — these three with Accept-Encoding: gzip, as
// browsers and feed readers send it —, GET /news/<id> with If-None-Match (304), the item and the
// feed again without Accept-Encoding, and GET /api/health again. Before the load: ETag,
// Last-Modified, 304, the feed's type and that gzip is served; during it, wrong statuses count.
// The generator is wrk (one thread; C and epoll, so it takes far less of the 2 shared cores than a
// Node client would) when installed (`apt-get install wrk`), else the Node keep-alive client of
// bench/lib.ts (FRONTLINE_BENCH_CLIENT=node forces it). Either way the ratio to /api/health,
// measured the same way in the same run, is the figure that carries over between machines.
// FRONTLINE_BENCH_PROF=<dir> runs the server with --cpu-prof.
import { randomUUID } from 'node:crypto';
import { mulberry32 as prng } from '../src/text/random.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/server/config.ts';
import { createDb, migrateToLatest } from '../src/server/db/index.ts';
import { buildApp } from '../src/server/app.ts';
import { bootstrapPlatform } from '../src/server/bootstrap.ts';
import { searchText } from '../src/server/modules/publishing/publishing.service.ts';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import zlib from 'node:zlib';
import { HttpClient, loadLoop, ROOT, round, startServer, stats, type BenchContext, type BenchResult } from './lib.ts';

const GENERATOR_VERSION = 1;
const ITEMS = Number(process.env.FRONTLINE_BENCH_PUB_ITEMS ?? 10_000);
const CLIENTS = 64;
const SECONDS = Number(process.env.FRONTLINE_BENCH_HTTP_SECONDS ?? 8);
const HOT_ITEMS = 200;
const TARGET_RPS = 2000;
const ADMIN_PASSWORD = 'Bench#Admin2026';
const DATA_DIR = path.join(ROOT, 'bench', '.work', `publishing-v${GENERATOR_VERSION}-${ITEMS}`);


const KINDS = ['notice', 'news', 'news', 'news', 'explainer', 'press_release'];
const THEMES = ['central_policy', 'local_arrangement', 'progress', 'frontline_units', 'science', 'opinion_response'];
const PLACES = ['青山镇', '白石镇', '柳湾镇', '双河镇', '石桥镇', '杨柳镇', '金鸡镇', '凤凰镇', '龙泉镇', '桃源镇', '新华街道', '红星街道'];
const TITLES = [
  (p: string) => `${p}扎实做好疫情防控社会宣传工作`,
  (p: string) => `关于${p}进一步加强返乡人员排查登记的通告`,
  (p: string) => `${p}志愿者坚守一线守护群众平安`,
  (p: string) => `科学佩戴口罩，这些知识要知道（${p}）`,
  (p: string) => `${p}召开疫情防控工作调度会`,
  (p: string) => `${p}开展“小喇叭”入户宣传 打通最后一公里`,
  (p: string) => `回应关切：${p}生活物资供应充足价格稳定`,
  (p: string) => `${p}新增一批定点医疗救治床位`,
];
const SENTENCES = [
  '各村（社区）坚持群防群控、联防联控，扎实开展入户走访和排查登记工作。',
  '通过村村通广播、流动宣传车、微信群等方式，把防控知识送到千家万户。',
  '广大党员干部冲锋在前，志愿者主动请缨，在卡口值守、物资配送等岗位上默默奉献。',
  '请广大群众不信谣、不传谣，以官方发布的权威信息为准，做好个人防护。',
  '减少外出和聚集，出门佩戴口罩，勤洗手、常通风，发现发热咳嗽等症状及时就医。',
  '全区商超、农贸市场货源充足，米面油、蔬菜、肉蛋奶等生活必需品价格总体稳定。',
  '各镇（街道）对辖区内企业复工复产情况进行摸底，逐企落实防控措施。',
  '区疫情防控指挥部将持续发布权威信息，及时回应社会关切。',
  '截至目前，全区已印发宣传单、明白纸数十万份，悬挂标语横幅数千条。',
  '医务人员提醒，老年人和有基础性疾病的人群要格外注意，尽量居家。',
];

interface Meta {
  version: number;
  items: number;
  generatedAt: string;
  seconds: number;
  hotIds: string[];
}

async function ensureData(ctx: BenchContext): Promise<Meta> {
  const metaFile = path.join(DATA_DIR, 'meta.json');
  if (fs.existsSync(metaFile)) {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as Meta;
    if (meta.version === GENERATOR_VERSION && meta.items === ITEMS) {
      ctx.log(`using the cached data directory ${path.relative(ROOT, DATA_DIR)} (generated ${meta.generatedAt} in ${meta.seconds} s)`);
      return meta;
    }
  }
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  fs.mkdirSync(DATA_DIR, { recursive: true });
  const t0 = Date.now();
  const config = loadConfig({
    FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FRONTLINE_LOG_LEVEL: 'silent',
    FRONTLINE_PASSWORD_HASH_COST: '11',
    FRONTLINE_DISTRICT_NAME: '压测区',
    FRONTLINE_JOBS: 'false',
    FRONTLINE_WEB_DIR: path.join(os.tmpdir(), 'frontline-bench-no-web'),
    FRONTLINE_DATA_DIR: DATA_DIR,
  });
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    const app = await buildApp({ config, database, logger: false });
    await bootstrapPlatform(app.kernel);
    await app.ready();
    await app.close();
    const sqlite = database.sqlite!;
    const district = sqlite.prepare('SELECT id FROM orgs WHERE parent_id IS NULL LIMIT 1').get() as { id: string };
    const admin = sqlite.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: string };
    const rnd = prng(20200125);
    const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
    const insert = sqlite.prepare(
      `INSERT INTO pub_content (id, org_id, kind, theme, title, summary, body_html, channels, is_repost, source_name, source_url, event_id, status, version,
         author_id, approver_id, scheduled_at, published_at, correction_note, search_text, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, '["website","wechat"]', ?, ?, NULL, NULL, 'published', 1, ?, ?, NULL, ?, NULL, ?, ?, ?)`,
    );
    const now = Date.now();
    const rows: Array<{ id: string; at: string }> = [];
    sqlite.transaction(() => {
      for (let i = 0; i < ITEMS; i++) {
        const id = randomUUID();
        const place = pick(PLACES);
        const title = pick(TITLES)(place);
        const paragraphs = Array.from({ length: 4 + Math.floor(rnd() * 5) }, () => `<p>${Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => pick(SENTENCES)).join('')}</p>`);
        const body = `<p>${place}${pick(SENTENCES)}</p>${paragraphs.join('')}`;
        const at = new Date(now - Math.floor(rnd() * 180 * 86_400_000)).toISOString();
        const repost = rnd() < 0.1;
        insert.run(id, district.id, pick(KINDS), pick(THEMES), title, rnd() < 0.5 ? null : pick(SENTENCES), body, repost ? 1 : 0, repost ? '新华社' : null, admin.id, admin.id, at, searchText(title, body), at, at);
        rows.push({ id, at });
      }
      sqlite.prepare(`INSERT INTO settings (key, value, updated_at) VALUES ('publishing_version', ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(
        randomUUID(),
        new Date(now).toISOString(),
      );
    })();
    sqlite.exec('ANALYZE');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    rows.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? -1 : 1));
    const meta: Meta = { version: GENERATOR_VERSION, items: ITEMS, generatedAt: new Date().toISOString(), seconds: round((Date.now() - t0) / 1000, 1), hotIds: rows.slice(0, HOT_ITEMS).map((r) => r.id) };
    fs.writeFileSync(metaFile, JSON.stringify(meta, null, 2));
    ctx.log(`generated ${ITEMS.toLocaleString('en')} published items (bulk SQL, not the editorial workflow) in ${meta.seconds} s`);
    return meta;
  } finally {
    await database.close();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const meta = await ensureData(ctx);
  const prof = process.env.FRONTLINE_BENCH_PROF;
  const server = await startServer({ dataDir: DATA_DIR, env: { FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD }, nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [] });
  const client = new HttpClient(server.port, { maxSockets: CLIENTS });
  const results: BenchResult[] = [{ name: 'publishing: published items (bulk SQL)', value: meta.items, unit: 'items' }];
  try {
    // ---- correctness of what is served --------------------------------------------------------
    const item = await client.get(`/news/${meta.hotIds[0]}`);
    const check = (ok: boolean, what: string) => {
      if (!ok) throw new Error(`publishing: ${what}`);
    };
    check(item.status === 200 && typeof item.body === 'string' && item.body.includes('<article>'), `GET /news/<id>: ${item.status}`);
    check(!!item.headers.etag && !!item.headers['last-modified'], 'GET /news/<id> lacks ETag or Last-Modified');
    const etag = String(item.headers.etag);
    const again = await client.get(`/news/${meta.hotIds[0]}`, { 'if-none-match': etag });
    check(again.status === 304, `If-None-Match gave ${again.status}, not 304`);
    const list = await client.get('/news');
    check(list.status === 200 && !!list.headers.etag && !!list.headers['last-modified'] && String(list.body).includes('/news/'), `GET /news: ${list.status}`);
    const feed = await client.get('/feed.xml');
    check(feed.status === 200 && String(feed.headers['content-type']).startsWith('application/atom+xml') && !!feed.headers.etag && !!feed.headers['last-modified'], `GET /feed.xml: ${feed.status} ${feed.headers['content-type']}`);
    check((String(feed.body).match(/<entry>/g) ?? []).length === 50, 'feed has not 50 entries');
    ctx.log(`checked: /news/<id> 200 with ETag ${etag} and Last-Modified ${item.headers['last-modified']}; 304 on If-None-Match; /news 200; /feed.xml ${feed.headers['content-type']}, 50 entries`);
    ctx.log(`sizes: item ${(Buffer.byteLength(String(item.body)) / 1024).toFixed(1)} KiB, list ${(Buffer.byteLength(String(list.body)) / 1024).toFixed(1)} KiB, feed ${(Buffer.byteLength(String(feed.body)) / 1024).toFixed(1)} KiB`);
    // The server's cache is filled for the hot items before timing (rendering is per process, once per version).
    for (const id of meta.hotIds) check((await client.get(`/news/${id}`)).status === 200, `warm /news/${id}`);
    const etags = new Map<string, string>();
    for (const id of meta.hotIds) etags.set(id, String((await client.get(`/news/${id}`)).headers.etag));

    // Sizes as sent: browsers and feed readers ask for gzip.
    const gz = { 'accept-encoding': 'gzip' };
    const sizeOf = async (p: string, h: Record<string, string> = {}) => {
      const r = await rawGet(server.port, p, h);
      return `${(r.bytes / 1024).toFixed(1)} KiB${r.headers['content-encoding'] ? ` (${r.headers['content-encoding']})` : ''}`;
    };
    ctx.log(`gzip: item ${await sizeOf(`/news/${meta.hotIds[0]}`, gz)}, list ${await sizeOf('/news', gz)}, feed ${await sizeOf('/feed.xml', gz)}`);
    check((await rawGet(server.port, '/feed.xml', gz)).headers['content-encoding'] === 'gzip', 'the feed is not gzipped for a client that accepts it');

    const hot = meta.hotIds.map((id) => `/news/${id}`);
    const routes: LoadRoute[] = [
      { name: 'GET /api/health', paths: ['/api/health'], expect: 200 },
      { name: 'GET /news/<id>', target: true, paths: hot, headers: gz, expect: 200 },
      { name: 'GET /news', target: true, paths: ['/news'], headers: gz, expect: 200 },
      { name: 'GET /feed.xml', target: true, paths: ['/feed.xml'], headers: gz, expect: 200 },
      { name: 'GET /news/<id> If-None-Match (304)', paths: hot, perPath: hot.map((_, i) => ({ 'if-none-match': etags.get(meta.hotIds[i]!)! })), expect: 304 },
      // Without Accept-Encoding (curl, some crawlers): the same cached bytes, uncompressed.
      { name: 'GET /news/<id> identity', paths: hot, expect: 200 },
      { name: 'GET /feed.xml identity', paths: ['/feed.xml'], expect: 200 },
      // Health again at the end: the machine is shared, so the baseline is bracketed.
      { name: 'GET /api/health (again)', paths: ['/api/health'], expect: 200 },
    ];
    const useWrk = process.env.FRONTLINE_BENCH_CLIENT !== 'node' && hasWrk();
    ctx.log(useWrk ? `load generator: wrk (1 thread, ${CLIENTS} connections)` : `load generator: the Node keep-alive client (${CLIENTS} concurrent; wrk not found or FRONTLINE_BENCH_CLIENT=node)`);
    results.push({ name: `publishing: load generator ${useWrk ? 'wrk' : 'node'}`, value: CLIENTS, unit: 'connections' });
    const nodeClient = new HttpClient(server.port, { maxSockets: CLIENTS });
    const runRoute = (r: LoadRoute, seconds: number) => (useWrk ? wrkRun(server.port, r, seconds) : nodeRun(nodeClient, r, seconds));
    // A short warm-up of every route (JIT, sockets).
    for (const r of routes) await runRoute(r, 1);

    const measured: Array<{ name: string; rps: number; p50: number; p99: number; target?: boolean; failed: number }> = [];
    for (const r of routes) {
      const res = await runRoute(r, SECONDS);
      measured.push({ name: r.name, rps: res.rps, p50: res.p50, p99: res.p99, target: r.target, failed: res.failed });
      ctx.log(`${r.name}: ${Math.round(res.rps)} req/s, p50 ${round(res.p50)} ms, p99 ${round(res.p99)} ms, ${res.ok} ok, ${res.failed} failed${res.errors ? ` (${res.errors})` : ''}`);
    }
    nodeClient.close();
    const healthRps = (measured[0]!.rps + measured.at(-1)!.rps) / 2;
    ctx.log(`health baseline (mean of before and after): ${Math.round(healthRps)} req/s`);
    for (const m of measured) {
      if (m.name.startsWith('GET /api/health')) {
        results.push({ name: `publishing: ${m.name} req/s`, value: Math.round(m.rps), unit: 'req/s' });
        continue;
      }
      results.push(
        { name: `publishing: ${m.name} req/s`, value: Math.round(m.rps), unit: 'req/s', ...(m.target ? { target: `≥ ${TARGET_RPS}`, ok: m.rps >= TARGET_RPS } : {}) },
        { name: `publishing: ${m.name} ÷ health`, value: round(m.rps / healthRps, 2), unit: '×' },
        { name: `publishing: ${m.name} p50`, value: round(m.p50), unit: 'ms' },
        { name: `publishing: ${m.name} p99`, value: round(m.p99), unit: 'ms' },
      );
    }
    const failed = measured.reduce((a, m) => a + m.failed, 0);
    results.push({ name: 'publishing: wrong status during load', value: failed, unit: 'responses', target: '= 0', ok: failed === 0 });
  } finally {
    client.close();
    await server.kill();
  }
  return results;
}

// ---- load generators ----------------------------------------------------------------------------

interface LoadRoute {
  name: string;
  target?: boolean;
  /** Requests pick one of these at random. */
  paths: string[];
  headers?: Record<string, string>;
  /** Extra headers per path (same index), e.g. each item's ETag. */
  perPath?: Array<Record<string, string>>;
  expect: number;
}
interface LoadOutcome {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
  errors?: string;
}

/** One GET with the raw bytes as sent (to report sizes on the wire), decompressed for checks. */
function rawGet(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw).toString('utf8');
        resolve({ status: res.statusCode ?? 0, bytes: raw.length, text, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const hasWrk = () => spawnSync('wrk', ['--version']).error === undefined;

/**
 * wrk (C, epoll) on one thread: far cheaper per request than a Node client, which matters when the
 * generator shares the 2 cores with the server. A Lua script picks the path (and its headers) and
 * prints the figures as JSON; wrk counts answers ≥ 400 and socket errors.
 */
async function wrkRun(port: number, r: LoadRoute, seconds: number): Promise<LoadOutcome> {
  const lua = (v: string) => JSON.stringify(v); // JSON string literals are valid Lua for these values
  const headerTable = (h: Record<string, string>) => `{${Object.entries(h).map(([k, v]) => `[${lua(k)}]=${lua(v)}`).join(',')}}`;
  const script = `local paths = {${r.paths.map(lua).join(',')}}
local headers = {${r.paths.map((_, i) => headerTable({ ...(r.headers ?? {}), ...(r.perPath?.[i] ?? {}) })).join(',')}}
local n = #paths
math.randomseed(99)
request = function()
  local k = n == 1 and 1 or math.random(n)
  return wrk.format("GET", paths[k], headers[k])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"us":%d,"status":%d,"socket":%d,"p50":%.0f,"p99":%.0f}\\n', summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
`;
  const file = path.join(os.tmpdir(), `frontline-wrk-${process.pid}.lua`);
  fs.writeFileSync(file, script);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('wrk', ['-t1', `-c${CLIENTS}`, `-d${seconds}s`, '--timeout', '10s', '-s', file, `http://127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    p.stdout.on('data', (d) => (text += d));
    p.stderr.on('data', (d) => (text += d));
    p.on('error', reject);
    p.on('exit', () => resolve(text));
  });
  const m = /WRKJSON (\{.*\})/.exec(out);
  if (!m) throw new Error(`wrk gave no figures:\n${out}`);
  const j = JSON.parse(m[1]!) as { requests: number; us: number; status: number; socket: number; p50: number; p99: number };
  const failed = j.status + j.socket;
  return { rps: (j.requests - failed) / (j.us / 1e6), p50: j.p50 / 1000, p99: j.p99 / 1000, ok: j.requests - failed, failed, errors: failed ? `${j.status} wrong status, ${j.socket} socket errors` : undefined };
}

/** The fallback: the Node keep-alive client from bench/lib.ts (costlier; it competes for the cores). */
async function nodeRun(client: HttpClient, r: LoadRoute, seconds: number): Promise<LoadOutcome> {
  const rnd = prng(99);
  const res = await loadLoop({
    concurrency: CLIENTS,
    durationMs: seconds * 1000,
    one: async () => {
      const k = r.paths.length === 1 ? 0 : Math.floor(rnd() * r.paths.length);
      return (await client.get(r.paths[k]!, { ...(r.headers ?? {}), ...(r.perPath?.[k] ?? {}) })).status === r.expect;
    },
  });
  const s = stats(res.latencies);
  return { rps: res.ok / res.seconds, p50: s.p50, p99: s.p99, ok: res.ok, failed: res.failed, errors: res.errors.join('; ') || undefined };
}
