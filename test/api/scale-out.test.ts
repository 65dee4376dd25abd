// Two app instances on one PostgreSQL database behave as one: a session from one is valid on the
// other, CSRF and lockouts are shared, and a scheduled job runs once, not twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/server/config.ts';
import { createDb, migrateToLatest, type Database } from '../../src/server/db/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { bootstrapPlatform } from '../../src/server/bootstrap.ts';
import { ADMIN_PASSWORD, Client, freshDatabaseEnv, PG_URL, USER_PASSWORD } from '../../src/server/testing/harness.ts';
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

test('opinion clusters are shared: variants of a claim ingested at once on both instances form one cluster', { skip }, async () => {
  const [A, B] = instances.map((i) => i.app);
  const adminLogin = await A!.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
  const admin = new Client(A!, String(adminLogin.headers['set-cookie']).split(';')[0]!, JSON.parse(adminLogin.body).csrfToken);
  const root = (await admin.get('/api/auth/me')).body.user.orgId;
  assert.equal((await admin.post('/api/users', { username: 'scale_analyst', password: USER_PASSWORD, displayName: '舆情分析员', orgId: root, roles: ['opinion_analyst'] })).status, 201);
  const on = async (app: FastifyInstance) => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'scale_analyst', password: USER_PASSWORD } });
    return new Client(app, String(res.headers['set-cookie']).split(';')[0]!, JSON.parse(res.body).csrfToken);
  };
  const clients = [await on(A!), await on(B!)];
  const claim = '网传下周一起城南街道所有药店停止销售退烧药，需凭社区证明才能购买，请大家提前储备';
  // Twelve batches at once, alternating instances; each carries a variant of the claim and an unrelated
  // post. Whichever commits first starts the cluster; every other must find it, on either instance.
  const variants = [claim, `转发：${claim}`, `${claim} 是真的吗`, `【扩散】${claim}！！`, claim.replace('提前', '赶紧')];
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      clients[i % 2]!.post('/api/opinion/posts', {
        posts: [
          { source: 'weibo', externalId: `v${i}`, text: variants[i % variants.length]!, publishedAt: '2026-02-01T09:00:00Z' },
          { source: 'weibo', externalId: `o${i}`, text: `第${i}号通告：本周${i + 1}日上午在文化广场开展健康知识讲座，欢迎居民参加。`, publishedAt: '2026-02-01T09:00:00Z' },
        ],
      }),
    ),
  );
  for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
  const clusters = new Set(answers.map((a) => a.body.results[0].clusterId));
  assert.equal(clusters.size, 1, 'every variant is in one cluster, whichever instance took it');
  assert.ok(answers.every((a) => !clusters.has(a.body.results[1].clusterId)), 'the unrelated notices stay out of it');
  const cluster = await clients[1]!.get(`/api/opinion/clusters/${[...clusters][0]}`);
  assert.equal(cluster.body.cluster.size, 12);
});
