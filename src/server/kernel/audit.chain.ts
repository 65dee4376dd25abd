// The audit chain itself, apart from the AuditLog class (and so without the query builder): the
// canonical form of an event, its hash, the rows a batch of events becomes after a given head, and
// appending them on a raw SQLite connection. The record writer's thread uses these directly.
import type SQLite from 'better-sqlite3';
import type { AuditEventsTable } from '../db/types.ts';
import crypto from 'node:crypto';
import { digestHex, type ChainAlgo } from './crypto.ts';

export const GENESIS_HASH = '0'.repeat(64);
export const HEAD_KEY = 'audit_head';

export interface AuditActor {
  userId: string | null;
  username: string;
  ip?: string | null;
}

export interface AuditInput {
  actor: AuditActor | null;
  action: string;
  target?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  ip?: string | null;
  /** Small, non-personal facts (ids, field names); never request bodies or passwords. */
  detail?: Record<string, unknown>;
}

type EventFields = Omit<AuditEventsTable, 'hash' | 'prev_hash'>;

function canonical(e: EventFields): string {
  return JSON.stringify([e.seq, e.at, e.actor_id, e.actor, e.action, e.target, e.outcome, e.ip, e.detail, e.algo]);
}

// crypto.hash (Node ≥ 20.12) is the one-shot form of createHash().update().digest(): the same
// digest at half the cost, which matters at one event per submitted record.
const oneShot = (crypto as { hash?: (algo: string, data: string, enc: 'hex') => string }).hash;

export function chainHash(algo: ChainAlgo, prevHash: string, e: EventFields): string {
  const data = `${prevHash}\n${canonical(e)}`;
  return oneShot ? oneShot(algo, data, 'hex') : digestHex(algo, data);
}

/** The chained rows for `inputs` after `head`; returns them with the new head. Pure. */
export function chainRows(algo: ChainAlgo, head: { seq: number; hash: string }, at: string, inputs: AuditInput[]) {
  let prev = head.hash;
  let seq = head.seq;
  const rows: AuditEventsTable[] = inputs.map((i) => {
    const e: EventFields = {
      seq: ++seq,
      at,
      actor_id: i.actor?.userId ?? null,
      actor: i.actor?.username ?? 'system',
      action: i.action,
      target: i.target ?? null,
      outcome: i.outcome ?? 'ok',
      ip: i.ip ?? i.actor?.ip ?? null,
      detail: i.detail ? JSON.stringify(i.detail) : null,
      algo,
    };
    const hash = chainHash(algo, prev, e);
    const row = { ...e, prev_hash: prev, hash };
    prev = hash;
    return row;
  });
  return { rows, seq, hash: prev };
}

const sqliteStatements = new WeakMap<SQLite.Database, { head: SQLite.Statement; initHead: SQLite.Statement; insert: SQLite.Statement; setHead: SQLite.Statement }>();

/**
 * Append events on a raw SQLite connection that is inside a write transaction (the record writer's
 * group commit, on the main thread or in its worker). Synchronous; same rows as AuditLog.append.
 */
export function appendSqlite(raw: SQLite.Database, algo: ChainAlgo, at: string, inputs: AuditInput[]): void {
  let st = sqliteStatements.get(raw);
  if (!st) {
    st = {
      head: raw.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
      initHead: raw.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING'),
      insert: raw.prepare(
        'INSERT INTO audit_events (seq, at, actor_id, actor, action, target, outcome, ip, detail, algo, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setHead: raw.prepare('UPDATE settings SET value = ?, updated_at = ? WHERE key = ?'),
    };
    sqliteStatements.set(raw, st);
  }
  let value = st.head.get(HEAD_KEY) as string | undefined;
  if (value === undefined) {
    st.initHead.run(HEAD_KEY, JSON.stringify({ seq: 0, hash: GENESIS_HASH }), at);
    value = st.head.get(HEAD_KEY) as string;
  }
  const { rows, seq, hash } = chainRows(algo, JSON.parse(value), at, inputs);
  for (const r of rows) st.insert.run(r.seq, r.at, r.actor_id, r.actor, r.action, r.target, r.outcome, r.ip, r.detail, r.algo, r.prev_hash, r.hash);
  st.setHead.run(JSON.stringify({ seq, hash }), at, HEAD_KEY);
}
