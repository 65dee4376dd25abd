// Roll-ups are read as ranges of one org's days (totals, day trends, coverage). On SQLite a rowid
// table keeps rows in insertion order — day after day, every org of the district interleaved — so
// reading one org's year through the primary-key index fetched a separate table page for nearly
// every row (≈ 3,650 for a year of ten indicators). WITHOUT ROWID stores the rows in primary-key
// order (org, date, indicator): the same year is a few dozen adjacent pages, and an upsert touches
// one b-tree instead of an index and a table. PostgreSQL keeps its heap table and primary key.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter.constructor.name === 'PostgresAdapter') return;
  await sql`CREATE TABLE outreach_rollups_clustered (
    org_id text NOT NULL,
    indicator text NOT NULL,
    date text NOT NULL,
    total_c bigint NOT NULL,
    records integer NOT NULL,
    CONSTRAINT outreach_rollups_pk PRIMARY KEY (org_id, date, indicator)
  ) WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO outreach_rollups_clustered (org_id, indicator, date, total_c, records)
    SELECT org_id, indicator, date, total_c, records FROM outreach_rollups`.execute(db);
  await sql`DROP TABLE outreach_rollups`.execute(db);
  await sql`ALTER TABLE outreach_rollups_clustered RENAME TO outreach_rollups`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The roll-up layout migration cannot be reverted.');
}
