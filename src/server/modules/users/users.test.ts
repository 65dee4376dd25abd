import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, USER_PASSWORD } from '../../testing/harness.ts';

describeEachDb('users', (ctx) => {
  test('admin creates a user in a village; the answer has no password hash', async () => {
    const t = await ctx().org(ctx().rootOrgId, 'township', '青山镇');
    const v = await ctx().org(t, 'village', '石桥村');
    const res = await ctx().admin.post('/api/users', { username: 'Shiqiao01', password: USER_PASSWORD, displayName: '石桥村信息员', orgId: v, roles: ['reporter'] });
    assert.equal(res.status, 201);
    assert.equal(res.body.user.username, 'shiqiao01', 'usernames are case-insensitive, stored lower-case');
    assert.deepEqual(res.body.user.roles, ['reporter']);
    assert.equal(res.body.user.status, 'active');
    assert.ok(!JSON.stringify(res.body).includes('scrypt'));
    const list = await ctx().admin.get('/api/users');
    assert.ok(list.body.users.some((u: any) => u.username === 'shiqiao01' && u.orgId === v));
    assert.equal((await ctx().anon.post('/api/auth/login', { username: 'SHIQIAO01', password: USER_PASSWORD })).status, 200);
  });

  test('weak passwords are refused with 400 weak_password, per the policy', async () => {
    const base = { displayName: '测试', orgId: ctx().rootOrgId, roles: ['editor'] };
    for (const password of ['Sh0rt!', 'alllowercase123', 'ALLUPPER!!!!!!', 'abcdefghijKL', 'Weakuser1#x']) {
      const username = password === 'Weakuser1#x' ? 'weakuser1' : `weak${Math.random().toString(36).slice(2, 8)}`;
      const pw = password === 'Weakuser1#x' ? 'Weakuser1#xyz' : password;
      const res = await ctx().admin.post('/api/users', { ...base, username, password: pw });
      assert.equal(res.status, 400, password);
      assert.equal(res.body.error.code, 'weak_password');
    }
    assert.equal((await ctx().admin.post('/api/users', { ...base, username: 'okpass', password: 'Good-pass-2026' })).status, 201);
  });

  test('duplicate usernames are 409', async () => {
    const body = { username: 'dupe', password: USER_PASSWORD, displayName: '甲', orgId: ctx().rootOrgId, roles: ['editor'] };
    assert.equal((await ctx().admin.post('/api/users', body)).status, 201);
    assert.equal((await ctx().admin.post('/api/users', { ...body, username: 'DUPE' })).status, 409);
  });

  test('三员分立: admin, security admin and auditor cannot be combined; appointing them hands the roles over', async () => {
    const conflict = await ctx().admin.post('/api/users', { username: 'combo', password: USER_PASSWORD, displayName: '兼任', orgId: ctx().rootOrgId, roles: ['admin', 'auditor'] });
    assert.equal(conflict.status, 400);
    assert.equal(conflict.body.error.code, 'role_conflict');
    assert.equal((await ctx().admin.get('/api/audit?limit=1')).status, 200, 'bootstrap admin is auditor until one is appointed');
    const auditor = await ctx().user(ctx().rootOrgId, ['auditor'], 'auditor1');
    const me = await ctx().admin.get('/api/auth/me');
    assert.deepEqual(me.body.user.roles, ['admin', 'security_admin']);
    assert.equal((await ctx().admin.get('/api/audit?limit=1')).status, 403, 'the admin alone cannot read the audit log');
    assert.equal((await auditor.get('/api/audit?limit=5')).status, 200);
    const handover = (await auditor.get('/api/audit?limit=50&action=user.role.handover')).body.events;
    assert.equal(handover.length, 1);
  });

  test('disabling a user ends their sessions and blocks login; the last admin cannot be removed', async () => {
    const u = await ctx().user(ctx().rootOrgId, ['publicity'], 'tobedisabled');
    const res = await ctx().admin.patch(`/api/users/${u.userId}`, { disabled: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.status, 'disabled');
    assert.equal((await u.get('/api/auth/me')).status, 401);
    assert.equal((await ctx().anon.post('/api/auth/login', { username: 'tobedisabled', password: USER_PASSWORD })).status, 423);
    const adminId = (await ctx().admin.get('/api/auth/me')).body.user.id;
    assert.equal((await ctx().admin.patch(`/api/users/${adminId}`, { disabled: true })).status, 409);
  });

  test('roles and org can be edited; an unknown org is 400', async () => {
    const t = await ctx().org(ctx().rootOrgId, 'township', '河口镇');
    const u = await ctx().user(ctx().rootOrgId, ['editor'], 'movable');
    const res = await ctx().admin.patch(`/api/users/${u.userId}`, { roles: ['editor', 'reviewer'], orgId: t, displayName: '河口镇编辑' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.user.roles, ['editor', 'reviewer']);
    assert.equal(res.body.user.orgId, t);
    assert.equal((await ctx().admin.patch(`/api/users/${u.userId}`, { orgId: 'nope' })).status, 403);
  });

  test('security admin locks, unlocks and resets passwords; a locked user cannot log in', async () => {
    const sec = await ctx().user(ctx().rootOrgId, ['security_admin'], 'secadm');
    const u = await ctx().user(ctx().rootOrgId, ['reporter'], 'lockable');
    const locked = await sec.post(`/api/users/${u.userId}/lock`);
    assert.equal(locked.status, 200);
    assert.equal(locked.body.user.status, 'locked');
    assert.equal((await u.get('/api/auth/me')).status, 401, 'sessions end at once');
    assert.equal((await ctx().anon.post('/api/auth/login', { username: 'lockable', password: USER_PASSWORD })).status, 423);
    assert.equal((await sec.post(`/api/users/${u.userId}/unlock`)).body.user.status, 'active');
    assert.equal((await sec.post(`/api/users/${u.userId}/password`, { password: 'Reset-pass-2026' })).status, 204);
    assert.equal((await ctx().anon.post('/api/auth/login', { username: 'lockable', password: 'Reset-pass-2026' })).status, 200);
    // The system admin has no security-admin powers once a security admin is appointed.
    assert.equal((await ctx().admin.post(`/api/users/${u.userId}/lock`)).status, 403);
  });

  test('the password policy can be tightened by the security admin and applies at once', async () => {
    const sec = await ctx().login('secadm');
    const policy = (await sec.get('/api/security/policy')).body.policy;
    assert.deepEqual(policy, { minLength: 10, minClasses: 3, maxFailures: 5, lockMinutes: 15, sessionIdleMinutes: 30 });
    const loosen = await sec.put('/api/security/policy', { ...policy, minLength: 6 });
    assert.equal(loosen.status, 400, 'cannot go below the floor of API.md');
    assert.equal((await sec.put('/api/security/policy', { ...policy, minLength: 14 })).status, 200);
    const res = await ctx().admin.post('/api/users', { username: 'strict', password: 'Twelve-chars1', displayName: '严', orgId: ctx().rootOrgId, roles: ['editor'] });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'weak_password');
    await sec.put('/api/security/policy', policy);
  });
});
