// Test harness: every HTTP-level test runs against a real SQLite file and a real PostgreSQL
// database. scripts/test.mjs starts a throw-away cluster and passes FRONTLINE_TEST_PG_URL; each
// test context gets its own fresh database on it. Without it, PostgreSQL variants are skipped loudly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, before, after } from 'node:test';
import pg from 'pg';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { loadConfig, type Config } from '../config.ts';
import { createDb, migrateToLatest, type Database, type Engine } from '../db/index.ts';
import { buildApp } from '../app.ts';
import { bootstrapPlatform } from '../bootstrap.ts';
import type { Kernel } from '../kernel/index.ts';
import type { Clock } from '../kernel/time.ts';

export const ADMIN_PASSWORD = 'Admin#2026pass';
export const USER_PASSWORD = 'User#2026pass';
export const PG_URL = process.env.FRONTLINE_TEST_PG_URL;

let warned = false;
function warnNoPg() {
  if (warned || PG_URL) return;
  warned = true;
  console.warn('\n!!! FRONTLINE_TEST_PG_URL 未设置：PostgreSQL 部分的测试已跳过（npm test 会自动启动临时 PostgreSQL）!!!\n');
}

export const ENGINES: Engine[] = ['sqlite', 'postgres'];

/** A fresh, empty database (a temp SQLite folder, or a new database on the test cluster). */
export async function freshDatabaseEnv(engine: Engine): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-test-'));
  if (engine === 'sqlite') {
    return { env: { FRONTLINE_DATA_DIR: dir }, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `fl_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  return {
    env: { FRONTLINE_DATA_DIR: dir, DATABASE_URL: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** An HTTP client bound to one identity: a session cookie + CSRF token, a bearer token, or nobody. */
export class Client {
  constructor(
    readonly app: FastifyInstance,
    private cookie?: string,
    private csrf?: string,
    private bearer?: string,
  ) {}

  async request<T = any>(method: InjectOptions['method'], url: string, body?: unknown, extra: Partial<InjectOptions> = {}): Promise<Response<T>> {
    const { headers: extraHeaders, ...rest } = extra;
    const headers: Record<string, string> = { ...(extraHeaders as Record<string, string>) };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const res = await this.app.inject({ method, url, ...(body !== undefined ? { payload: body as any } : {}), ...rest, headers });
    let parsed: any = res.body;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && res.body) parsed = JSON.parse(res.body);
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }
  get<T = any>(url: string) { return this.request<T>('GET', url); }
  post<T = any>(url: string, body?: unknown) { return this.request<T>('POST', url, body ?? {}); }
  put<T = any>(url: string, body?: unknown) { return this.request<T>('PUT', url, body); }
  patch<T = any>(url: string, body?: unknown) { return this.request<T>('PATCH', url, body); }
  delete<T = any>(url: string) { return this.request<T>('DELETE', url); }
}

export interface TestContext {
  engine: Engine;
  app: FastifyInstance;
  kernel: Kernel;
  config: Readonly<Config>;
  database: Database;
  admin: Client;
  anon: Client;
  rootOrgId: string;
  login(username: string, password?: string): Promise<Client>;
  /** Create an org under parentId as admin; returns its id. */
  org(parentId: string, kind: string, name?: string, code?: string): Promise<string>;
  /** Create a user with roles in orgId as admin and log in; returns the client and user id. */
  user(orgId: string, roles: string[], username?: string): Promise<Client & { userId: string }>;
  close(): Promise<void>;
}

let counter = 0;

export async function createTestContext(engine: Engine, opts: { env?: Record<string, string>; clock?: Clock } = {}): Promise<TestContext> {
  const fresh = await freshDatabaseEnv(engine);
  const config = loadConfig({
    ...fresh.env,
    FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FRONTLINE_LOG_LEVEL: 'silent',
    // Cheaper password hashing keeps hundreds of test logins fast; production default is 15.
    FRONTLINE_PASSWORD_HASH_COST: '11',
    FRONTLINE_WEB_DIR: path.join(fresh.env.FRONTLINE_DATA_DIR!, 'no-web'),
    ...opts.env,
  });
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database.db);
  const app = await buildApp({ config, database, logger: false, clock: opts.clock });
  await bootstrapPlatform(app.kernel);
  await app.ready();

  const login = async (username: string, password = USER_PASSWORD) => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    return new Client(app, cookie, JSON.parse(res.body).csrfToken);
  };
  const admin = await login('admin', ADMIN_PASSWORD);
  const rootOrgId = (await admin.get('/api/auth/me')).body.user.orgId as string;

  const ctx: TestContext = {
    engine,
    app,
    kernel: app.kernel,
    config,
    database,
    admin,
    anon: new Client(app),
    rootOrgId,
    login,
    async org(parentId, kind, name, code) {
      const res = await ctx.admin.post('/api/orgs', { parentId, kind, name: name ?? `${kind}-${++counter}`, ...(code ? { code } : {}) });
      if (res.status !== 201) throw new Error(`org create failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.org.id;
    },
    async user(orgId, roles, username) {
      const name = username ?? `u${++counter}_${roles.join('_').slice(0, 12)}`.toLowerCase();
      const res = await ctx.admin.post('/api/users', { username: name, password: USER_PASSWORD, displayName: name, orgId, roles });
      if (res.status !== 201) throw new Error(`user create failed: ${res.status} ${JSON.stringify(res.body)}`);
      const client = (await login(name)) as Client & { userId: string };
      client.userId = res.body.user.id;
      return client;
    },
    async close() {
      await app.close();
      await database.close();
      await fresh.drop();
    },
  };
  return ctx;
}

/**
 * Declare a suite once; it runs on SQLite and on PostgreSQL, each with a fresh database.
 * `fn` receives a getter because the context exists only after `before` ran.
 */
export function describeEachDb(name: string, fn: (ctx: () => TestContext, engine: Engine) => void, opts: { env?: Record<string, string>; clock?: Clock } = {}) {
  for (const engine of ENGINES) {
    const skip = engine === 'postgres' && !PG_URL;
    if (skip) warnNoPg();
    describe(`${name} [${engine}]`, { skip: skip ? 'PostgreSQL 未就绪（FRONTLINE_TEST_PG_URL 未设置）' : false }, () => {
      let ctx: TestContext;
      before(async () => {
        ctx = await createTestContext(engine, opts);
      });
      after(async () => {
        await ctx?.close();
      });
      fn(() => ctx, engine);
    });
  }
}
