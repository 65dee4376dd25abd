// createDb(): one Kysely instance over embedded SQLite (a WAL file under the data folder) or
// PostgreSQL (when DATABASE_URL is set). Everything above this file is engine-agnostic.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import type { DB } from './types.ts';
import { migrations } from './migrations/index.ts';
import type { Worker } from 'node:worker_threads';
import { SAFETY_NET_PAGES, startCheckpointer } from './checkpointer.ts';

export type { DB } from './types.ts';
export type Engine = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
export type DbOrTrx = Kysely<DB> | Transaction<DB>;

// int8 (COUNT, SUM, bigint columns) arrive as strings from pg; every count here fits a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface Database {
  db: Db;
  engine: Engine;
  /** The SQLite file, for backup; undefined on PostgreSQL. */
  sqliteFile?: string;
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  sqliteSync?: 'normal' | 'full';
  poolSize?: number;
  /** Where background problems of the SQLite checkpointer go (default: console.warn). */
  warn?: (message: string) => void;
}

export class DbConnectError extends Error {
  constructor(readonly setting: string, message: string) {
    super(message);
  }
}

export async function createDb(opts: DbOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000 });
    pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing
    try {
      const c = await pool.connect();
      c.release();
    } catch (err) {
      await pool.end().catch(() => {});
      throw new DbConnectError('DATABASE_URL', `无法连接 PostgreSQL：${(err as Error).message}`);
    }
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, 'frontline.db');
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
  } catch (err) {
    throw new DbConnectError('FRONTLINE_DATA_DIR', `无法打开数据库文件 ${file}：${(err as Error).message}`);
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSync === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  // Checkpoints run on their own thread (checkpointer.ts); this connection only as a safety net.
  sqlite.pragma(`wal_autocheckpoint = ${SAFETY_NET_PAGES}`);
  let checkpointer: Worker | undefined;
  try {
    checkpointer = startCheckpointer(file, opts.sqliteSync ?? 'normal', opts.warn ?? ((m) => console.warn(m)));
  } catch (err) {
    (opts.warn ?? console.warn)(`WAL checkpointer thread not started; connections checkpoint by themselves: ${(err as Error).message}`);
  }
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    engine: 'sqlite',
    sqliteFile: file,
    sqlite,
    close: async () => {
      await checkpointer?.terminate();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; compiling SQL costs SQLite more than running a small
 * statement. The same query shapes recur (values are bound parameters), so keep the prepared
 * statements, least recently used dropped first. Kysely's one SQLite connection runs one
 * statement at a time, so a cached statement is never in use twice.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) cache.delete(sql);
      else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

/** Run pending migrations; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
