import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeEachDb, createTestContext, PG_URL } from '../../testing/harness.ts';

describeEachDb('audit', (ctx, engine) => {
  test('logins, failures, denials and writes are recorded; the chain verifies', async () => {
    await ctx().anon.post('/api/auth/login', { username: 'admin', password: 'Wrong#2026pass' });
    const editor = await ctx().user(ctx().rootOrgId, ['editor'], 'ed1');
    assert.equal((await editor.get('/api/users')).status, 403);
    const events = (await ctx().admin.get('/api/audit?limit=100')).body.events;
    const seen = events.map((e: any) => `${e.action}:${e.outcome}`);
    for (const want of ['auth.login:failed', 'auth.login:ok', 'user.create:ok', 'denied.user.read:denied']) {
      assert.ok(seen.includes(want), `${want} in ${seen.join(',')}`);
    }
    const seqs = events.map((e: any) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a: number, b: number) => b - a), 'newest first');
    const v = await ctx().admin.get('/api/audit/verify');
    assert.equal(v.status, 200);
    assert.equal(v.body.ok, true);
    assert.ok(v.body.count >= events.length);
  });

  test('the database refuses to update or delete audit events', async () => {
    const db = ctx().kernel.db;
    await assert.rejects(db.updateTable('audit_events').set({ actor: 'mallory' }).where('seq', '=', 1).execute(), /append-only/);
    await assert.rejects(db.deleteFrom('audit_events').where('seq', '=', 1).execute(), /append-only/);
  });

  test('editing one row behind the triggers is detected by verify, at that row', async () => {
    const db = ctx().kernel.db;
    if (engine === 'postgres') {
      await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`.execute(db);
      await sql`UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`.execute(db);
      await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`.execute(db);
    } else {
      const raw = ctx().database.sqlite!;
      raw.exec('DROP TRIGGER audit_events_no_update');
      raw.prepare("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3").run();
    }
    const v = await ctx().admin.get('/api/audit/verify');
    assert.equal(v.body.ok, false);
    assert.equal(v.body.brokenAt, 3);
  });
});

for (const engine of ['sqlite', 'postgres'] as const) {
  test(`deleting a middle row or the newest rows is detected [${engine}]`, { skip: engine === 'postgres' && !PG_URL }, async () => {
    for (const where of ['middle', 'tail'] as const) {
      const ctx = await createTestContext(engine);
      try {
        for (let i = 0; i < 5; i++) await ctx.org(ctx.rootOrgId, 'township', `镇${i}`);
        const db = ctx.kernel.db;
        const max = Number((await db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);
        const victim = where === 'middle' ? 4 : max;
        if (engine === 'postgres') {
          await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(db);
          await sql`DELETE FROM audit_events WHERE seq = ${victim}`.execute(db);
        } else {
          ctx.database.sqlite!.exec('DROP TRIGGER audit_events_no_delete');
          ctx.database.sqlite!.prepare('DELETE FROM audit_events WHERE seq = ?').run(victim);
        }
        const result = await ctx.kernel.audit.verify();
        assert.equal(result.ok, false, where);
        assert.equal(result.brokenAt, victim, where);
      } finally {
        await ctx.close();
      }
    }
  });
}

test('FRONTLINE_CRYPTO=sm chains the audit log with SM3', async () => {
  const ctx = await createTestContext('sqlite', { env: { FRONTLINE_CRYPTO: 'sm' } });
  try {
    await ctx.org(ctx.rootOrgId, 'township', '国密镇');
    const rows = await ctx.kernel.db.selectFrom('audit_events').selectAll().execute();
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r.algo === 'sm3' && /^[0-9a-f]{64}$/.test(r.hash)));
    assert.equal((await ctx.kernel.audit.verify()).ok, true);
  } finally {
    await ctx.close();
  }
});
