// WAL checkpoints on their own thread, for every writer of the SQLite database. A checkpoint copies
// committed pages from the write-ahead log into the database file and syncs both files; run by the
// committing connection (SQLite's default, every 1,000 pages) it made every few commits — a batch of
// posts, a group of outreach records — wait tens of milliseconds for the disk on the event loop. The
// connections now checkpoint only as a safety net (every 10,000 pages, should this thread stop), and
// this one runs a PASSIVE checkpoint, which never waits for or blocks readers and writers, every
// CHECKPOINT_EVERY_MS. It needs no TypeScript, so it is plain JavaScript and starts at once.
// Durability of commits is unchanged: a commit is in the log before it is acknowledged.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the write-ahead log into the database file. */
export const CHECKPOINT_EVERY_MS = 200;
/** Pages of log after which a connection checkpoints by itself (only if this thread is not running). */
export const SAFETY_NET_PAGES = 10_000;

export function startCheckpointer(file: string, sync: 'normal' | 'full', warn: (message: string) => void): Worker {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const Database = require(workerData.driver);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = ' + (workerData.sync === 'full' ? 'FULL' : 'NORMAL'));
    const tick = () => {
      try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
      setTimeout(tick, workerData.everyMs);
    };
    tick();`;
  const worker = new Worker(code, { eval: true, workerData: { file, sync, driver: createRequire(import.meta.url).resolve('better-sqlite3'), everyMs: CHECKPOINT_EVERY_MS } });
  worker.unref();
  worker.on('message', (message: string) => warn(`WAL checkpoint failed: ${message}`));
  worker.on('error', (err) => warn(`WAL checkpointer thread failed; connections checkpoint by themselves: ${err.message}`));
  return worker;
}
