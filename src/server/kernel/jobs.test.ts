import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { createDb, migrateToLatest, type Database } from '../db/index.ts';
import { freshDatabaseEnv, ENGINES, PG_URL } from '../testing/harness.ts';
import { JobRunner, backoffMs } from './jobs.ts';
import { MINUTE } from './time.ts';

const log = pino({ level: 'silent' });

for (const engine of ENGINES) {
  describe(`job runner [${engine}]`, { skip: engine === 'postgres' && !PG_URL ? 'PostgreSQL 未就绪' : false }, () => {
    let drop: () => Promise<void>;
    let a: Database;
    let b: Database;
    let now = new Date('2026-02-01T08:00:00Z');
    const clock = () => now;

    before(async () => {
      const fresh = await freshDatabaseEnv(engine);
      drop = fresh.drop;
      a = await createDb({ databaseUrl: fresh.env.DATABASE_URL, dataDir: fresh.env.FRONTLINE_DATA_DIR! });
      await migrateToLatest(a.db);
      // A second instance: its own connection pool on PostgreSQL; SQLite is one process by design.
      b = engine === 'postgres' ? await createDb({ databaseUrl: fresh.env.DATABASE_URL, dataDir: fresh.env.FRONTLINE_DATA_DIR! }) : a;
    });
    after(async () => {
      if (b !== a) await b.close();
      await a.close();
      await drop();
    });

    test('a job runs, is marked done, and a unique key enqueues once', async () => {
      const runner = new JobRunner(a.db, a.engine, clock, log);
      const seen: unknown[] = [];
      runner.register('t.echo', async (p) => void seen.push(p));
      assert.ok(await runner.enqueue(a.db, 't.echo', { n: 1 }, { uniqueKey: 'echo-1' }));
      assert.equal(await runner.enqueue(a.db, 't.echo', { n: 1 }, { uniqueKey: 'echo-1' }), null);
      assert.equal(await runner.runOnce(), 1);
      assert.deepEqual(seen, [{ n: 1 }]);
      assert.equal(await runner.runOnce(), 0);
      const [job] = await runner.list({ limit: 10 });
      assert.equal(job!.status, 'done');
    });

    test('a failing job retries with exponential backoff, then is given up (dead) and can be retried', async () => {
      const runner = new JobRunner(a.db, a.engine, clock, log);
      let calls = 0;
      runner.register('t.flaky', async () => {
        calls++;
        throw new Error(`第 ${calls} 次失败`);
      }, { maxAttempts: 3 });
      const id = (await runner.enqueue(a.db, 't.flaky', {}))!;
      assert.equal(await runner.runOnce(), 1);
      let row = await a.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'failed');
      assert.equal(row.last_error, '第 1 次失败');
      assert.equal(Date.parse(row.run_at) - now.getTime(), backoffMs(1));
      assert.equal(await runner.runOnce(), 0, 'not before the backoff');
      now = new Date(now.getTime() + backoffMs(1));
      assert.equal(await runner.runOnce(), 1);
      now = new Date(now.getTime() + backoffMs(2));
      assert.equal(await runner.runOnce(), 1);
      row = await a.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'dead');
      assert.equal(row.attempts, 3);
      now = new Date(now.getTime() + 60 * MINUTE);
      assert.equal(await runner.runOnce(), 0, 'dead jobs stay dead');
      assert.equal((await runner.retry(id))?.status, 'queued');
      assert.equal(await runner.runOnce(), 1);
      assert.equal(calls, 4);
    });

    test('a job whose runner died is taken over when its lease runs out (at-least-once)', async () => {
      const crashed = new JobRunner(a.db, a.engine, clock, log);
      const healthy = new JobRunner(b.db, b.engine, clock, log);
      let ran = 0;
      crashed.register('t.lease', async () => {});
      healthy.register('t.lease', async () => void ran++);
      const id = (await crashed.enqueue(a.db, 't.lease', {}))!;
      assert.equal((await crashed.claim(5)).length, 1, 'claimed, then the process dies');
      assert.equal(await healthy.runOnce(), 0, 'leased to the dead runner');
      now = new Date(now.getTime() + 6 * MINUTE);
      assert.equal(await healthy.runOnce(), 1);
      assert.equal(ran, 1);
      const row = await a.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'done');
      assert.equal(row.attempts, 2);
    });

    test('two runners on one database run each of 200 jobs exactly once', async () => {
      const counts = new Map<number, number>();
      const handler = async (p: { i: number }) => {
        counts.set(p.i, (counts.get(p.i) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 1));
      };
      const r1 = new JobRunner(a.db, a.engine, clock, log);
      const r2 = new JobRunner(b.db, b.engine, clock, log);
      r1.register('t.many', handler);
      r2.register('t.many', handler);
      for (let i = 0; i < 200; i++) await r1.enqueue(a.db, 't.many', { i });
      const drain = async (r: JobRunner) => {
        while ((await r.runOnce(7)) > 0);
      };
      await Promise.all([drain(r1), drain(r2), drain(r1), drain(r2)]);
      assert.equal(counts.size, 200);
      assert.ok([...counts.values()].every((c) => c === 1), 'no job ran twice');
    });

    test('a scheduled job runs once per slot however many instances poll', async () => {
      let ran = 0;
      const runners = [0, 1, 2, 3].map((i) => new JobRunner(i % 2 ? b.db : a.db, a.engine, clock, log));
      for (const r of runners) {
        r.register('t.tick', async () => void ran++);
        r.schedule('tick', 't.tick', 10 * MINUTE);
      }
      await Promise.all(runners.map((r) => r.runOnce()));
      await Promise.all(runners.map((r) => r.runOnce()));
      assert.equal(ran, 1);
      now = new Date(now.getTime() + 10 * MINUTE);
      await Promise.all(runners.map((r) => r.runOnce()));
      assert.equal(ran, 2, 'the next slot runs once more');
    });
  });
}
