// Outreach ledger (社会宣传台账): the indicator catalogue, the records villages report, and
// roll-ups per (ancestor org × indicator × day) kept current in the same transaction as each write.
// Values are stored as integer hundredths (value_c), so totals are exact for decimal indicators.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const isPg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';

  await db.schema
    .createTable('outreach_indicators')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('decimals', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_per_record', 'bigint')
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  let records = db.schema.createTable('outreach_records');
  records = isPg
    ? records.addColumn('id', 'bigserial', (c) => c.primaryKey())
    : records.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await records
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('indicator', 'text', (c) => c.notNull().references('outreach_indicators.code'))
    .addColumn('value_c', 'bigint', (c) => c.notNull())
    .addColumn('note', 'text')
    // counted | pending_review | rejected | deleted
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('review_reason', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('import_id', 'text')
    .addColumn('replaces_id', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text')
    .execute();
  await db.schema.createIndex('outreach_records_org_date_idx').on('outreach_records').columns(['org_id', 'date']).execute();
  await db.schema.createIndex('outreach_records_status_idx').on('outreach_records').columns(['status', 'id']).execute();
  await db.schema.createIndex('outreach_records_creator_idx').on('outreach_records').columns(['created_by', 'id']).execute();

  await db.schema
    .createTable('outreach_rollups')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('total_c', 'bigint', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('outreach_rollups_pk', ['org_id', 'date', 'indicator'])
    .execute();

  await db.schema
    .createTable('outreach_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('file_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('preview', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .execute();

}

export async function down(): Promise<void> {
  throw new Error('The outreach migration cannot be reverted.');
}
