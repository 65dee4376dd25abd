// The SQLite side of the record writer, on its own thread (and so on the second core): it opens its
// own connection to the database file and writes each group it is sent — records, roll-ups, audit
// events — in one BEGIN IMMEDIATE … COMMIT, then answers. The main thread acknowledges the
// submissions only after that answer, i.e. after COMMIT returned: an acknowledged record is as
// durable as with the in-process path (same file, same journal and synchronous settings).
//
// The main thread sends a group only while it holds Kysely's single SQLite connection, so no
// transaction of the main connection is open while this one writes (see SqliteWriterThread).
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { writeGroupSqlite, type GroupItem, type WriteResult } from './outreach.writer.ts';
import type { ChainAlgo } from '../../kernel/crypto.ts';

export interface WorkerSetup {
  file: string;
  sync: 'normal' | 'full';
}

export interface GroupMessage {
  id: number;
  subs: GroupItem[];
  now: string;
  algo: ChainAlgo;
}

export type Outcome = { ok: true; results: WriteResult[] } | { ok: false; error: { name: string; message: string; code?: string } };

export interface GroupReply {
  id: number;
  outcomes: Outcome[];
}

const { file, sync } = workerData as WorkerSetup;
const raw = new SQLite(file);
// The same settings as createDb() gives the main connection.
raw.pragma('journal_mode = WAL');
raw.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
raw.pragma('foreign_keys = ON');
raw.pragma('busy_timeout = 5000');
raw.pragma('temp_store = MEMORY');
// Checkpoints are the checkpointer thread's job (src/server/db/checkpointer.ts); this
// connection only checkpoints should the log grow past 10,000 pages (~40 MB) without it.
raw.pragma('wal_autocheckpoint = 10000');
// Ancestors of each org (itself first), cached: orgs never move in the tree (see outreach.ancestry.ts).
const closure = raw.prepare('SELECT ancestor_id FROM org_closure WHERE descendant_id = ? ORDER BY depth').pluck();
const ancestry = new Map<string, string[]>();
function ancestorsOf(subs: GroupItem[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of subs) {
    for (const r of s.records) {
      if (out.has(r.orgId)) continue;
      let list = ancestry.get(r.orgId);
      if (!list) {
        list = closure.all(r.orgId) as string[];
        if (list.length) ancestry.set(r.orgId, list);
      }
      out.set(r.orgId, list);
    }
  }
  return out;
}

const begin = raw.prepare('BEGIN IMMEDIATE');
const commit = raw.prepare('COMMIT');
const rollback = raw.prepare('ROLLBACK');

function inTransaction<T>(fn: () => T): T {
  begin.run();
  try {
    const result = fn();
    commit.run();
    return result;
  } catch (err) {
    if (raw.inTransaction) rollback.run();
    throw err;
  }
}

const describe = (err: unknown) => {
  const e = err as { name?: string; message?: string; code?: unknown };
  return { name: String(e?.name ?? 'Error'), message: String(e?.message ?? err), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
};

parentPort!.on('message', (m: GroupMessage) => {
  const ancestors = ancestorsOf(m.subs);
  let outcomes: Outcome[];
  try {
    outcomes = inTransaction(() => writeGroupSqlite(raw, m.subs, ancestors, m.now, m.algo)).map((results) => ({ ok: true, results }));
  } catch (err) {
    // One bad submission must not fail the others: each is retried alone.
    outcomes =
      m.subs.length === 1
        ? [{ ok: false, error: describe(err) }]
        : m.subs.map((s): Outcome => {
            try {
              return { ok: true, results: inTransaction(() => writeGroupSqlite(raw, [s], ancestors, m.now, m.algo))[0]! };
            } catch (e) {
              return { ok: false, error: describe(e) };
            }
          });
  }
  parentPort!.postMessage({ id: m.id, outcomes } satisfies GroupReply);
});
parentPort!.once('close', () => raw.close());
parentPort!.postMessage({ ready: true });
