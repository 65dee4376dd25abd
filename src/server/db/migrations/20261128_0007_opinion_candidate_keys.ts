// Cluster candidate keys move onto the representative rows: each row carries its org, its keys
// (space-separated key texts) and its shingle histogram (opinion.candidates.ts), and every app instance keeps an in-memory candidate index per org that
// it brings up to date from these rows (src/server/modules/opinion/opinion.candidates.ts). The
// key → representative table is dropped: a lookup no longer searches a B-tree that grows with the store,
// and an ingest writes one row per representative instead of one per (representative, key).
// Existing rows get their org from their cluster, and their keys and histogram recomputed from their
// normalised text (the text hash and MinHash bands; URL keys, kept only for link-only posts, cannot be
// recovered).
import { sql, type Kysely } from 'kysely';
import { shingleSet, signature } from '../../../text/simhash.ts';
import { asSignedSet } from '../../modules/opinion/opinion.analysis.ts';
import { encodeHistogram, histogramOf } from '../../modules/opinion/opinion.candidates.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('opinion_cluster_reps').addColumn('org_id', 'text').execute();
  await db.schema.alterTable('opinion_cluster_reps').addColumn('keys', 'text').execute();
  await db.schema.alterTable('opinion_cluster_reps').addColumn('hist', 'text').execute();
  await sql`UPDATE opinion_cluster_reps SET org_id = (SELECT org_id FROM opinion_clusters c WHERE c.id = opinion_cluster_reps.cluster_id)`.execute(db);
  for (let last = 0; ; ) {
    const rows: Array<{ id: number; norm_text: string }> = await db
      .selectFrom('opinion_cluster_reps')
      .select(['id', 'norm_text'])
      .where('id', '>', last)
      .orderBy('id')
      .limit(1000)
      .execute();
    if (!rows.length) break;
    for (const r of rows) {
      const keys = signature(r.norm_text).keys.filter((k) => !k.startsWith('b'));
      const set = asSignedSet(shingleSet(r.norm_text));
      await db.updateTable('opinion_cluster_reps').set({ keys: keys.join(' '), hist: encodeHistogram(set.length, histogramOf(set)) }).where('id', '=', r.id).execute();
      last = Number(r.id);
    }
  }
  await db.schema.createIndex('opinion_cluster_reps_org_id_idx').on('opinion_cluster_reps').columns(['org_id', 'id']).execute();
  await db.schema.dropTable('opinion_cluster_keys').execute();
}

export async function down(): Promise<void> {
  throw new Error('The opinion candidate-keys migration cannot be reverted.');
}
