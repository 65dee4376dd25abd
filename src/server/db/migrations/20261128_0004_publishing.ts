// News and publishing (新闻宣传): content with versions and review comments, one delivery record
// per channel, events for first-release timing, press conferences, outside coverage, media files.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const isPg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  const bytes = isPg ? 'bytea' : 'blob';

  await db.schema
    .createTable('pub_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pub_content')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('theme', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('is_repost', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source_name', 'text')
    .addColumn('source_url', 'text')
    .addColumn('event_id', 'text', (c) => c.references('pub_events.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('approver_id', 'text')
    .addColumn('scheduled_at', 'text')
    .addColumn('published_at', 'text')
    .addColumn('correction_note', 'text')
    .addColumn('search_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pub_content_status_idx').on('pub_content').columns(['status', 'published_at']).execute();
  await db.schema.createIndex('pub_content_org_idx').on('pub_content').columns(['org_id', 'updated_at']).execute();

  await db.schema
    .createTable('pub_versions')
    .addColumn('content_id', 'text', (c) => c.notNull().references('pub_content.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('edited_by', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pub_versions_pk', ['content_id', 'version'])
    .execute();

  await db.schema
    .createTable('pub_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('content_id', 'text', (c) => c.notNull().references('pub_content.id'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pub_live_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('content_id', 'text', (c) => c.notNull().references('pub_content.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pub_live_content_idx').on('pub_live_entries').columns(['content_id', 'at']).execute();

  await db.schema
    .createTable('pub_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('content_id', 'text', (c) => c.notNull().references('pub_content.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('external_id', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('confirmed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('pub_deliveries_content_channel_uq', ['content_id', 'channel'])
    .execute();

  await db.schema
    .createTable('pub_press_conferences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('held_at', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('speakers', 'text', (c) => c.notNull())
    .addColumn('topics', 'text', (c) => c.notNull())
    .addColumn('live_content_id', 'text', (c) => c.references('pub_content.id'))
    .addColumn('release_content_id', 'text', (c) => c.references('pub_content.id'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pub_coverage')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('outlet', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('published_on', 'text', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pub_coverage_org_idx').on('pub_coverage').columns(['org_id', 'published_on']).execute();

  await db.schema
    .createTable('pub_media')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('The publishing migration cannot be reverted.');
}
