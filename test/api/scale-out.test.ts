// Two app instances on one PostgreSQL database behave as one: a session from one is valid on the
// other, CSRF and lockouts are shared, and a scheduled job runs once, not twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/server/config.ts';
import { createDb, migrateToLatest, type Database } from '../../src/server/db/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { bootstrapPlatform } from '../../src/server/bootstrap.ts';
import { ADMIN_PASSWORD, Client, freshDatabaseEnv, PG_URL } from '../../src/server/testing/harness.ts';
import type { FastifyInstance } from 'fastify';

const skip = PG_URL ? false : 'PostgreSQL 未就绪（FRONTLINE_TEST_PG_URL 未设置）';
let drop: () => Promise<void>;
const instances: Array<{ app: FastifyInstance; database: Database }> = [];

before(async () => {
  if (skip) return;
  const fresh = await freshDatabaseEnv('postgres');
  drop = fresh.drop;
  const config = loadConfig({ ...fresh.env, FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD, FRONTLINE_LOG_LEVEL: 'silent', FRONTLINE_PASSWORD_HASH_COST: '11' });
  for (let i = 0; i < 2; i++) {
    const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    instances.push({ app: await buildApp({ config, database, logger: false }), database });
  }
  // Both start at once on an empty database: migrations and bootstrap must happen exactly once.
  await Promise.all(instances.map((i) => migrateToLatest(i.database.db)));
  await Promise.all(instances.map((i) => bootstrapPlatform(i.app.kernel)));
});

after(async () => {
  for (const i of instances) {
    await i.app.kernel.jobs.stop();
    await i.app.close();
    await i.database.close();
  }
  await drop?.();
});

test('starting two instances at once bootstraps one admin and one root org', { skip }, async () => {
  const db = instances[0]!.database.db;
  assert.equal((await db.selectFrom('users').selectAll().execute()).length, 1);
  assert.equal((await db.selectFrom('orgs').selectAll().execute()).length, 1);
});

test('a session created on instance A works for reads and CSRF-checked writes on instance B', { skip }, async () => {
  const [A, B] = instances.map((i) => i.app);
  const login = await A!.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
  assert.equal(login.statusCode, 200);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const onB = new Client(B!, cookie, JSON.parse(login.body).csrfToken);
  const me = await onB.get('/api/auth/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.user.username, 'admin');
  const org = await onB.post('/api/orgs', { parentId: me.body.user.orgId, name: '跨实例镇', kind: 'township' });
  assert.equal(org.status, 201);
  const onA = new Client(A!, cookie, JSON.parse(login.body).csrfToken);
  assert.ok((await onA.get('/api/orgs')).body.orgs.some((o: any) => o.name === '跨实例镇'));
  assert.equal((await onA.post('/api/auth/logout')).status, 204);
  assert.equal((await onB.get('/api/auth/me')).status, 401, 'logging out on A ends the session on B');
});

test('failed logins on both instances add up to one lockout', { skip }, async () => {
  const [A, B] = instances.map((i) => i.app);
  for (let i = 0; i < 5; i++) {
    const app = i % 2 ? B! : A!;
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'Wrong#2026pass' } });
    assert.equal(res.statusCode, 401);
  }
  const res = await B!.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
  assert.equal(res.statusCode, 423);
  await instances[0]!.database.db.deleteFrom('login_failures').execute();
});

test('a scheduled job registered on both instances runs once per slot, with both runners started', { skip }, async () => {
  let runs = 0;
  for (const { app } of instances) {
    app.kernel.jobs.register('test.scaleout', async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
    });
    app.kernel.jobs.schedule('test.scaleout', 'test.scaleout', 60 * 60_000);
  }
  for (const { app } of instances) app.kernel.jobs.start(20);
  await new Promise((r) => setTimeout(r, 1500));
  for (const { app } of instances) await app.kernel.jobs.stop();
  assert.equal(runs, 1);
  const rows = await instances[0]!.database.db.selectFrom('jobs').selectAll().where('type', '=', 'test.scaleout').execute();
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.status, 'done');
});
