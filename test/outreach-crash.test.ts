// Nothing acknowledged is lost, and a retried write is not counted twice — across a crash.
// The real server runs as a child process on a temp SQLite folder; a client streams single- and
// multi-record submissions at it; the server is killed with SIGKILL mid-stream and restarted on
// the same folder; the client re-sends everything it had sent, acknowledged or not. Then every
// acknowledged record is there exactly once with the id it was given, the totals equal the sum
// of the unique records, the roll-ups equal the raw records, and the audit chain verifies.
// Most of the wall time is the two server starts (module loading costs several CPU seconds).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { HttpClient, loginHeaders, provisionReporter, startServer, type ServerProcess } from '../bench/lib.ts';
import { localDate } from '../src/server/kernel/time.ts';

const ADMIN_PASSWORD = 'Crash#Admin2026';
const ENV = { FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD, FRONTLINE_PASSWORD_HASH_COST: '11' };
const CODES = ['billboards', 'banners', 'leaflets', 'household_visits', 'group_messages', 'broadcast_hours'];
const CLIENTS = 16;

interface Rec {
  clientId: string;
  orgId: string;
  date: string;
  indicator: string;
  value: number;
}
interface Submission {
  records: Rec[];
  /** Set once the server answered 200; the ids it gave. */
  ackedIds?: number[];
  sent?: boolean;
}

test('records acknowledged before a kill -9 survive it exactly once; re-sending everything counts nothing twice', { timeout: 180_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-crash-'));
  let server: ServerProcess | undefined;
  const t0 = Date.now();
  const phases: string[] = [];
  const mark = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  try {
    server = await startServer({ dataDir, env: ENV });
    mark('started');
    let client = new HttpClient(server.port, { maxSockets: CLIENTS });
    const { villageId, token } = await provisionReporter(client, ADMIN_PASSWORD);
    const auth = { authorization: `Bearer ${token}` };
    mark('provisioned');

    // Values below 10 are never held for outlier review, so every record counts in the totals.
    let n = 0;
    const day = (k: number) => localDate(new Date(Date.now() - k * 86_400_000), 'Asia/Shanghai');
    const record = (): Rec => {
      const indicator = CODES[n % CODES.length]!;
      n++;
      return { clientId: randomUUID(), orgId: villageId, date: day(1 + (n % 7)), indicator, value: indicator === 'broadcast_hours' ? 1.5 : 1 + (n % 9) };
    };
    // Mostly one record per submission (a phone), every fifth a batch of 2–20 (a sync after being offline).
    const plan: Submission[] = Array.from({ length: 20_000 }, (_, i) => ({ records: Array.from({ length: i % 5 === 4 ? 2 + (i % 19) : 1 }, record) }));

    const post = (c: HttpClient, s: Submission) => c.post('/api/outreach/records', { records: s.records }, auth);
    let next = 0;
    let dead = false;
    const stream = async () => {
      while (!dead && next < plan.length) {
        const s = plan[next++]!;
        s.sent = true;
        try {
          const res = await post(client, s);
          if (res.status === 200) {
            assert.equal(res.body.results.length, s.records.length);
            assert.ok(res.body.results.every((r: any) => r.status === 'created'), 'first sending creates');
            s.ackedIds = res.body.results.map((r: any) => r.id);
          } else if (!dead) assert.fail(`unexpected ${res.status} ${JSON.stringify(res.body)}`);
        } catch (err) {
          if (!dead) throw err; // connection errors are expected only once the server is gone
        }
      }
    };
    const streaming = Promise.all(Array.from({ length: CLIENTS }, stream));
    // Kill after 1.5 s of streaming, later only if a busy machine has not answered 50 yet.
    const streamStart = Date.now();
    const ackedSoFar = () => plan.slice(0, next).filter((s) => s.ackedIds).length;
    while (Date.now() - streamStart < 1500 || (ackedSoFar() < 50 && Date.now() - streamStart < 20_000)) await new Promise((r) => setTimeout(r, 50));
    dead = true;
    server.proc.kill('SIGKILL');
    assert.equal((await server.exited).signal, 'SIGKILL');
    await streaming;
    client.close();
    mark('killed');

    const sent = plan.filter((s) => s.sent);
    const acked = sent.filter((s) => s.ackedIds);
    const unacked = sent.length - acked.length;
    assert.ok(acked.length >= 50, `a stream was running: ${acked.length} submissions acknowledged before the kill`);
    assert.ok(sent.length < plan.length, 'killed mid-stream');

    // Restart on the same folder and re-send everything that was sent, acknowledged or not.
    server = await startServer({ dataDir, env: ENV });
    mark('restarted');
    client = new HttpClient(server.port, { maxSockets: CLIENTS });
    let i = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (i < sent.length) {
          const s = sent[i++]!;
          const res = await post(client, s);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          res.body.results.forEach((r: any, k: number) => {
            if (s.ackedIds) {
              assert.equal(r.status, 'duplicate', 'an acknowledged record is not created again');
              assert.equal(r.id, s.ackedIds[k], 'and keeps the id it was acknowledged with');
            }
          });
          s.ackedIds ??= res.body.results.map((r: any) => r.id);
        }
      }),
    );

    mark('re-sent');

    // Totals through the API equal the sum of the unique records, per indicator.
    const all = sent.flatMap((s) => s.records);
    const expected: Record<string, number> = {};
    for (const r of all) expected[r.indicator] = (expected[r.indicator] ?? 0) + Math.round(r.value * 100);
    const totals = await client.get(`/api/outreach/totals?orgId=${villageId}&from=${day(10)}&to=${day(0)}`, auth);
    assert.equal(totals.status, 200);
    for (const code of CODES) assert.equal(Math.round((totals.body.totals[code] ?? 0) * 100), expected[code] ?? 0, code);

    // The audit chain is whole: the bootstrap admin holds auditor until another is appointed.
    const admin = await loginHeaders(client, 'admin', ADMIN_PASSWORD);
    const verify = await client.get('/api/audit/verify', admin);
    assert.equal(verify.status, 200);
    assert.equal(verify.body.ok, true, JSON.stringify(verify.body));
    client.close();
    await server.kill('SIGTERM');

    // The file itself: each sent record exactly once, no stray rows, roll-ups equal the records,
    // and the audit events account for every record created.
    const db = new SQLite(path.join(dataDir, 'frontline.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT id, client_id, indicator, value_c, status FROM outreach_records').all() as Array<{ id: number; client_id: string; indicator: string; value_c: number; status: string }>;
      const byClient = new Map(rows.map((r) => [r.client_id, r]));
      assert.equal(byClient.size, rows.length, 'no clientId twice');
      assert.equal(rows.length, all.length, 'exactly the records sent, each once');
      const ids = new Map(sent.flatMap((s) => s.records.map((r, k) => [r.clientId, s.ackedIds![k]!] as const)));
      for (const r of all) {
        const row = byClient.get(r.clientId);
        assert.ok(row, `record ${r.clientId} is stored`);
        assert.equal(row.id, ids.get(r.clientId));
        assert.equal(row.value_c, Math.round(r.value * 100));
        assert.equal(row.status, 'counted');
      }
      const mismatched = db
        .prepare(
          `SELECT r.indicator, r.date, r.s, u.total_c FROM
             (SELECT indicator, date, SUM(value_c) AS s FROM outreach_records WHERE org_id = ? AND status = 'counted' GROUP BY indicator, date) r
             LEFT JOIN outreach_rollups u ON u.org_id = ? AND u.indicator = r.indicator AND u.date = r.date
           WHERE u.total_c IS NULL OR u.total_c != r.s`,
        )
        .all(villageId, villageId);
      assert.deepEqual(mismatched, [], 'roll-ups equal the raw records');
      const created = db
        .prepare("SELECT COALESCE(SUM(json_extract(detail, '$.created')), 0) AS n FROM audit_events WHERE action = 'outreach.records.create'")
        .get() as { n: number };
      assert.equal(created.n, rows.length, 'every created record is in an audit event, committed with it');
    } finally {
      db.close();
    }
    mark('checked');
    console.log(`# crash test: ${acked.length} submissions acknowledged before SIGKILL, ${unacked} in flight, ${all.length} records after re-sending ${sent.length} submissions; ${phases.join(', ')}`);
  } finally {
    await server?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
