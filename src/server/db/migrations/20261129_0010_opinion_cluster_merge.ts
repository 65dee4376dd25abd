// Analysts merge clusters that are one claim in different words (paraphrases that character-level
// near-duplicate detection cannot join): a merged cluster keeps its row, marked with the cluster it
// went into, when and by whom, so that old links (alerts, briefs, bookmarks) lead to the claim, and
// an ingest that still finds one of its representatives in a stale cache follows the mark.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('opinion_clusters')
    .addColumn('merged_into', 'text')
    .execute();
  await db.schema.alterTable('opinion_clusters').addColumn('merged_at', 'text').execute();
  await db.schema.alterTable('opinion_clusters').addColumn('merged_by', 'text').execute();
  await db.schema.createIndex('opinion_clusters_merged_into').on('opinion_clusters').column('merged_into').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('opinion_clusters_merged_into').execute();
  for (const c of ['merged_by', 'merged_at', 'merged_into']) await db.schema.alterTable('opinion_clusters').dropColumn(c).execute();
}
