// Tamper-evident audit log. Every event is chained to the previous one:
//   hash = H(prev_hash ‖ canonical(event)), H = SHA-256 or SM3 (FRONTLINE_CRYPTO=sm).
// The database refuses UPDATE/DELETE on audit_events (triggers), and the head of the chain
// (last seq and hash) is kept in `settings` and updated in the same transaction, so that
// removing the newest rows is detected as well as editing or removing any earlier one.
import { sql } from 'kysely';
import type { Db, DbOrTrx, Engine, Trx } from '../db/index.ts';
import type { ChainAlgo } from './crypto.ts';
import { iso, type Clock } from './time.ts';
import { chainHash, chainRows, GENESIS_HASH, HEAD_KEY, type AuditInput } from './audit.chain.ts';

export { chainHash, GENESIS_HASH } from './audit.chain.ts';
export type { AuditActor, AuditInput } from './audit.chain.ts';

export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly engine: Engine,
    /** The chain's digest: SHA-256, or SM3 with FRONTLINE_CRYPTO=sm. */
    readonly algo: ChainAlgo,
    private readonly clock: Clock,
  ) {}

  /** Append an event. Pass the service's transaction so the event commits with the change it records. */
  async record(input: AuditInput, trx?: Trx): Promise<void> {
    if (trx) return this.append(trx, input);
    await this.db.transaction().execute((t) => this.append(t, input));
  }

  /** Append several events in one go (one head lock, one multi-row insert): used by high-rate writers. */
  async recordMany(inputs: AuditInput[], trx: Trx): Promise<void> {
    if (inputs.length) await this.append(trx, inputs);
  }

  private async append(trx: DbOrTrx, input: AuditInput | AuditInput[]): Promise<void> {
    const inputs = Array.isArray(input) ? input : [input];
    const head = await this.lockHead(trx);
    const at = iso(this.clock());
    const { rows, seq, hash } = chainRows(this.algo, head, at, inputs);
    // Chunked to stay under SQLite's bound-parameter limit.
    for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('audit_events').values(rows.slice(i, i + 1000)).execute();
    await trx
      .updateTable('settings')
      .set({ value: JSON.stringify({ seq, hash }), updated_at: at })
      .where('key', '=', HEAD_KEY)
      .execute();
  }

    /** Read and lock the chain head; on PostgreSQL the row lock serialises appends across instances. */
  private async lockHead(trx: DbOrTrx): Promise<{ seq: number; hash: string }> {
    const select = trx.selectFrom('settings').select('value').where('key', '=', HEAD_KEY);
    let row = await (this.engine === 'postgres' ? select.forUpdate() : select).executeTakeFirst();
    if (!row) {
      const value = JSON.stringify({ seq: 0, hash: GENESIS_HASH });
      const insert = trx.insertInto('settings').values({ key: HEAD_KEY, value, updated_at: iso(this.clock()) });
      await insert.onConflict((oc) => oc.column('key').doNothing()).execute();
      row = await (this.engine === 'postgres' ? select.forUpdate() : select).executeTakeFirstOrThrow();
    }
    return JSON.parse(row.value);
  }

  /** Recompute the whole chain; reports the first sequence number that does not check out. */
  async verify(): Promise<{ ok: boolean; count: number; brokenAt?: number; reason?: string }> {
    let prevHash = GENESIS_HASH;
    let expectedSeq = 1;
    const batch = 5000;
    for (;;) {
      const rows = await this.db
        .selectFrom('audit_events')
        .selectAll()
        .where('seq', '>=', expectedSeq)
        .orderBy('seq')
        .limit(batch)
        .execute();
      for (const r of rows) {
        const seq = Number(r.seq);
        if (seq !== expectedSeq) return { ok: false, count: expectedSeq - 1, brokenAt: expectedSeq, reason: 'missing' };
        const { hash, prev_hash, ...fields } = r;
        const recomputed = chainHash(r.algo as ChainAlgo, prevHash, { ...fields, seq });
        if (prev_hash !== prevHash || hash !== recomputed) {
          return { ok: false, count: expectedSeq - 1, brokenAt: seq, reason: 'altered' };
        }
        prevHash = hash;
        expectedSeq++;
      }
      if (rows.length < batch) break;
    }
    const count = expectedSeq - 1;
    const headRow = await this.db.selectFrom('settings').select('value').where('key', '=', HEAD_KEY).executeTakeFirst();
    const head = headRow ? (JSON.parse(headRow.value) as { seq: number; hash: string }) : { seq: 0, hash: GENESIS_HASH };
    if (head.seq !== count || head.hash !== prevHash) {
      return { ok: false, count, brokenAt: Math.min(head.seq, count) + 1, reason: 'truncated' };
    }
    return { ok: true, count };
  }

  async list(q: { limit: number; action?: string; actor?: string; beforeSeq?: number }) {
    let query = this.db.selectFrom('audit_events').selectAll().orderBy('seq', 'desc').limit(q.limit);
    // Prefix match (e.g. "user." finds every user event) without LIKE-escaping differences between engines.
    if (q.action) query = query.where(sql<string>`substr(action, 1, ${q.action.length})`, '=', q.action);
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.beforeSeq) query = query.where('seq', '<', q.beforeSeq);
    return query.execute();
  }
}
