import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, ADMIN_PASSWORD, USER_PASSWORD, Client } from '../../testing/harness.ts';
import { sha256Hex } from '../../kernel/crypto.ts';

const clock = { now: new Date() };

describeEachDb('auth', (ctx) => {
  test('login returns the user and a CSRF token and sets an HttpOnly SameSite=Lax cookie', async () => {
    const res = await ctx().app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(res.statusCode, 200);
    const body = JSON.parse(res.body);
    assert.equal(body.user.username, 'admin');
    assert.deepEqual(body.user.roles, ['admin', 'auditor', 'security_admin']);
    assert.ok(body.csrfToken.length >= 20);
    const cookie = String(res.headers['set-cookie']);
    assert.match(cookie, /fl_session=/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/);
  });

  test('wrong password is 401 invalid_credentials, unknown user the same', async () => {
    for (const username of ['admin', 'nobody-here']) {
      const res = await ctx().anon.post('/api/auth/login', { username, password: 'Wrong#2026pass' });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'invalid_credentials');
      assert.match(res.body.error.message, /用户名或密码错误/);
    }
  });

  test('five failures in a row lock the username for 15 minutes (423), even with the right password', async () => {
    const u = await ctx().user(ctx().rootOrgId, ['publicity'], 'lockme');
    assert.ok(u);
    for (let i = 0; i < 5; i++) {
      const res = await ctx().anon.post('/api/auth/login', { username: 'lockme', password: 'Wrong#2026pass' });
      assert.equal(res.status, 401, `attempt ${i + 1}`);
    }
    const locked = await ctx().anon.post('/api/auth/login', { username: 'lockme', password: USER_PASSWORD });
    assert.equal(locked.status, 423);
    assert.equal(locked.body.error.code, 'account_locked');
    // The security admin sees it locked and can unlock it.
    const users = await ctx().admin.get('/api/users');
    assert.equal(users.body.users.find((x: any) => x.username === 'lockme').status, 'locked');
    const unlock = await ctx().admin.post(`/api/users/${u.userId}/unlock`);
    assert.equal(unlock.status, 200);
    assert.equal(unlock.body.user.status, 'active');
    assert.equal((await ctx().anon.post('/api/auth/login', { username: 'lockme', password: USER_PASSWORD })).status, 200);
  });

  test('a failure count resets after a successful login', async () => {
    await ctx().user(ctx().rootOrgId, ['publicity'], 'resetme');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) await ctx().anon.post('/api/auth/login', { username: 'resetme', password: 'Wrong#2026pass' });
      assert.equal((await ctx().anon.post('/api/auth/login', { username: 'resetme', password: USER_PASSWORD })).status, 200);
    }
  });

  test('me without a session is 401 unauthenticated; with one it returns the user', async () => {
    const anon = await ctx().anon.get('/api/auth/me');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.code, 'unauthenticated');
    const me = await ctx().admin.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.username, 'admin');
  });

  test('cookie-authenticated writes without the CSRF header are refused with 403', async () => {
    const login = await ctx().app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const noCsrf = new Client(ctx().app, cookie);
    const res = await noCsrf.post('/api/orgs', { parentId: ctx().rootOrgId, name: '无令牌镇', kind: 'township' });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'forbidden');
    const wrong = new Client(ctx().app, cookie, 'not-the-token');
    assert.equal((await wrong.post('/api/orgs', { parentId: ctx().rootOrgId, name: '错令牌镇', kind: 'township' })).status, 403);
    const orgs = await ctx().admin.get('/api/orgs');
    assert.ok(!orgs.body.orgs.some((o: any) => o.name.includes('令牌镇')), 'nothing was stored');
  });

  test('logout ends the session', async () => {
    const c = await ctx().login('admin', ADMIN_PASSWORD);
    assert.equal((await c.post('/api/auth/logout')).status, 204);
    assert.equal((await c.get('/api/auth/me')).status, 401);
  });

  test('an idle session expires after the idle timeout', async () => {
    const res = await ctx().app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: ADMIN_PASSWORD } });
    const cookie = String(res.headers['set-cookie']).split(';')[0]!;
    const c = new Client(ctx().app, cookie, JSON.parse(res.body).csrfToken);
    assert.equal((await c.get('/api/auth/me')).status, 200);
    // Age this session in the database past the 30-minute default.
    const old = new Date(Date.now() - 31 * 60_000).toISOString();
    await ctx().kernel.db.updateTable('sessions').set({ last_seen_at: old }).where('id_hash', '=', sha256Hex(cookie.split('=')[1]!)).execute();
    assert.equal((await c.get('/api/auth/me')).status, 401);
    assert.equal((await ctx().admin.get('/api/auth/me')).status, 200, 'other sessions are unaffected');
  });

  test('API tokens act as their user without CSRF, are stored only hashed, and can be revoked', async () => {
    const created = await ctx().admin.post('/api/auth/tokens', { name: '采集接口' });
    assert.equal(created.status, 201);
    const token: string = created.body.token;
    assert.match(token, /^fl_/);
    const rows = await ctx().kernel.db.selectFrom('api_tokens').selectAll().execute();
    assert.ok(rows.every((r) => r.token_hash !== token && !r.token_hash.includes(token)));
    const machine = new Client(ctx().app, undefined, undefined, token);
    assert.equal((await machine.get('/api/auth/me')).body.user.username, 'admin');
    const write = await machine.post('/api/orgs', { parentId: ctx().rootOrgId, name: '令牌新建镇', kind: 'township' });
    assert.equal(write.status, 201);
    const list = await ctx().admin.get('/api/auth/tokens');
    assert.equal(list.body.tokens.length, 1);
    assert.equal((await ctx().admin.delete(`/api/auth/tokens/${created.body.id}`)).status, 204);
    assert.equal((await machine.get('/api/auth/me')).status, 401);
  });

  test('changing one\'s password checks the current one and the policy', async () => {
    const u = await ctx().user(ctx().rootOrgId, ['editor'], 'pwchanger');
    assert.equal((await u.post('/api/auth/password', { currentPassword: 'Nope#2026pass', newPassword: 'New#2026passwd' })).status, 401);
    const weak = await u.post('/api/auth/password', { currentPassword: USER_PASSWORD, newPassword: 'short' });
    assert.equal(weak.status, 400);
    assert.equal(weak.body.error.code, 'weak_password');
    assert.equal((await u.post('/api/auth/password', { currentPassword: USER_PASSWORD, newPassword: 'New#2026passwd' })).status, 204);
    assert.equal((await ctx().anon.post('/api/auth/login', { username: 'pwchanger', password: 'New#2026passwd' })).status, 200);
  });

  test('login throttling per address allows at least 30 attempts a minute, then answers 429', async () => {
    let first429 = 0;
    for (let i = 1; i <= 70; i++) {
      const res = await ctx().app.inject({
        method: 'POST', url: '/api/auth/login', remoteAddress: '10.9.9.9',
        payload: { username: `ghost${i}`, password: 'Wrong#2026pass' },
      });
      if (res.statusCode === 429) { first429 = i; assert.equal(JSON.parse(res.body).error.code, 'rate_limited'); break; }
      assert.equal(res.statusCode, 401);
    }
    assert.ok(first429 > 30, `throttled after ${first429}`);
  });
});

describeEachDb('login throttling across a minute boundary', (ctx) => {
  test('a burst that straddles the boundary is still throttled (sliding window)', async () => {
    let first429 = 0;
    for (let i = 1; i <= 70; i++) {
      // Half the burst in the last seconds of one minute, half at the start of the next.
      clock.now = new Date(Date.UTC(2026, 1, 1, 8, 0, i <= 35 ? 58 : 1));
      const res = await ctx().app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.8.8.8', payload: { username: `g${i}`, password: 'Wrong#2026pass' } });
      if (res.statusCode === 429) {
        first429 = i;
        break;
      }
    }
    assert.ok(first429 > 30 && first429 <= 62, `throttled after ${first429}`);
  });
}, { clock: () => clock.now });
