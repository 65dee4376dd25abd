// The command line as an operator meets it: one-line errors for bad settings, the generated admin
// password printed once, and `backup` taking a consistent snapshot while the server keeps writing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { AuditLog } from '../src/server/kernel/audit.ts';

const MAIN = path.resolve('src/server/main.ts');
const baseEnv = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', FRONTLINE_LOG_LEVEL: 'warn', FRONTLINE_PASSWORD_HASH_COST: '11' };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-cli-'));

function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...baseEnv, ...env }, encoding: 'utf8', timeout: 60_000 });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('a bad setting ends the process with one line naming it', () => {
  for (const [env, name] of [
    [{ PORT: 'abc' }, 'PORT'],
    [{ FRONTLINE_TZ: 'Mars/Base' }, 'FRONTLINE_TZ'],
    [{ FRONTLINE_CRYPTO: 'md5' }, 'FRONTLINE_CRYPTO'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, 'DATABASE_URL'],
  ] as const) {
    const r = cli(['migrate'], { FRONTLINE_DATA_DIR: tmp(), ...env });
    assert.equal(r.status, 1, name);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line for ${name}: ${r.stderr}`);
    assert.match(lines[0]!, new RegExp(`^配置错误：${name}`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('with PORT=0 the start banner gives the port the system chose, and it answers', async () => {
  const server = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { ...baseEnv, FRONTLINE_DATA_DIR: tmp(), PORT: '0', HOST: '127.0.0.1', FRONTLINE_JOBS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout.on('data', (d) => (out += d));
  server.stderr.on('data', (d) => (out += d));
  try {
    for (let i = 0; i < 300 && !out.includes('已启动'); i++) await new Promise((r) => setTimeout(r, 100));
    const port = Number(/已启动：http:\/\/localhost:(\d+)/.exec(out)?.[1]);
    assert.ok(port > 0, `a real port in the banner: ${out}`);
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    assert.equal(health.status, 200);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
});

test('first start prints a generated admin password; `backup` snapshots while the server writes', async () => {
  const dir = tmp();
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { ...baseEnv, FRONTLINE_DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', FRONTLINE_JOBS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout.on('data', (d) => (out += d));
  server.stderr.on('data', (d) => (out += d));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200 && !out.includes('已启动'); i++) await new Promise((r) => setTimeout(r, 100));
    const password = /初始密码[^：]*：(\S+)/.exec(out)?.[1];
    assert.ok(password, `password printed: ${out}`);
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    assert.equal(login.status, 200);
    const { csrfToken, user } = await login.json();
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // Keep writing while the backup runs.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const r = await fetch(`${base}/api/orgs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
          body: JSON.stringify({ parentId: user.orgId, name: `备份镇${written}`, kind: 'township' }),
        });
        assert.equal(r.status, 201);
        written++;
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    const target = path.join(dir, 'snap.db');
    const backup = spawn(process.execPath, ['--import', 'tsx', MAIN, 'backup', '--out', target], { env: { ...baseEnv, FRONTLINE_DATA_DIR: dir }, stdio: 'pipe' });
    let bout = '';
    backup.stdout.on('data', (d) => (bout += d));
    backup.stderr.on('data', (d) => (bout += d));
    const code = await new Promise((r) => backup.on('exit', r));
    writing = false;
    await writer;
    assert.equal(code, 0, bout);
    assert.match(bout, /备份完成/);
    assert.ok(written > 0);
    const snap = new SQLite(target, { readonly: true });
    assert.equal(snap.pragma('integrity_check', { simple: true }), 'ok');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: snap }) });
    const verify = await new AuditLog(db, 'sqlite', 'sha256', () => new Date()).verify();
    assert.equal(verify.ok, true, 'the snapshot holds a whole audit chain: every org with its event');
    const orgs = (snap.prepare('SELECT count(*) AS n FROM orgs').get() as { n: number }).n;
    const creates = (snap.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'org.create'").get() as { n: number }).n;
    assert.equal(orgs - 1, creates, 'no half-written change in the snapshot');
    await db.destroy();
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.on('exit', r));
  }
});
