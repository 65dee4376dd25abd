import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeEachDb, type Client } from '../../testing/harness.ts';
import { localDate } from '../../kernel/time.ts';

const today = () => localDate(new Date(), 'Asia/Shanghai');
const daysAgo = (n: number) => localDate(new Date(Date.now() - n * 86_400_000), 'Asia/Shanghai');
const rec = (orgId: string, indicator: string, value: number, date = daysAgo(1), extra: Record<string, unknown> = {}) => ({
  clientId: randomUUID(),
  orgId,
  date,
  indicator,
  value,
  ...extra,
});

describeEachDb('outreach ledger', (ctx) => {
  let townA: string, villA1: string, villA2: string, townB: string, villB1: string;
  let reporterA1: Client & { userId: string };
  let publicityA: Client & { userId: string };
  let district: Client & { userId: string };
  const from = daysAgo(30);
  const to = today();

  before(async () => {
    const c = ctx();
    townA = await c.org(c.rootOrgId, 'township', '青山镇', 'QS');
    villA1 = await c.org(townA, 'village', '石桥村', 'QS01');
    villA2 = await c.org(townA, 'village', '柳湾村', 'QS02');
    townB = await c.org(c.rootOrgId, 'township', '白石镇', 'BS');
    villB1 = await c.org(townB, 'village', '双河村', 'BS01');
    reporterA1 = await c.user(villA1, ['reporter'], 'rep_a1');
    publicityA = await c.user(townA, ['publicity'], 'pub_a');
    district = await c.user(c.rootOrgId, ['publicity'], 'pub_d');
  });

  test('the ten built-in indicators carry the seed\'s names and units', async () => {
    const res = await reporterA1.get('/api/outreach/indicators');
    assert.equal(res.status, 200);
    const byCode = Object.fromEntries(res.body.indicators.map((i: any) => [i.code, `${i.name}/${i.unit}`]));
    assert.deepEqual(byCode, {
      billboards: '户外广告牌/块', screens: '电子显示屏/块', banners: '标语横幅/条', leaflets: '宣传单/张',
      household_visits: '入户宣传走访/次', group_messages: '微信群QQ群信息/条', vehicle_trips: '宣传车/台次',
      loudspeakers: '小喇叭和流动音响/个', broadcast_hours: '村村通广播/小时', guides_printed: '防控行动指南/份',
    });
  });

  test('a record counts in its village, township and district totals; resending its clientId does not count twice', async () => {
    const r = rec(villA1, 'banners', 12);
    const first = await reporterA1.post('/api/outreach/records', { records: [r] });
    assert.equal(first.status, 200);
    assert.equal(first.body.results[0].status, 'created');
    const again = await reporterA1.post('/api/outreach/records', { records: [r] });
    assert.deepEqual(again.body.results[0], { clientId: r.clientId, id: first.body.results[0].id, status: 'duplicate', review: false });
    for (const org of [villA1, townA, ctx().rootOrgId]) {
      const t = await district.get(`/api/outreach/totals?orgId=${org}&from=${from}&to=${to}`);
      assert.equal(t.status, 200);
      assert.equal(t.body.totals.banners, 12, org);
      assert.equal(t.body.totals.billboards, 0);
    }
    const b = await district.get(`/api/outreach/totals?orgId=${townB}&from=${from}&to=${to}`);
    assert.equal(b.body.totals.banners, 0);
  });

  test('one bad record rejects the whole batch with per-record details, and nothing is stored', async () => {
    const before = (await district.get(`/api/outreach/totals?orgId=${townA}&from=${from}&to=${to}`)).body.totals;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [rec(villA1, 'no_such_indicator', 1), /未知/],
      [rec(villA1, 'leaflets', 5, '2099-01-01'), /晚于今天/],
      [rec(villA1, 'leaflets', 2.5), /整数/],
      [rec(villA1, 'broadcast_hours', 1.25), /1 位小数/],
      [rec(villA1, 'leaflets', 5, '2026-02-30'), /日期无效/],
    ];
    for (const [bad, message] of cases) {
      const res = await reporterA1.post('/api/outreach/records', { records: [rec(villA1, 'leaflets', 100), bad] });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.equal(res.body.error.code, 'invalid_input');
      assert.equal(res.body.error.details.length, 1);
      assert.equal(res.body.error.details[0].index, 1);
      assert.match(res.body.error.details[0].message, message);
    }
    const negative = await reporterA1.post('/api/outreach/records', { records: [rec(villA1, 'leaflets', -3)] });
    assert.equal(negative.status, 400);
    const after = (await district.get(`/api/outreach/totals?orgId=${townA}&from=${from}&to=${to}`)).body.totals;
    assert.deepEqual(after, before);
  });

  test('records for an org outside the caller\'s subtree are 403; more than 1,000 in one call is 413', async () => {
    const res = await reporterA1.post('/api/outreach/records', { records: [rec(villA1, 'leaflets', 1), rec(villB1, 'leaflets', 1)] });
    assert.equal(res.status, 403);
    assert.equal(res.body.error.code, 'forbidden');
    const sibling = await reporterA1.post('/api/outreach/records', { records: [rec(villA2, 'leaflets', 1)] });
    assert.equal(sibling.status, 403, 'a village reporter cannot report for the neighbouring village');
    const big = await publicityA.post('/api/outreach/records', { records: Array.from({ length: 1001 }, () => rec(villA1, 'leaflets', 1)) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'payload_too_large');
    const t = await district.get(`/api/outreach/totals?orgId=${villB1}&from=${from}&to=${to}`);
    assert.equal(t.body.totals.leaflets, 0);
  });

  test('decimal indicators add up exactly (broadcast hours)', async () => {
    const records = [0.1, 0.2, 0.3, 1.4, 2.5].map((v) => rec(villA2, 'broadcast_hours', v, daysAgo(2)));
    assert.equal((await publicityA.post('/api/outreach/records', { records })).status, 200);
    const t = await district.get(`/api/outreach/totals?orgId=${villA2}&from=${from}&to=${to}`);
    assert.equal(t.body.totals.broadcast_hours, 4.5);
  });

  test('totals group by child and by day', async () => {
    await publicityA.post('/api/outreach/records', { records: [rec(villA1, 'household_visits', 30, daysAgo(3)), rec(villA2, 'household_visits', 20, daysAgo(3)), rec(villA2, 'household_visits', 5, daysAgo(4))] });
    const byChild = await district.get(`/api/outreach/totals?orgId=${townA}&from=${from}&to=${to}&groupBy=child`);
    assert.equal(byChild.status, 200);
    const kids = Object.fromEntries(byChild.body.children.map((c: any) => [c.name, c.totals.household_visits]));
    assert.deepEqual(kids, { 石桥村: 30, 柳湾村: 25 });
    assert.equal(byChild.body.totals.household_visits, 55);
    const byDay = await district.get(`/api/outreach/totals?orgId=${townA}&from=${daysAgo(5)}&to=${daysAgo(2)}&groupBy=day`);
    assert.deepEqual(byDay.body.days.map((d: any) => [d.date, d.totals.household_visits]), [
      [daysAgo(5), 0], [daysAgo(4), 5], [daysAgo(3), 50], [daysAgo(2), 0],
    ]);
  });

  test('a correction (delete or replace) is audited and reflected in totals at once', async () => {
    const r = rec(villA1, 'vehicle_trips', 7);
    const id = (await reporterA1.post('/api/outreach/records', { records: [r] })).body.results[0].id;
    const total = async () => (await district.get(`/api/outreach/totals?orgId=${ctx().rootOrgId}&from=${from}&to=${to}`)).body.totals.vehicle_trips;
    assert.equal(await total(), 7);
    const replaced = await reporterA1.put(`/api/outreach/records/${id}`, { date: r.date, indicator: 'vehicle_trips', value: 4, note: '更正：重复计算' });
    assert.equal(replaced.status, 200);
    assert.equal(replaced.body.record.value, 4);
    assert.equal(await total(), 4);
    assert.equal((await reporterA1.delete(`/api/outreach/records/${replaced.body.record.id}`)).status, 204);
    assert.equal(await total(), 0);
    assert.equal((await reporterA1.delete(`/api/outreach/records/${replaced.body.record.id}`)).status, 204, 'deleting twice changes nothing');
    assert.equal(await total(), 0);
    const resent = await reporterA1.post('/api/outreach/records', { records: [r] });
    assert.equal(resent.body.results[0].status, 'duplicate', 'a deleted record re-sent by an offline phone does not come back');
    assert.equal(await total(), 0);
    const auditor = await ctx().user(ctx().rootOrgId, ['auditor']);
    const actions = (await auditor.get('/api/audit?limit=50&action=outreach.record')).body.events.map((e: any) => e.action);
    assert.ok(actions.includes('outreach.record.replace') && actions.includes('outreach.record.delete'));
  });

  test('reporters correct only their own records; publicity staff correct any in scope', async () => {
    const other = await ctx().user(villA1, ['reporter']);
    const id = (await other.post('/api/outreach/records', { records: [rec(villA1, 'leaflets', 10)] })).body.results[0].id;
    assert.equal((await reporterA1.delete(`/api/outreach/records/${id}`)).status, 403);
    const outsider = await ctx().user(townB, ['publicity']);
    assert.equal((await outsider.delete(`/api/outreach/records/${id}`)).status, 404);
    assert.equal((await publicityA.delete(`/api/outreach/records/${id}`)).status, 204);
  });

  test('an implausible value is held for review, not counted, until a publicity user confirms it', async () => {
    const res = await reporterA1.post('/api/outreach/records', { records: [rec(villA1, 'billboards', 5000)] });
    assert.equal(res.status, 200);
    assert.equal(res.body.results[0].review, true);
    const id = res.body.results[0].id;
    const total = async () => (await district.get(`/api/outreach/totals?orgId=${townA}&from=${from}&to=${to}`)).body.totals.billboards;
    assert.equal(await total(), 0);
    const queue = await publicityA.get('/api/outreach/records?status=pending_review');
    assert.ok(queue.body.records.some((r: any) => r.id === id && /合理上限/.test(r.reviewReason)));
    assert.equal((await reporterA1.post(`/api/outreach/records/${id}/review`, { decision: 'confirm' })).status, 403);
    const ok = await publicityA.post(`/api/outreach/records/${id}/review`, { decision: 'confirm', comment: '已电话核实' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.record.status, 'counted');
    assert.equal(await total(), 5000);
    assert.equal((await publicityA.post(`/api/outreach/records/${id}/review`, { decision: 'reject' })).status, 409);
  });

  test('a value far above the unit\'s own history is flagged; rejecting keeps it out of totals', async () => {
    const history = Array.from({ length: 6 }, (_, i) => rec(villA2, 'group_messages', 40 + i, daysAgo(10 + i)));
    await publicityA.post('/api/outreach/records', { records: history });
    const spike = await publicityA.post('/api/outreach/records', { records: [rec(villA2, 'group_messages', 4000, daysAgo(1))] });
    assert.equal(spike.body.results[0].review, true);
    const normal = await publicityA.post('/api/outreach/records', { records: [rec(villA2, 'group_messages', 60, daysAgo(1))] });
    assert.equal(normal.body.results[0].review, false);
    const rej = await publicityA.post(`/api/outreach/records/${spike.body.results[0].id}/review`, { decision: 'reject' });
    assert.equal(rej.body.record.status, 'rejected');
    const t = await district.get(`/api/outreach/totals?orgId=${villA2}&from=${from}&to=${to}`);
    assert.equal(t.body.totals.group_messages, 40 + 41 + 42 + 43 + 44 + 45 + 60);
  });

  test('coverage lists villages that have not reported in the last N days, silent first', async () => {
    const res = await district.get(`/api/outreach/coverage?orgId=${ctx().rootOrgId}&days=7`);
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 3);
    const byName = Object.fromEntries(res.body.units.map((u: any) => [u.name, u]));
    assert.equal(byName['双河村'].silent, true);
    assert.equal(byName['双河村'].lastDate, null);
    assert.equal(byName['石桥村'].silent, false);
    assert.equal(res.body.units[0].name, '双河村');
    assert.equal(res.body.silent, 1);
  });

  test('reporters see their own history; listing is scoped and pages by id', async () => {
    const mine = await reporterA1.get('/api/outreach/records?mine=1&limit=2');
    assert.equal(mine.status, 200);
    assert.equal(mine.body.records.length, 2);
    assert.ok(mine.body.records.every((r: any) => r.createdBy === 'rep_a1'));
    const next = await reporterA1.get(`/api/outreach/records?mine=1&limit=2&before=${mine.body.nextBefore}`);
    assert.ok(next.body.records.every((r: any) => r.id < mine.body.nextBefore));
    assert.equal((await reporterA1.get(`/api/outreach/records?orgId=${townB}`)).status, 403);
    assert.equal((await reporterA1.get(`/api/outreach/totals?orgId=${townB}&from=${from}&to=${to}`)).status, 403);
  });

  test('an admin adds a custom indicator; it is accepted at once and appears in totals', async () => {
    const created = await ctx().admin.post('/api/outreach/indicators', { code: 'posters', name: '宣传海报', unit: '张', decimals: 0, maxPerRecord: 1000 });
    assert.equal(created.status, 201);
    assert.equal((await publicityA.post('/api/outreach/indicators', { code: 'x_y', name: 'x', unit: '个' })).status, 403);
    assert.equal((await reporterA1.post('/api/outreach/records', { records: [rec(villA1, 'posters', 25)] })).status, 200);
    const t = await district.get(`/api/outreach/totals?orgId=${villA1}&from=${from}&to=${to}`);
    assert.equal(t.body.totals.posters, 25);
  });

  test('200 concurrent single-record posts (with retries of half of them) give exact totals', async () => {
    const records = Array.from({ length: 200 }, (_, i) => rec(villB1, 'loudspeakers', (i % 7) + 1, daysAgo(i % 5)));
    const pubB = await ctx().user(townB, ['publicity']);
    const sends = [...records, ...records.filter((_, i) => i % 2 === 0)].map((r) => pubB.post('/api/outreach/records', { records: [r] }));
    const results = await Promise.all(sends);
    assert.ok(results.every((r) => r.status === 200));
    const created = results.filter((r) => r.body.results[0].status === 'created').length;
    assert.equal(created, 200);
    const expected = records.reduce((s, r) => s + (r.value as number), 0);
    const t = await district.get(`/api/outreach/totals?orgId=${ctx().rootOrgId}&from=${from}&to=${to}`);
    assert.equal(t.body.totals.loudspeakers, expected);
  });
});
