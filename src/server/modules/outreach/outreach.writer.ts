// The record writer: group commit for outreach records. Submissions that arrive while a
// transaction is running wait and are written together in the next one — records, roll-ups for
// every ancestor org, and one audit event per submission — and each caller is answered only after
// that transaction committed. Many village phones posting one record each then cost a few
// statements per group instead of a dozen per record; nothing acknowledged is lost.
//
// On SQLite the group is written through prepared statements (writeGroupSqlite), by a worker
// thread with its own connection once that has started (outreach.writer.worker.ts), so that the
// event loop only parses, validates and answers while the second core writes; before it is ready,
// if it cannot start, and for imports and corrections (which write inside their own transactions)
// on the main connection. PostgreSQL goes through the query builder.
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../kernel/ts-worker.ts';
import type SQLite from 'better-sqlite3';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor, Kernel } from '../../kernel/index.ts';
import { appendSqlite, type AuditInput } from '../../kernel/audit.chain.ts';
import type { ChainAlgo } from '../../kernel/crypto.ts';
import type { Trx } from '../../db/index.ts';
import { iso } from '../../kernel/time.ts';
import {
  applyRollups,
  applyRollupSqlite,
  idsByClientId,
  insertRecords,
  insertRecordSqlite,
  sqliteWriteStatements,
  type NewRecord,
  type RollupDelta,
} from './outreach.queries.ts';
import type { Ancestry } from './outreach.ancestry.ts';
import type { GroupMessage, GroupReply, Outcome, WorkerSetup } from './outreach.writer.worker.ts';

export interface PreparedRecord {
  clientId: string;
  orgId: string;
  date: string;
  indicator: string;
  valueC: number;
  note: string | null;
  status: 'counted' | 'pending_review';
  reviewReason: string | null;
  source: 'entry' | 'import' | 'correction';
  importId?: string;
  replacesId?: number;
}

export interface WriteResult {
  clientId: string;
  id: number;
  status: 'created' | 'duplicate';
  review: boolean;
}

/** What a group transaction needs of one submission. */
export interface GroupItem {
  actor: Pick<Actor, 'userId' | 'username' | 'ip'>;
  records: PreparedRecord[];
  audit: Omit<AuditInput, 'actor'>;
}

interface Submission extends GroupItem {
  resolve: (r: WriteResult[]) => void;
  reject: (e: unknown) => void;
}

/** Most records one group transaction takes; the rest wait for the next. */
const GROUP_LIMIT = 5000;
/** Groups the writer thread may have at once: one being written and the next one waiting. */
const MAX_INFLIGHT = 2;
/** Longest the writer keeps the main connection while groups keep coming (see pump). */
const HOLD_MS = 50;

export class RecordWriter {
  private queue: Submission[] = [];
  private queuedRecords = 0;
  private scheduled = false;
  private drainingHere = false;
  private thread?: SqliteWriterThread;
  private closed = false;
  /** Kysely's SQLite connection while groups are with the writer thread (see pump). */
  private lock?: { since: number; release: () => void };
  private acquiring = false;
  private inflight = 0;
  private lastGroup = 1;
  /** Where the writer thread's failures are logged (set by the routes plugin). */
  log?: Pick<FastifyBaseLogger, 'warn' | 'error'>;

  constructor(
    private readonly kernel: Kernel,
    private readonly ancestry: Ancestry,
  ) {}

  /** Whether groups currently go through the writer thread (tests, diagnostics). */
  get threadReady(): boolean {
    return !!this.thread?.ready;
  }

  /** Stop the writer thread (the app is closing); later groups are written on the main connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.thread?.close();
  }

  submit(actor: Actor, records: PreparedRecord[], audit: Omit<AuditInput, 'actor'>): Promise<WriteResult[]> {
    // The thread starts with the first submission and takes over once it is ready.
    if (!this.thread && !this.closed && this.kernel.engine === 'sqlite' && this.kernel.database.sqliteFile) {
      this.thread = new SqliteWriterThread({ file: this.kernel.database.sqliteFile, sync: this.kernel.config.sqliteSync }, this.log ?? consoleLog);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ actor, records, audit, resolve, reject });
      this.queuedRecords += records.length;
      this.schedule();
    });
  }

  /** Pump on the next turn of the event loop, so that the requests of this turn join one group. */
  private schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private takeGroup(): Submission[] {
    const group: Submission[] = [];
    let size = 0;
    while (this.queue.length && (group.length === 0 || size + this.queue[0]!.records.length <= GROUP_LIMIT)) {
      const s = this.queue.shift()!;
      size += s.records.length;
      group.push(s);
    }
    this.queuedRecords -= size;
    return group;
  }

  /**
   * Move queued submissions on. With the writer thread: up to MAX_INFLIGHT groups at a time — the
   * next group goes out while one is being written as soon as half as many records wait as that
   * one has, so that the thread starts it right after its commit instead of waiting for the event
   * loop to answer and send again, and groups stay large enough to share their commit. While groups are with the thread this holds Kysely's one SQLite connection:
   * no transaction of the main connection is open while the thread writes, so none can read a
   * snapshot that a commit then makes stale, and the two connections never wait for each other's
   * write lock. After HOLD_MS of continuous writing the connection is let go once the groups in
   * flight are done (queries waiting for it go first), then taken again. Without the thread (not
   * started yet, failed, PostgreSQL) groups are written one at a time on the main connection.
   */
  private pump() {
    const thread = this.thread?.ready && !this.drainingHere ? this.thread : undefined;
    if (thread) {
      if (!this.lock) {
        if (!this.acquiring && this.queue.length) {
          this.acquiring = true;
          this.holdConnection().then(
            (lock) => {
              this.acquiring = false;
              this.lock = lock;
              this.pump();
            },
            (err) => {
              this.acquiring = false;
              for (const s of this.queue.splice(0)) s.reject(err);
              this.queuedRecords = 0;
            },
          );
        }
        return;
      }
      const fresh = Date.now() - this.lock.since < HOLD_MS;
      while (fresh && this.queue.length && this.inflight < MAX_INFLIGHT && (this.inflight === 0 || 2 * this.queuedRecords >= this.lastGroup)) {
        this.send(thread, this.takeGroup());
      }
    }
    if (this.lock && this.inflight === 0) {
      const lock = this.lock;
      this.lock = undefined;
      lock.release();
      if (this.queue.length) this.schedule();
      return;
    }
    if (!thread && !this.lock && !this.acquiring && this.inflight === 0 && !this.drainingHere && this.queue.length) void this.drainHere();
  }

  private send(thread: SqliteWriterThread, group: Submission[]) {
    this.inflight++;
    this.lastGroup = group.reduce((n, s) => n + s.records.length, 0);
    const subs: GroupItem[] = group.map((s) => ({ actor: { userId: s.actor.userId, username: s.actor.username, ip: s.actor.ip }, records: s.records, audit: s.audit }));
    thread.write({ subs, now: iso(this.kernel.clock()), algo: this.kernel.audit.algo }).then(
      (outcomes) => {
        this.inflight--;
        // The next group goes to the thread first; this group's callers are answered on the next turn.
        this.pump();
        setImmediate(() =>
          group.forEach((s, i) => {
            const o = outcomes[i]!;
            if (o.ok) s.resolve(o.results);
            else s.reject(Object.assign(new Error(o.error.message), o.error));
          }),
        );
      },
      (err) => {
        this.inflight--;
        group.forEach((s) => s.reject(err));
        this.pump();
      },
    );
  }

  /** Take Kysely's SQLite connection until release() (queued behind whoever waits for it already). */
  private holdConnection(): Promise<{ since: number; release: () => void }> {
    return new Promise((resolve, reject) => {
      this.kernel.db
        .connection()
        .execute(() => new Promise<void>((release) => resolve({ since: Date.now(), release })))
        .catch(reject);
    });
  }

  /** Groups on the main connection, one Kysely transaction each, until the queue is empty or the thread is ready. */
  private async drainHere() {
    this.drainingHere = true;
    try {
      while (this.queue.length && !this.thread?.ready) await this.writeHere(this.takeGroup());
    } finally {
      this.drainingHere = false;
    }
    if (this.queue.length) this.pump();
  }

  private async writeHere(group: Submission[]) {
    try {
      const results = await this.kernel.db.transaction().execute((trx) => this.apply(trx, group));
      group.forEach((s, i) => s.resolve(results[i]!));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One bad submission must not fail the others: retry each alone.
      for (const s of group) {
        try {
          s.resolve((await this.kernel.db.transaction().execute((trx) => this.apply(trx, [s])))[0]!);
        } catch (e) {
          s.reject(e);
        }
      }
    }
  }

  /** Write submissions inside trx; also used directly by imports and corrections. */
  async apply(trx: Trx, subs: GroupItem[]): Promise<WriteResult[][]> {
    const now = iso(this.kernel.clock());
    if (this.kernel.engine === 'sqlite') {
      // Statements on the raw connection run inside trx: Kysely's SQLite driver has this one
      // connection, held by trx until it commits.
      const ancestors = await this.ancestry.of(trx, [...new Set(subs.flatMap((s) => s.records.map((r) => r.orgId)))]);
      return writeGroupSqlite(this.kernel.database.sqlite!, subs, ancestors, now, this.kernel.audit.algo);
    }
    const { rows, firstByClient } = newRows(subs, now);
    const created = await insertRecords(trx, rows);
    const existing = await idsByClientId(trx, rows.filter((r) => !created.has(r.client_id)).map((r) => r.client_id));
    const counted = rows.filter((r) => created.has(r.client_id) && r.status === 'counted');
    await applyRollups(trx, await this.rollupDeltas(trx, counted.map((r) => ({ orgId: r.org_id, indicator: r.indicator, date: r.date, valueC: r.value_c }))));
    const results = resultsOf(subs, firstByClient, created, existing);
    await this.kernel.audit.recordMany(auditInputs(subs, results), trx);
    return results;
  }

  /** Roll-up deltas for every ancestor (the org itself included), merged so each key appears once. */
  async rollupDeltas(trx: Trx, items: RollupItem[], sign = 1): Promise<RollupDelta[]> {
    if (items.length === 0) return [];
    return mergeRollups(items, await this.ancestry.of(trx, [...new Set(items.map((i) => i.orgId))]), sign);
  }
}

type RollupItem = { orgId: string; indicator: string; date: string; valueC: number };

/** The rows to insert: the first record per clientId across the group. */
function newRows(subs: GroupItem[], now: string) {
  const firstByClient = new Map<string, PreparedRecord>();
  const rows: NewRecord[] = [];
  for (const s of subs) {
    for (const r of s.records) {
      if (firstByClient.has(r.clientId)) continue;
      firstByClient.set(r.clientId, r);
      rows.push({
        client_id: r.clientId,
        org_id: r.orgId,
        date: r.date,
        indicator: r.indicator,
        value_c: r.valueC,
        note: r.note ?? null,
        status: r.status,
        review_reason: r.reviewReason ?? null,
        source: r.source,
        import_id: r.importId ?? null,
        replaces_id: r.replacesId ?? null,
        created_by: s.actor.userId,
        created_at: now,
      });
    }
  }
  return { rows, firstByClient };
}

function resultsOf(subs: GroupItem[], firstByClient: Map<string, PreparedRecord>, created: Map<string, number>, existing: Map<string, number>): WriteResult[][] {
  const claimed = new Set<string>();
  return subs.map((s) =>
    s.records.map((r): WriteResult => {
      const id = created.get(r.clientId);
      // Within one group the first submission carrying a clientId creates it; later ones are duplicates.
      if (id !== undefined && !claimed.has(r.clientId) && firstByClient.get(r.clientId) === r) {
        claimed.add(r.clientId);
        return { clientId: r.clientId, id, status: 'created', review: r.status === 'pending_review' };
      }
      return { clientId: r.clientId, id: id ?? existing.get(r.clientId)!, status: 'duplicate', review: false };
    }),
  );
}

/** One audit event per submission: how many records it created, how many were duplicates, the id range. */
function auditInputs(subs: GroupItem[], results: WriteResult[][]): AuditInput[] {
  return subs.map((s, i) => {
    const res = results[i]!;
    let created = 0;
    let review = 0;
    let firstId = Infinity;
    let lastId = -Infinity;
    for (const r of res) {
      if (r.review) review++;
      if (r.status !== 'created') continue;
      created++;
      if (r.id < firstId) firstId = r.id;
      if (r.id > lastId) lastId = r.id;
    }
    return {
      ...s.audit,
      actor: s.actor,
      target: s.audit.target ?? s.records[0]?.orgId ?? null,
      detail: {
        ...s.audit.detail,
        created,
        duplicate: res.length - created,
        review,
        ...(created ? { firstId, lastId } : {}),
      },
    };
  });
}

/** Roll-up deltas for every ancestor (the org itself included), merged so each key appears once. */
export function mergeRollups(items: RollupItem[], ancestors: Map<string, string[]>, sign = 1): RollupDelta[] {
  const merged = new Map<string, RollupDelta>();
  for (const it of items) {
    for (const org of ancestors.get(it.orgId) ?? []) {
      const key = `${org}\u0000${it.date}\u0000${it.indicator}`;
      const d = merged.get(key);
      if (d) {
        d.total_c += sign * it.valueC;
        d.records += sign;
      } else merged.set(key, { org_id: org, indicator: it.indicator, date: it.date, total_c: sign * it.valueC, records: sign });
    }
  }
  // A fixed key order: concurrent writers on PostgreSQL lock roll-up rows in the same order (no deadlock).
  return [...merged.values()].sort((a, b) => (a.org_id < b.org_id ? -1 : a.org_id > b.org_id ? 1 : a.date < b.date ? -1 : a.date > b.date ? 1 : a.indicator < b.indicator ? -1 : a.indicator > b.indicator ? 1 : 0));
}

/**
 * Write a group on a raw SQLite connection that is inside a write transaction: records (a clientId
 * already stored is a duplicate), roll-ups of every ancestor, one chained audit event per
 * submission. Synchronous; the caller commits. `ancestors` must hold every org of the group.
 */
export function writeGroupSqlite(raw: SQLite.Database, subs: GroupItem[], ancestors: Map<string, string[]>, now: string, algo: ChainAlgo): WriteResult[][] {
  const st = sqliteWriteStatements(raw);
  const { rows, firstByClient } = newRows(subs, now);
  const created = new Map<string, number>();
  const existing = new Map<string, number>();
  const counted: RollupItem[] = [];
  for (const r of rows) {
    const id = insertRecordSqlite(st, r);
    if (id !== undefined) {
      created.set(r.client_id, id);
      if (r.status === 'counted') counted.push({ orgId: r.org_id, indicator: r.indicator, date: r.date, valueC: r.value_c as number });
    } else {
      const id = st.idByClient.get(r.client_id) as number | bigint | undefined;
      if (id !== undefined) existing.set(r.client_id, Number(id));
    }
  }
  for (const d of mergeRollups(counted, ancestors)) applyRollupSqlite(st, d);
  const results = resultsOf(subs, firstByClient, created, existing);
  appendSqlite(raw, algo, now, auditInputs(subs, results));
  return results;
}

/**
 * The main thread's handle on the writer thread. `ready` turns true once the thread has opened the
 * database; if the thread fails or exits, pending writes are rejected (their callers answer 500
 * and the client retries: a group that did commit then reports its records as duplicates) and
 * `ready` stays false, so the writer goes back to the main connection.
 */
const consoleLog = { warn: (o: object, msg: string) => console.warn(msg, o), error: (o: object, msg: string) => console.error(msg, o) } as Pick<FastifyBaseLogger, 'warn' | 'error'>;

class SqliteWriterThread {
  ready = false;
  private worker?: Worker;
  private nextId = 1;
  private pending = new Map<number, { resolve: (o: Outcome[]) => void; reject: (e: unknown) => void }>();

  constructor(setup: WorkerSetup, log: Pick<FastifyBaseLogger, 'warn' | 'error'>) {
    try {
      const worker = startTsWorker(new URL('./outreach.writer.worker.ts', import.meta.url), { workerData: setup });
      worker.unref();
      worker.on('message', (m: GroupReply | { ready: true }) => {
        if ('ready' in m) {
          this.ready = true;
          return;
        }
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.outcomes);
      });
      const fail = (err: unknown) => {
        if (this.worker !== worker) return;
        this.ready = false;
        this.worker = undefined;
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      worker.on('error', (err) => {
        log.error({ err }, 'outreach writer thread failed; writing on the main connection');
        fail(err);
      });
      worker.on('exit', (code) => fail(new Error(`outreach writer thread exited (${code})`)));
      this.worker = worker;
    } catch (err) {
      log.warn({ err }, 'outreach writer thread not started; writing on the main connection');
    }
  }

  write(m: Omit<GroupMessage, 'id'>): Promise<Outcome[]> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('outreach writer thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...m, id } satisfies GroupMessage);
    });
  }

  /** Let the groups in flight finish (at most a few seconds), then stop the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.ready = false;
    for (let waited = 0; this.pending.size && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error('outreach writer thread stopped'));
    this.pending.clear();
    await worker?.terminate();
  }
}
