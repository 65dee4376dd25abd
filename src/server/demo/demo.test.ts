import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext } from '../testing/harness.ts';
import { seedDemo, DEMO_PASSWORD } from './index.ts';
import { localDate } from '../kernel/time.ts';

test('the demo district has ~12 townships, ~150 villages, a user per role and a ledger with seed-like totals', async () => {
  const ctx = await createTestContext('sqlite');
  try {
    const users = await seedDemo(ctx.kernel);
    assert.ok(users && users.length >= 10);
    assert.equal(await seedDemo(ctx.kernel), null, 'seeding twice does nothing');
    const orgs = (await ctx.admin.get('/api/orgs')).body.orgs;
    const count = (k: string) => orgs.filter((o: any) => o.kind === k).length;
    assert.equal(count('township'), 12);
    assert.ok(count('village') + count('community') >= 140 && count('village') + count('community') <= 170);
    assert.equal(count('media'), 2);
    const pub = await ctx.login('publicity', DEMO_PASSWORD);
    const to = localDate(new Date(), 'Asia/Shanghai');
    const from = localDate(new Date(Date.now() - 60 * 86_400_000), 'Asia/Shanghai');
    const t = (await pub.get(`/api/outreach/totals?orgId=${ctx.rootOrgId}&from=${from}&to=${to}`)).body.totals;
    assert.deepEqual(
      [t.billboards, t.screens, t.banners, t.leaflets, t.household_visits, t.vehicle_trips, t.loudspeakers, t.broadcast_hours, t.guides_printed],
      [52, 152, 657, 200150, 183020, 639, 697, 5420, 100000],
    );
    const cov = (await pub.get(`/api/outreach/coverage?orgId=${ctx.rootOrgId}&days=7`)).body;
    assert.ok(cov.silent >= 3 && cov.silent < 20, `silent ${cov.silent}`);
    const review = (await pub.get('/api/outreach/records?status=pending_review')).body.records;
    assert.equal(review.length, 2);
    const news = (await ctx.anon.get('/api/public/content?limit=50')).body.items;
    assert.ok(news.length >= 8);
    assert.ok(news.some((i: any) => i.kind === 'notice' && /通告/.test(i.title)));
    // Opinion: this morning's rumour, with its paraphrase merged in by an analyst.
    const analyst = await ctx.login('analyst', DEMO_PASSWORD);
    const para = (await analyst.get(`/api/opinion/posts?q=${encodeURIComponent('多备点水和大米')}&limit=50`)).body.posts;
    assert.equal(para.length, 12);
    const spread = (await analyst.get(`/api/opinion/clusters/${para[0].clusterId}`)).body.cluster;
    assert.ok(para.every((p: any) => p.clusterId === spread.id) && spread.size === 52 && spread.mergedInto === null && spread.caseId, JSON.stringify(spread));
    // Its refutation, handed over to news publishing: a draft article waiting for the editors.
    const refutation = (await analyst.get(`/api/opinion/refutations?q=${encodeURIComponent('青山镇超市关门')}`)).body.refutations[0];
    assert.equal(refutation.status, 'handed_over');
    assert.equal((await pub.get(`/api/content/${refutation.contentId}`)).body.content.status, 'draft');
    // Demo names are roles and places, not people.
    const names = (await ctx.admin.get('/api/users')).body.users.map((u: any) => u.displayName);
    assert.ok(names.every((n: string) => /演示|管理员/.test(n)));
  } finally {
    await ctx.close();
  }
});
