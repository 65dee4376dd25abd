// A cluster representative points at its post instead of keeping a copy of the post's normalised
// text: the representatives were the largest opinion table (109 MiB at 100,000 posts, more than the
// posts themselves), and most of it was that copy. New rows store the post's id and an empty
// norm_text (the column stays NOT NULL, so no table rebuild); the ingest normalises the post's text
// again when it has to verify a representative that is not in its cache. Existing rows keep their
// text and have no post id.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('opinion_cluster_reps').addColumn('post_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('opinion_cluster_reps').dropColumn('post_id').execute();
}
