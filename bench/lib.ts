// Shared pieces of the benchmarks (and of the crash test): the result type every bench module
// returns, latency statistics, a keep-alive HTTP client with a bounded load loop, and starting the
// real server (`node --import tsx src/server/main.ts serve`) as a child process on a free loopback
// port. Load is only ever sent to 127.0.0.1, bounded in count and time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
// @ts-expect-error plain ESM script without types
import { SERVER_NODE_ARGS } from '../scripts/server-node-args.mjs';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** Human-readable target, e.g. "≤ 20". */
  target?: string;
  /** Whether the target was met; absent when the figure is informational. */
  ok?: boolean;
}

export interface BenchContext {
  log: (s: string) => void;
}

export type BenchModule = { run(ctx: BenchContext): Promise<BenchResult[]> };

// ---- statistics -------------------------------------------------------------------------------

export interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.at(-1) ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
export const fmtStats = (s: Stats, unit = 'ms') =>
  `n=${s.n} p50=${round(s.p50)}${unit} p95=${round(s.p95)}${unit} p99=${round(s.p99)}${unit} max=${round(s.max)}${unit}`;

/** Milliseconds since an hrtime.bigint() mark. */
export const msSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

// ---- machine ----------------------------------------------------------------------------------

export function machineInfo() {
  const cpus = os.cpus();
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: `${cpus[0]?.model?.trim() ?? 'unknown'} × ${cpus.length}`,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
    loadavg: os.loadavg().map((l) => round(l, 2)),
    commit: git.status === 0 ? git.stdout.trim() + (dirty.stdout.trim() ? ' (+ uncommitted changes)' : '') : 'unknown',
  };
}

// ---- HTTP -------------------------------------------------------------------------------------

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface HttpResponse<T = any> {
  status: number;
  body: T;
  headers: http.IncomingHttpHeaders;
}

/** A small JSON client for one server on 127.0.0.1 (never anywhere else), over a keep-alive agent. */
export class HttpClient {
  readonly agent: http.Agent;
  constructor(
    readonly port: number,
    opts: { maxSockets?: number } = {},
    readonly defaults: Record<string, string> = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  }

  /** A Buffer body is sent as it is (pre-serialised JSON costs the client nothing per request). */
  request<T = any>(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse<T>> {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: urlPath,
          agent: this.agent,
          headers: {
            ...this.defaults,
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = text;
            if ((res.headers['content-type'] ?? '').includes('json') && text) {
              try {
                parsed = JSON.parse(text);
              } catch {
                /* keep the text */
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`timeout ${method} ${urlPath}`)));
      if (payload) req.write(payload);
      req.end();
    });
  }
  get<T = any>(p: string, h?: Record<string, string>) { return this.request<T>('GET', p, undefined, h); }
  post<T = any>(p: string, body?: unknown, h?: Record<string, string>) { return this.request<T>('POST', p, body ?? {}, h); }
  close() { this.agent.destroy(); }
}

export interface LoadResult {
  /** Requests answered with the expected status. */
  ok: number;
  failed: number;
  errors: string[];
  seconds: number;
  latencies: number[];
}

/**
 * Run `concurrency` workers, each issuing one request after another until `durationMs` passed or
 * `maxRequests` were started. `one` returns true when the answer was a success.
 */
export async function loadLoop(opts: {
  concurrency: number;
  durationMs: number;
  maxRequests?: number;
  /** Checked before each request: true ends the run early. */
  stop?: () => boolean;
  one: (i: number) => Promise<boolean>;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let started = 0;
  let ok = 0;
  let failed = 0;
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + opts.durationMs;
  const max = opts.maxRequests ?? Number.MAX_SAFE_INTEGER;
  const worker = async () => {
    while (Date.now() < deadline && started < max && !opts.stop?.()) {
      const i = started++;
      const t = process.hrtime.bigint();
      try {
        if (await opts.one(i)) {
          ok++;
          latencies.push(msSince(t));
        } else failed++;
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { ok, failed, errors, seconds: msSince(t0) / 1000, latencies };
}

// ---- the real server as a child process ------------------------------------------------------

export interface ServerProcess {
  port: number;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  /** Resolves when the process exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Start `main.ts serve` on 127.0.0.1 and wait until it listens. */
export async function startServer(opts: { dataDir: string; port?: number; env?: Record<string, string>; nodeArgs?: string[]; timeoutMs?: number }): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const proc = spawn(process.execPath, [...SERVER_NODE_ARGS, ...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'src/server/main.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      FRONTLINE_DATA_DIR: opts.dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      FRONTLINE_JOBS: 'false',
      FRONTLINE_LOG_LEVEL: 'warn',
      FRONTLINE_WEB_DIR: path.join(opts.dataDir, 'no-web'),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (!out.includes('已启动')) {
    if (dead) throw new Error(`server exited before listening:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`server did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dataDir: opts.dataDir,
    proc,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (!dead) proc.kill(signal);
      await exited;
    },
  };
}

/** Log in over HTTP; returns headers that authenticate later writes (cookie + CSRF). */
export async function loginHeaders(client: HttpClient, username: string, password: string): Promise<Record<string, string>> {
  const res = await client.post('/api/auth/login', { username, password });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  return { cookie, 'x-csrf-token': res.body.csrfToken };
}

/** Expect a status; throw with the body otherwise. */
export function expectStatus<T>(res: HttpResponse<T>, status: number, what: string): HttpResponse<T> {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

/**
 * Through the API as an operator would: admin logs in, creates a township and a village under the
 * district, a user with `role` (default: reporter) in the village — or, `at: 'district'`, in the
 * district itself — who logs in and creates an API token.
 */
export async function provisionReporter(client: HttpClient, adminPassword: string, opts: { role?: string; password?: string; at?: 'village' | 'district' } = {}) {
  const admin = await loginHeaders(client, 'admin', adminPassword);
  const me = expectStatus(await client.get('/api/auth/me', admin), 200, 'me');
  const districtId = me.body.user.orgId as string;
  const town = expectStatus(await client.post('/api/orgs', { parentId: districtId, kind: 'township', name: '压测镇', code: 'BENCH' }, admin), 201, 'township');
  const village = expectStatus(await client.post('/api/orgs', { parentId: town.body.org.id, kind: 'village', name: '压测村', code: 'BENCH01' }, admin), 201, 'village');
  const password = opts.password ?? 'Bench#2026pass';
  const username = `bench_${opts.role ?? 'reporter'}`;
  expectStatus(
    await client.post('/api/users', { username, password, displayName: '压测填报员', orgId: opts.at === 'district' ? districtId : village.body.org.id, roles: [opts.role ?? 'reporter'] }, admin),
    201,
    'user',
  );
  const user = await loginHeaders(client, username, password);
  const token = expectStatus(await client.post('/api/auth/tokens', { name: 'bench' }, user), 201, 'token').body.token as string;
  return { admin, districtId, townId: town.body.org.id as string, villageId: village.body.org.id as string, token, user };
}

// ---- wrk: a load generator that leaves the CPU to the server ---------------------------------
// The benches run client and server on the same 2 cores. A Node client spends about as much CPU per
// request as a light route does on the server, so it takes a core away from what is being measured.
// wrk (Debian package `wrk`) is C with a small Lua hook and costs a few µs per request. When it is
// not installed the benches fall back to the Node client (HttpClient + loadLoop) and say so.

export function wrkPath(): string | null {
  if (process.env.FRONTLINE_BENCH_CLIENT === 'node') return null;
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, 'wrk');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** CPU milliseconds of a process's main thread (tid = pid) and of all its other threads, from /proc. */
export function threadCpuMs(pid: number | undefined): { main: number; others: number } {
  let main = 0;
  let others = 0;
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const f = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        const ms = (Number(f[11]) + Number(f[12])) * (1000 / 100);
        if (Number(tid) === pid) main += ms;
        else others += ms;
      } catch {
        /* the thread ended */
      }
    }
  } catch {
    return { main: NaN, others: NaN };
  }
  return { main, others };
}

export interface WrkResult {
  /** Responses wrk counted (any status). */
  requests: number;
  /** Responses with a status outside 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write and timeout errors. */
  socketErrors: number;
  seconds: number;
  latency: { p50: number; p99: number; max: number };
  /** CPU time wrk itself used (user + system), as last sampled from /proc. */
  cpuMs: number;
  output: string;
}

/** CPU milliseconds (user + system) a process has used so far, from /proc; NaN when unknown. */
export function processCpuMs(pid: number | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * (1000 / 100);
  } catch {
    return NaN;
  }
}

const toMs = (s: string) => {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(s.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
};

/**
 * Run wrk against 127.0.0.1:port (never anywhere else). `script` is Lua source (written to a temp
 * file); `stopAfterMs` ends the run early with SIGINT (wrk then prints its figures as usual), and
 * `onStart` runs right after wrk was spawned (e.g. to arm a timer that kills the server).
 */
export async function runWrk(opts: {
  port: number;
  path: string;
  connections: number;
  threads?: number;
  durationS: number;
  script?: string;
  scriptArgs?: string[];
  headers?: Record<string, string>;
  stopAfterMs?: number;
  onStart?: () => void;
}): Promise<WrkResult> {
  const bin = wrkPath();
  if (!bin) throw new Error('wrk is not installed');
  const args = ['-t', String(opts.threads ?? 2), '-c', String(opts.connections), '-d', `${opts.durationS}s`, '--latency', '--timeout', '30s'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}: ${v}`);
  let scriptFile: string | undefined;
  if (opts.script) {
    scriptFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-wrk-')), 'load.lua');
    fs.writeFileSync(scriptFile, opts.script);
    args.push('-s', scriptFile);
  }
  args.push(`http://127.0.0.1:${opts.port}${opts.path}`);
  if (opts.scriptArgs?.length) args.push('--', ...opts.scriptArgs);
  const t0 = process.hrtime.bigint();
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  opts.onStart?.();
  let cpuMs = NaN;
  const sampler = setInterval(() => {
    const c = processCpuMs(proc.pid);
    if (Number.isFinite(c)) cpuMs = c;
  }, 200);
  let elapsed = NaN;
  const stopper = opts.stopAfterMs
    ? setTimeout(() => {
        elapsed = msSince(t0) / 1000;
        const c = processCpuMs(proc.pid);
        if (Number.isFinite(c)) cpuMs = c;
        proc.kill('SIGINT');
      }, opts.stopAfterMs)
    : undefined;
  const code = await new Promise<number | null>((resolve) => proc.on('exit', (c) => resolve(c)));
  clearTimeout(stopper);
  clearInterval(sampler);
  if (scriptFile) fs.rmSync(path.dirname(scriptFile), { recursive: true, force: true });
  if (code !== 0 && !/Requests\/sec/.test(out)) throw new Error(`wrk failed (${code}):\n${out}`);
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const requests = num(/(\d+) requests in/);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const lat = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  return {
    requests,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    seconds: Number.isFinite(elapsed) ? elapsed : toMs(/requests in ([\d.]+\w+),/.exec(out)?.[1] ?? '') / 1000,
    latency: { p50: lat('50'), p99: lat('99'), max: toMs(/Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? '') },
    cpuMs,
    output: out,
  };
}

/** The phases of a Server-Timing header (src/server/kernel/phases.ts): wall and CPU milliseconds. */
export const timing = (res: { headers: Record<string, unknown> }) =>
  String(res.headers['server-timing'] ?? '')
    .split(',')
    .map((p) => /^\s*([\w-]+);dur=([\d.]+)(?:;desc="cpu ([\d.]+)")?/.exec(p))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ name: m[1]!, ms: Number(m[2]), cpuMs: m[3] === undefined ? NaN : Number(m[3]) }));
