import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb } from '../../testing/harness.ts';

describeEachDb('orgs', (ctx) => {
  test('the root district exists and is named by FRONTLINE_DISTRICT_NAME', async () => {
    const res = await ctx().admin.get('/api/orgs');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.orgs.map((o: any) => [o.name, o.kind, o.parentId]), [['示例区', 'district', null]]);
  });

  test('admin builds district → township → village/community, departments and media', async () => {
    const root = ctx().rootOrgId;
    const t = await ctx().admin.post('/api/orgs', { parentId: root, name: '青山镇', kind: 'township', code: '500156101' });
    assert.equal(t.status, 201);
    assert.deepEqual(Object.keys(t.body.org).sort(), ['code', 'id', 'kind', 'name', 'parentId']);
    const v = await ctx().admin.post('/api/orgs', { parentId: t.body.org.id, name: '石桥村', kind: 'village' });
    assert.equal(v.status, 201);
    assert.equal(v.body.org.code, null);
    for (const [kind, parent] of [['community', t.body.org.id], ['department', root], ['media', root]] as const) {
      assert.equal((await ctx().admin.post('/api/orgs', { parentId: parent, name: `${kind}单位`, kind })).status, 201, kind);
    }
    const list = (await ctx().admin.get('/api/orgs')).body.orgs;
    assert.equal(list.length, 6);
    assert.equal(list.find((o: any) => o.name === '石桥村').parentId, t.body.org.id);
  });

  test('kinds must fit the tree: no village directly under the district, no township under a village', async () => {
    const root = ctx().rootOrgId;
    const bad = await ctx().admin.post('/api/orgs', { parentId: root, name: '错位村', kind: 'village' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_input');
    assert.match(bad.body.error.message, /不能设在/);
    const missing = await ctx().admin.post('/api/orgs', { parentId: 'no-such-org', name: 'x', kind: 'township' });
    assert.ok([400, 403, 404].includes(missing.status));
  });

  test('codes are unique (409) and can be changed; names can be changed', async () => {
    const root = ctx().rootOrgId;
    const a = await ctx().admin.post('/api/orgs', { parentId: root, name: '白石镇', kind: 'township', code: 'BS01' });
    const dup = await ctx().admin.post('/api/orgs', { parentId: root, name: '另一个镇', kind: 'township', code: 'BS01' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'conflict');
    const renamed = await ctx().admin.patch(`/api/orgs/${a.body.org.id}`, { name: '白石镇（新）', code: 'BS02' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.org.name, '白石镇（新）');
    assert.equal(renamed.body.org.code, 'BS02');
    assert.equal((await ctx().admin.get(`/api/orgs/${a.body.org.id}`)).body.org.code, 'BS02');
  });

  test('a township user sees only their own subtree and cannot reach a sibling (404 hides it)', async () => {
    const root = ctx().rootOrgId;
    const a = await ctx().org(root, 'township', '甲镇');
    const a1 = await ctx().org(a, 'village', '甲一村');
    const b = await ctx().org(root, 'township', '乙镇');
    const townAdmin = await ctx().user(a, ['admin']);
    const orgs = (await townAdmin.get('/api/orgs')).body.orgs.map((o: any) => o.id);
    assert.deepEqual(orgs.sort(), [a, a1].sort());
    assert.equal((await townAdmin.get(`/api/orgs/${b}`)).status, 404);
    assert.equal((await townAdmin.post('/api/orgs', { parentId: b, name: '越权村', kind: 'village' })).status, 403);
    assert.equal((await townAdmin.post('/api/orgs', { parentId: a, name: '甲二村', kind: 'village' })).status, 201);
  });

  test('only empty orgs can be deleted', async () => {
    const root = ctx().rootOrgId;
    const t = await ctx().org(root, 'township', '待删镇');
    const v = await ctx().org(t, 'village', '待删村');
    const refused = await ctx().admin.delete(`/api/orgs/${t}`);
    assert.equal(refused.status, 409);
    assert.equal((await ctx().admin.delete(`/api/orgs/${v}`)).status, 204);
    assert.equal((await ctx().admin.delete(`/api/orgs/${t}`)).status, 204);
    assert.equal((await ctx().admin.get(`/api/orgs/${t}`)).status, 404);
  });

  test('every org change is in the audit log', async () => {
    const events = (await ctx().admin.get('/api/audit?limit=200&action=org.')).body.events;
    const actions = new Set(events.map((e: any) => e.action));
    for (const a of ['org.create', 'org.update', 'org.delete']) assert.ok(actions.has(a), a);
  });
});
