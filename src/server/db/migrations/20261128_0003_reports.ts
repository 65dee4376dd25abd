// Generated reports: versioned wording templates and an archive of every generated document
// (parameters, the data's as-of time, a content hash and the bytes).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const isPg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  await db.schema
    .createTable('report_templates')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('parts', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_templates_pk', ['name', 'version'])
    .execute();
  await db.schema
    .createTable('report_archive')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('period_from', 'text', (c) => c.notNull())
    .addColumn('period_to', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('template_version', 'integer')
    .addColumn('as_of', 'text', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', isPg ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_archive_org_idx').on('report_archive').columns(['org_id', 'created_at']).execute();
}

export async function down(): Promise<void> {
  throw new Error('The reports migration cannot be reverted.');
}
