// Durable job runner in the database: at-least-once delivery with leases, retries with
// exponential backoff, and one runner per job across instances (PostgreSQL: FOR UPDATE SKIP LOCKED;
// SQLite: a single writer, so the claiming UPDATE is atomic by itself).
// Recurring jobs are enqueued per time slot with a unique key, so N instances enqueue a slot once.
import os from 'node:os';
import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, DbOrTrx, Engine } from '../db/index.ts';
import type { JobsTable } from '../db/types.ts';
import { newId } from './crypto.ts';
import { addMs, iso, MINUTE, type Clock } from './time.ts';
import type { Selectable } from 'kysely';

export type JobRow = Selectable<JobsTable>;
export interface JobContext {
  job: JobRow;
  log: FastifyBaseLogger;
}
export type JobHandler = (payload: any, ctx: JobContext) => Promise<void>;

interface Registered {
  handler: JobHandler;
  leaseMs: number;
  maxAttempts: number;
}
interface Schedule {
  name: string;
  type: string;
  everyMs: number;
  payload: unknown;
}

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'dead'] as const;

/** 5 s, 10 s, 20 s … capped at one hour. */
export const backoffMs = (attempt: number) => Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 60 * MINUTE);

export class JobRunner {
  private readonly handlers = new Map<string, Registered>();
  private readonly schedules: Schedule[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = new Set<Promise<void>>();
  private stopped = true;
  readonly workerId = `${os.hostname()}:${process.pid}:${newId().slice(0, 8)}`;

  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
  ) {}

  register(type: string, handler: JobHandler, opts: { leaseMs?: number; maxAttempts?: number } = {}) {
    this.handlers.set(type, { handler, leaseMs: opts.leaseMs ?? 5 * MINUTE, maxAttempts: opts.maxAttempts ?? 5 });
  }

  /** Run `type` every `everyMs`, once per slot across all instances. */
  schedule(name: string, type: string, everyMs: number, payload: unknown = {}) {
    this.schedules.push({ name, type, everyMs, payload });
  }

  /** Enqueue a job; with a uniqueKey a second enqueue is a no-op and returns null. */
  async enqueue(
    db: DbOrTrx,
    type: string,
    payload: unknown,
    opts: { runAt?: Date; uniqueKey?: string; maxAttempts?: number } = {},
  ): Promise<string | null> {
    const now = iso(this.clock());
    const id = newId();
    const res = await db
      .insertInto('jobs')
      .values({
        id,
        type,
        payload: JSON.stringify(payload ?? {}),
        status: 'queued',
        run_at: opts.runAt ? iso(opts.runAt) : now,
        max_attempts: opts.maxAttempts ?? this.handlers.get(type)?.maxAttempts ?? 5,
        unique_key: opts.uniqueKey ?? null,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('unique_key').doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0 ? id : null;
  }

  async enqueueDueSchedules(): Promise<void> {
    const now = this.clock().getTime();
    for (const s of this.schedules) {
      const slot = Math.floor(now / s.everyMs) * s.everyMs;
      await this.enqueue(this.db, s.type, s.payload, { uniqueKey: `${s.name}@${new Date(slot).toISOString()}` });
    }
  }

  /** Claim due jobs (or jobs whose lease expired) for this worker. */
  async claim(limit: number): Promise<JobRow[]> {
    const now = this.clock();
    const nowIso = iso(now);
    const lease = iso(addMs(now, 5 * MINUTE));
    const lock = this.engine === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const types = [...this.handlers.keys()];
    if (types.length === 0) return [];
    const res = await sql<JobRow>`
      UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ${lease},
             locked_by = ${this.workerId}, updated_at = ${nowIso}
      WHERE id IN (
        SELECT id FROM jobs
        WHERE ((status IN ('queued', 'failed') AND run_at <= ${nowIso})
            OR (status = 'running' AND lease_until < ${nowIso}))
          AND type IN (${sql.join(types)})
        ORDER BY run_at
        LIMIT ${limit}
        ${lock})
      RETURNING *`.execute(this.db);
    return res.rows;
  }

  /** One polling round: enqueue due schedules, claim and run what is due. Returns jobs run. */
  async runOnce(limit = 5): Promise<number> {
    await this.enqueueDueSchedules();
    const jobs = await this.claim(limit);
    await Promise.all(jobs.map((j) => this.execute(j)));
    return jobs.length;
  }

  private async execute(job: JobRow): Promise<void> {
    const reg = this.handlers.get(job.type)!;
    const log = this.log.child({ jobId: job.id, jobType: job.type });
    // Keep the lease while a long job runs, so no other instance takes it over.
    const heartbeat = setInterval(() => {
      void this.db
        .updateTable('jobs')
        .set({ lease_until: iso(addMs(this.clock(), reg.leaseMs)) })
        .where('id', '=', job.id)
        .where('locked_by', '=', this.workerId)
        .execute()
        .catch(() => {});
    }, Math.max(1000, reg.leaseMs / 3));
    heartbeat.unref();
    try {
      await reg.handler(JSON.parse(job.payload), { job, log });
      await this.finish(job, { status: 'done', last_error: null });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const dead = job.attempts >= job.max_attempts;
      log.warn({ err: message, attempts: job.attempts }, dead ? 'job gave up' : 'job failed, will retry');
      await this.finish(job, {
        status: dead ? 'dead' : 'failed',
        last_error: message.slice(0, 2000),
        run_at: iso(addMs(this.clock(), backoffMs(job.attempts))),
      });
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async finish(job: JobRow, set: { status: string; last_error: string | null; run_at?: string }) {
    // Fenced by worker and attempt: a worker whose lease was taken over does not overwrite the new run.
    await this.db
      .updateTable('jobs')
      .set({ ...set, lease_until: null, locked_by: null, updated_at: iso(this.clock()) })
      .where('id', '=', job.id)
      .where('locked_by', '=', this.workerId)
      .where('attempts', '=', job.attempts)
      .execute();
  }

  start(pollMs = 1000) {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      const p = this.runOnce().then(
        () => {},
        (err) => this.log.error({ err: (err as Error).message }, 'job runner round failed'),
      );
      this.running.add(p);
      await p;
      this.running.delete(p);
      if (!this.stopped) this.timer = setTimeout(tick, pollMs);
    };
    this.timer = setTimeout(tick, 50);
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all(this.running);
  }

  async list(q: { status?: string; limit: number }) {
    let query = this.db.selectFrom('jobs').selectAll().orderBy('updated_at', 'desc').limit(q.limit);
    if (q.status) query = query.where('status', '=', q.status);
    return query.execute();
  }

  async retry(id: string): Promise<JobRow | undefined> {
    const now = iso(this.clock());
    return this.db
      .updateTable('jobs')
      .set({ status: 'queued', run_at: now, attempts: 0, last_error: null, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'dead'])
      .returningAll()
      .executeTakeFirst();
  }
}
