// Public-opinion monitoring (网络舆情): sources, posts (authors only as keyed hashes), near-duplicate
// clusters with their lookup keys, refutations, keyword groups, analyst labels, hourly counts,
// spike alerts and cases. Every table carries the owning org (the district office that ingests).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const isPg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  const serial = isPg ? 'bigserial' : 'integer';

  await db.schema
    .createTable('opinion_sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull()) // push | rss | upload
    .addColumn('url', 'text')
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('poll_minutes', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('next_poll_at', 'text')
    .addColumn('last_polled_at', 'text')
    .addColumn('last_ok_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('posts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('opinion_sources_org_name_uq', ['org_id', 'name'])
    .execute();

  await db.schema
    .createTable('opinion_clusters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('relevant', 'integer', (c) => c.notNull())
    .addColumn('sample_post_id', 'text', (c) => c.notNull())
    .addColumn('sample_text', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('refutation_id', 'text')
    .addColumn('reps', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('opinion_clusters_org_seen_idx').on('opinion_clusters').columns(['org_id', 'last_seen']).execute();

  // Representatives of a cluster (its first post and distinct variants, a few per cluster) and the
  // keys that find them: LSH bands of the SimHash, the normalised-text hash and URL hashes.
  await db.schema
    .createTable('opinion_cluster_reps')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('opinion_clusters.id'))
    .addColumn('simhash', 'text', (c) => c.notNull())
    .addColumn('norm_text', 'text', (c) => c.notNull())
    .execute();
  // Keys are 52-bit integers hashed from (org, key text): small, fast to compare, one B-tree on SQLite.
  await sql`CREATE TABLE opinion_cluster_keys (
    key ${sql.raw(isPg ? 'bigint' : 'integer')} NOT NULL,
    rep_id ${sql.raw(isPg ? 'bigint' : 'integer')} NOT NULL,
    PRIMARY KEY (key, rep_id)
  )${sql.raw(isPg ? '' : ' WITHOUT ROWID')}`.execute(db);

  await db.schema
    .createTable('opinion_refutations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('claim', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // draft | published
    .addColumn('content_id', 'text')
    .addColumn('posts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('opinion_posts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('author_hash', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('ingested_at', 'text', (c) => c.notNull())
    .addColumn('relevant', 'integer', (c) => c.notNull())
    .addColumn('relevance_score', 'real', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('groups', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('cluster_id', 'text', (c) => c.notNull())
    .addColumn('refutation_id', 'text')
    .addColumn('label_relevant', 'integer')
    .addColumn('label_category', 'text')
    .addColumn('labelled_by', 'text')
    .addColumn('labelled_at', 'text')
    .addUniqueConstraint('opinion_posts_source_ext_uq', ['org_id', 'source', 'external_id'])
    .execute();
  await db.schema.createIndex('opinion_posts_org_pub_idx').on('opinion_posts').columns(['org_id', 'published_at']).execute();
  await db.schema.createIndex('opinion_posts_cluster_idx').on('opinion_posts').columns(['cluster_id', 'published_at']).execute();

  // Analysts' labels in the order they were given: every instance replays them onto its model.
  await db.schema
    .createTable('opinion_labels')
    .addColumn('seq', serial, (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('post_id', 'text', (c) => c.notNull().references('opinion_posts.id'))
    .addColumn('relevant', 'integer', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('labelled_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('opinion_keyword_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('builtin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Hourly counts per series ('all', 'cat:<category>', 'grp:<group>'), kept in the ingest transaction.
  await db.schema
    .createTable('opinion_hourly')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('opinion_hourly_pk', ['org_id', 'series', 'hour'])
    .execute();

  await db.schema
    .createTable('opinion_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('series', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('baseline', 'real', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('top_cluster_id', 'text')
    .addColumn('webhook_status', 'text') // null (none configured) | pending | sent | failed
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('opinion_alerts_series_hour_uq', ['org_id', 'series', 'hour'])
    .execute();

  await db.schema
    .createTable('opinion_cases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('cluster_id', 'text')
    .addColumn('post_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull()) // new | verifying | responding | closed
    .addColumn('assignee_id', 'text')
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('refutation_id', 'text')
    .addColumn('outcome', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('opinion_cases_org_status_idx').on('opinion_cases').columns(['org_id', 'status', 'due_at']).execute();

  await db.schema
    .createTable('opinion_case_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'text', (c) => c.notNull().references('opinion_cases.id'))
    .addColumn('n', 'integer', (c) => c.notNull()) // order within the case
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('detail', 'text')
    .addColumn('by_user', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('opinion_case_actions_case_idx').on('opinion_case_actions').columns(['case_id', 'n']).unique().execute();
}

export async function down(): Promise<void> {
  throw new Error('The opinion migration cannot be reverted.');
}
