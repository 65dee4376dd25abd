// The record writer: group commit for outreach records. Submissions that arrive while a
// transaction is running wait and are written together in the next one — records, roll-ups for
// every ancestor org, and one audit event per submission — and each caller is answered only after
// that transaction committed. Many village phones posting one record each then cost a few
// statements per group instead of a dozen per record; nothing acknowledged is lost.
import type { Actor, Kernel } from '../../kernel/index.ts';
import type { AuditInput } from '../../kernel/audit.ts';
import type { Trx } from '../../db/index.ts';
import { iso } from '../../kernel/time.ts';
import { applyRollups, idsByClientId, insertRecords, type NewRecord, type RollupDelta } from './outreach.queries.ts';
import type { Ancestry } from './outreach.ancestry.ts';

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

interface Submission {
  actor: Actor;
  records: PreparedRecord[];
  audit: Omit<AuditInput, 'actor'>;
  resolve: (r: WriteResult[]) => void;
  reject: (e: unknown) => void;
}

/** Most records one group transaction takes; the rest wait for the next. */
const GROUP_LIMIT = 5000;

export class RecordWriter {
  private queue: Submission[] = [];
  private draining = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly ancestry: Ancestry,
  ) {}

  submit(actor: Actor, records: PreparedRecord[], audit: Omit<AuditInput, 'actor'>): Promise<WriteResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ actor, records, audit, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // Let the requests of this turn of the event loop join the group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain() {
    try {
      while (this.queue.length) {
        const group: Submission[] = [];
        let size = 0;
        while (this.queue.length && (group.length === 0 || size + this.queue[0]!.records.length <= GROUP_LIMIT)) {
          const s = this.queue.shift()!;
          size += s.records.length;
          group.push(s);
        }
        try {
          const results = await this.kernel.db.transaction().execute((trx) => this.apply(trx, group));
          group.forEach((s, i) => s.resolve(results[i]!));
        } catch (err) {
          if (group.length === 1) {
            group[0]!.reject(err);
            continue;
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
    } finally {
      this.draining = false;
    }
  }

  /** Write submissions inside trx; also used directly by imports and corrections. */
  async apply(trx: Trx, subs: Array<Pick<Submission, 'actor' | 'records' | 'audit'>>): Promise<WriteResult[][]> {
    const now = iso(this.kernel.clock());
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
          note: r.note,
          status: r.status,
          review_reason: r.reviewReason,
          source: r.source,
          import_id: r.importId ?? null,
          replaces_id: r.replacesId ?? null,
          created_by: s.actor.userId,
          created_at: now,
        });
      }
    }
    const raw = this.kernel.engine === 'sqlite' ? this.kernel.database.sqlite : undefined;
    const created = await insertRecords(trx, rows, raw);
    const existing = await idsByClientId(trx, rows.filter((r) => !created.has(r.client_id)).map((r) => r.client_id));

    const counted = rows.filter((r) => created.has(r.client_id) && r.status === 'counted');
    await applyRollups(trx, await this.rollupDeltas(trx, counted.map((r) => ({ orgId: r.org_id, indicator: r.indicator, date: r.date, valueC: r.value_c }))), raw);

    const claimed = new Set<string>();
    const results = subs.map((s) =>
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
    await this.kernel.audit.recordMany(
      subs.map((s, i) => {
        const res = results[i]!;
        const ids = res.filter((r) => r.status === 'created').map((r) => r.id);
        return {
          ...s.audit,
          actor: s.actor,
          target: s.audit.target ?? s.records[0]?.orgId ?? null,
          detail: {
            ...s.audit.detail,
            created: ids.length,
            duplicate: res.length - ids.length,
            review: res.filter((r) => r.review).length,
            ...(ids.length ? { firstId: Math.min(...ids), lastId: Math.max(...ids) } : {}),
          },
        };
      }),
      trx,
    );
    return results;
  }

  /** Roll-up deltas for every ancestor (the org itself included), merged so each key appears once. */
  async rollupDeltas(trx: Trx, items: Array<{ orgId: string; indicator: string; date: string; valueC: number }>, sign = 1): Promise<RollupDelta[]> {
    if (items.length === 0) return [];
    const ancestors = await this.ancestry.of(trx, [...new Set(items.map((i) => i.orgId))]);
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
}
