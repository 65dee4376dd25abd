// Handing a refutation over to news publishing, through the HTTP API on SQLite and PostgreSQL: the
// draft article it becomes, the publishing workflow that stays with the content roles, and the
// refutation published with the article's public page once the article is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, type Client } from '../../testing/harness.ts';

describeEachDb('opinion refutations handed over to publishing', (ctx) => {
  let analyst: Client;
  let townAnalyst: Client;
  let editor: Client;
  let reviewer: Client;
  let publicity: Client;
  let town: string;
  let media: string;
  const CLAIM = '网传喝高度白酒可以杀灭病毒、预防新冠肺炎';
  const FACTS = '饮酒不能预防新冠肺炎，过量饮酒有害健康。\n请以卫生健康部门发布的信息为准，不信谣、不传谣。';

  before(async () => {
    const c = ctx();
    town = await c.org(c.rootOrgId, 'township', '柳河镇');
    media = await c.org(c.rootOrgId, 'media', '区融媒体中心');
    analyst = await c.user(c.rootOrgId, ['opinion_analyst']);
    townAnalyst = await c.user(town, ['opinion_analyst']);
    // The media centre's editor and reviewer see only their unit's articles; publicity sees the district's.
    editor = await c.user(media, ['editor']);
    reviewer = await c.user(media, ['reviewer']);
    publicity = await c.user(c.rootOrgId, ['publicity']);
  });

  const draftRefutation = async (by: Client = analyst, claim = CLAIM) => {
    const r = await by.post('/api/opinion/refutations', { claim, facts: FACTS });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.refutation.status, 'draft');
    return r.body.refutation.id as string;
  };

  test('a draft refutation handed over becomes a draft article; published there, the refutation is published with its page', async () => {
    const id = await draftRefutation();
    // Where it can go: the district's units with content writers, the media centre first.
    const targets = (await analyst.get('/api/opinion/handover-targets')).body.targets;
    assert.equal(targets[0].id, media);
    assert.deepEqual(targets.map((t: { id: string }) => t.id).sort(), [ctx().rootOrgId, media].sort(), 'the township has no content writer');
    const handed = await analyst.post(`/api/opinion/refutations/${id}/handover`, { orgId: media });
    assert.equal(handed.status, 200, JSON.stringify(handed.body));
    const r = handed.body.refutation;
    assert.equal(r.status, 'handed_over');
    assert.equal(r.url, null);
    assert.ok(r.contentId);

    // The article: a draft for the editors, with the claim and the facts, authored by the analyst.
    const content = (await editor.get(`/api/content/${r.contentId}`)).body.content;
    assert.equal(content.status, 'draft');
    assert.equal(content.orgId, media, 'in the receiving unit, where its editors see it');
    assert.equal(content.kind, 'news');
    assert.equal(content.theme, 'opinion_response');
    assert.equal(content.title, `【辟谣】${CLAIM}`);
    assert.match(content.body, /<strong>网传：<\/strong>网传喝高度白酒/);
    assert.match(content.body, /<strong>真相：<\/strong>饮酒不能预防新冠肺炎/);
    assert.match(content.body, /不信谣、不传谣/);
    assert.deepEqual(content.channels.sort(), ['website', 'wechat', 'weibo']);
    assert.equal((await ctx().anon.get(`/news/${r.contentId}`)).status, 404, 'a draft is not public');

    // The analyst cannot take it further: editing, review and publishing stay with the content roles.
    assert.equal((await analyst.post(`/api/content/${r.contentId}/submit`)).status, 403);
    assert.equal((await analyst.patch(`/api/content/${r.contentId}`, { title: '改标题' })).status, 403);

    // The workflow: the editor edits and submits, the reviewer approves (four eyes), publicity publishes.
    assert.equal((await editor.patch(`/api/content/${r.contentId}`, { title: '关于“喝白酒能预防新冠肺炎”的辟谣' })).status, 200);
    assert.equal((await editor.post(`/api/content/${r.contentId}/submit`)).status, 200);
    assert.equal((await reviewer.post(`/api/content/${r.contentId}/approve`)).status, 200);
    let lib = (await analyst.get('/api/opinion/refutations?q=白酒')).body.refutations.find((x: { id: string }) => x.id === id);
    assert.equal(lib.status, 'handed_over', 'approved is not yet published');
    assert.equal((await publicity.post(`/api/content/${r.contentId}/publish`, {})).status, 200);

    lib = (await analyst.get('/api/opinion/refutations?q=白酒')).body.refutations.find((x: { id: string }) => x.id === id);
    assert.equal(lib.status, 'published');
    assert.match(lib.url, new RegExp(`/news/${r.contentId}$`));
    assert.equal((await ctx().anon.get(`/news/${r.contentId}`)).status, 200);
    // Publicity staff read the library too, and see the same.
    const seen = (await publicity.get('/api/opinion/refutations?q=白酒')).body.refutations.find((x: { id: string }) => x.id === id);
    assert.equal(seen.url, lib.url);

    // Handed over once: a second time is refused while the article stands.
    const again = await analyst.post(`/api/opinion/refutations/${id}/handover`, { orgId: media });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
    assert.match(again.body.error.message, /已有发布链接|已转交/);

    // Withdrawn: the refutation is no longer published, and may be handed over again (a new draft).
    assert.equal((await publicity.post(`/api/content/${r.contentId}/unpublish`, { note: '数据需要更新' })).status, 200);
    lib = (await analyst.get('/api/opinion/refutations?q=白酒')).body.refutations.find((x: { id: string }) => x.id === id);
    assert.equal(lib.status, 'handed_over');
    assert.equal(lib.url, null);
    const second = await analyst.post(`/api/opinion/refutations/${id}/handover`, { orgId: ctx().rootOrgId });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refutation.contentId, r.contentId);
    assert.equal((await publicity.get(`/api/content/${second.body.refutation.contentId}`)).body.content.status, 'draft');
    assert.equal((await editor.get(`/api/content/${second.body.refutation.contentId}`)).status, 404, 'handed to the district office this time: not the media centre’s');
  });

  test('the hand-over is audited on both sides; a township analyst hands over to the district’s units', async () => {
    const id = await draftRefutation(townAnalyst, '网传柳河镇明天起全面封村，所有人不得外出');
    const targets = (await townAnalyst.get('/api/opinion/handover-targets')).body.targets;
    assert.equal(targets[0].id, media, 'the units of the district, outside the township analyst’s own scope');
    const res = await townAnalyst.post(`/api/opinion/refutations/${id}/handover`, { orgId: media });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = res.body.refutation;
    const content = (await editor.get(`/api/content/${r.contentId}`)).body.content;
    assert.equal(content.orgId, media);
    assert.equal((await townAnalyst.get(`/api/content/${r.contentId}`)).status, 403, 'the analyst reads no articles');
    const audit = await ctx().kernel.db.selectFrom('audit_events').select(['action', 'target', 'detail']).where('target', 'in', [id, r.contentId]).execute();
    const actions = audit.map((a) => a.action).sort();
    assert.ok(actions.includes('opinion.refutation.handover'), actions.join());
    const created = audit.find((a) => a.action === 'content.create');
    assert.ok(created, actions.join());
    assert.match(String(created.detail), /opinion\.refutation/);
  });

  test('two hand-overs at once (a double click, two instances): one draft article, the other refused', async () => {
    const claim = '网传全区明天起停止发放口罩';
    const id = await draftRefutation(analyst, claim);
    const both = await Promise.all([1, 2].map(() => analyst.post(`/api/opinion/refutations/${id}/handover`, { orgId: media })));
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.body)));
    const drafts = await ctx().kernel.db.selectFrom('pub_content').select('id').where('title', '=', `【辟谣】${claim}`).execute();
    assert.equal(drafts.length, 1, 'the refused one left no article behind');
    const lib = (await analyst.get(`/api/opinion/refutations?q=${encodeURIComponent('停止发放口罩')}`)).body.refutations[0];
    assert.equal(lib.contentId, drafts[0]!.id);
  });

  test('refused without a change: published with a link of its own, readers, out of scope, unknown, malformed', async () => {
    const linked = (await analyst.post('/api/opinion/refutations', { claim: '网传吃大蒜可以预防新冠病毒感染', facts: '没有证据表明吃大蒜能预防新冠病毒感染。', url: 'https://example.gov.cn/piyao/2' })).body.refutation;
    const done = await analyst.post(`/api/opinion/refutations/${linked.id}/handover`, { orgId: media });
    assert.equal(done.status, 409);
    assert.match(done.body.error.message, /已有发布链接/);

    const id = await draftRefutation(analyst, '网传区医院发热门诊已经停诊');
    const to = { orgId: media };
    assert.equal((await publicity.post(`/api/opinion/refutations/${id}/handover`, to)).status, 403, 'publicity staff read the library but do not handle it');
    assert.equal((await editor.post(`/api/opinion/refutations/${id}/handover`, to)).status, 403);
    assert.equal((await publicity.get('/api/opinion/handover-targets')).status, 403);
    assert.equal((await townAnalyst.post(`/api/opinion/refutations/${id}/handover`, to)).status, 404, 'a district refutation is outside a township analyst’s scope');
    assert.equal((await analyst.post('/api/opinion/refutations/00000000-0000-4000-8000-000000000000/handover', to)).status, 404);
    const bad = await analyst.post('/api/opinion/refutations/not-an-id/handover', to);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_input');
    // A receiving unit that is not one: unknown, a township without content writers, none at all.
    for (const body of [{ orgId: '00000000-0000-4000-8000-000000000000' }, { orgId: town }]) {
      const wrong = await analyst.post(`/api/opinion/refutations/${id}/handover`, body);
      assert.equal(wrong.status, 400, JSON.stringify(body));
      assert.equal(wrong.body.error.code, 'invalid_input');
      assert.match(wrong.body.error.message, /接收单位/);
    }
    assert.equal((await analyst.post(`/api/opinion/refutations/${id}/handover`, {})).status, 400);
    assert.equal((await ctx().anon.post(`/api/opinion/refutations/${id}/handover`, to)).status, 401);

    const lib = (await analyst.get('/api/opinion/refutations?q=发热门诊')).body.refutations.find((x: { id: string }) => x.id === id);
    assert.equal(lib.status, 'draft');
    assert.equal(lib.contentId, null);
  });
});
