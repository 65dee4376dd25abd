import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, describeEachDb } from '../../testing/harness.ts';
import { localDate } from '../../kernel/time.ts';
import { writerOf } from './outreach.service.ts';

const daysAgo = (n: number) => localDate(new Date(Date.now() - n * 86_400_000), 'Asia/Shanghai');
const rec = (orgId: string, indicator: string, value: number, date = daysAgo(1)) => ({ clientId: randomUUID(), orgId, date, indicator, value });

describeEachDb('outreach record writer', (ctx, engine) => {
  let town: string, village: string;
  let reporter: Client & { userId: string };
  let district: Client & { userId: string };

  before(async () => {
    const c = ctx();
    town = await c.org(c.rootOrgId, 'township', '写入镇', 'XR');
    village = await c.org(town, 'village', '写入村', 'XR01');
    reporter = await c.user(village, ['reporter'], 'writer_rep');
    district = await c.user(c.rootOrgId, ['publicity'], 'writer_pub');
  });

  test('on SQLite, record groups go through the writer thread once it has started', { skip: engine !== 'sqlite' }, async () => {
    const writer = writerOf(ctx().kernel);
    assert.equal((await reporter.post('/api/outreach/records', { records: [rec(village, 'banners', 1)] })).status, 200);
    for (let i = 0; i < 300 && !writer.threadReady; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(writer.threadReady, true);
  });

  test('concurrent submissions, with repeats inside one burst and of earlier ones, count each clientId once; totals, roll-ups and the audit chain agree', async () => {
    const c = ctx();
    const earlier = rec(village, 'leaflets', 40);
    assert.equal((await reporter.post('/api/outreach/records', { records: [earlier] })).body.results[0].status, 'created');
    const fresh = Array.from({ length: 120 }, (_, i) => rec(village, i % 2 ? 'household_visits' : 'leaflets', 1 + (i % 7), daysAgo(1 + (i % 5))));
    // Each fresh record twice within the burst, plus the earlier one again; batches of several too.
    const posts = [
      ...fresh.map((r) => [r]),
      ...fresh.map((r) => [r]),
      [earlier],
      [fresh[0]!, fresh[1]!, rec(village, 'banners', 3)],
    ];
    const answers = await Promise.all(posts.map((records) => reporter.post('/api/outreach/records', { records })));
    assert.deepEqual(answers.map((a) => a.status).filter((s) => s !== 200), []);
    const byClient = new Map<string, Array<{ id: number; status: string }>>();
    for (const a of answers) for (const r of a.body.results) byClient.set(r.clientId, [...(byClient.get(r.clientId) ?? []), r]);
    for (const r of fresh) {
      const seen = byClient.get(r.clientId)!;
      assert.equal(seen.filter((s) => s.status === 'created').length, 1, r.clientId);
      assert.equal(new Set(seen.map((s) => s.id)).size, 1, 'every answer names the same id');
    }
    assert.deepEqual(byClient.get(earlier.clientId)!.map((s) => s.status), ['duplicate']);

    const from = daysAgo(10);
    const to = daysAgo(0);
    const sum = (indicator: string) => [earlier, ...fresh].filter((r) => r.indicator === indicator).reduce((n, r) => n + r.value, 0);
    for (const org of [village, town, c.rootOrgId]) {
      const t = await district.get(`/api/outreach/totals?orgId=${org}&from=${from}&to=${to}`);
      assert.equal(t.body.totals.leaflets, sum('leaflets'), org);
      assert.equal(t.body.totals.household_visits, sum('household_visits'), org);
    }
    const verify = await c.admin.get('/api/audit/verify');
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true);
    const created = await c.kernel.db
      .selectFrom('audit_events')
      .select('detail')
      .where('action', '=', 'outreach.records.create')
      .execute();
    const audited = created.reduce((n, e) => n + Number(JSON.parse(e.detail ?? '{}').created ?? 0), 0);
    const stored = await c.kernel.db.selectFrom('outreach_records').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(audited, Number(stored.n), 'every stored record is in an audit event');
  });

  test('corrections on the main connection while record groups are being written: no busy or stale-snapshot errors', async () => {
    const mine = await Promise.all(Array.from({ length: 10 }, () => reporter.post('/api/outreach/records', { records: [rec(village, 'banners', 2)] })));
    const ids = mine.map((m) => m.body.results[0].id as number);
    const answers = await Promise.all([
      ...Array.from({ length: 80 }, () => reporter.post('/api/outreach/records', { records: [rec(village, 'banners', 1)] })),
      ...ids.slice(0, 5).map((id) => reporter.delete(`/api/outreach/records/${id}`)),
      ...ids.slice(5).map((id) => reporter.put(`/api/outreach/records/${id}`, { date: daysAgo(2), indicator: 'banners', value: 4 })),
    ]);
    assert.deepEqual(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 204), []);
    const c = ctx();
    const raw = await c.kernel.db
      .selectFrom('outreach_records')
      .select((eb) => eb.fn.sum<number>('value_c').as('s'))
      .where('org_id', '=', village)
      .where('status', '=', 'counted')
      .executeTakeFirstOrThrow();
    const rolled = await c.kernel.db
      .selectFrom('outreach_rollups')
      .select((eb) => eb.fn.sum<number>('total_c').as('s'))
      .where('org_id', '=', village)
      .executeTakeFirstOrThrow();
    assert.equal(Number(rolled.s), Number(raw.s));
  });

  test('a main-connection transaction that reads, waits, then writes is never overtaken by a record group (no stale snapshot)', async () => {
    const c = ctx();
    // A machine client: its token is resolved from the cache, so its posts need no query of their own.
    const token = (await reporter.post('/api/auth/tokens', { name: 'writer-test' })).body.token as string;
    const phone = new Client(c.app, undefined, undefined, token);
    assert.equal((await phone.post('/api/outreach/records', { records: [rec(village, 'banners', 1)] })).status, 200);
    const slow = c.kernel.db.transaction().execute(async (trx) => {
      await trx.selectFrom('outreach_records').select('id').limit(1).execute();
      await new Promise((r) => setTimeout(r, 100));
      await c.kernel.audit.record({ actor: null, action: 'test.slow_transaction' }, trx);
    });
    await new Promise((r) => setTimeout(r, 10));
    const posts = await Promise.all(Array.from({ length: 20 }, () => phone.post('/api/outreach/records', { records: [rec(village, 'banners', 1)] })));
    await slow;
    assert.deepEqual(posts.map((p) => p.status).filter((s) => s !== 200), []);
    assert.equal((await c.admin.get('/api/audit/verify')).body.ok, true);
  });
});

