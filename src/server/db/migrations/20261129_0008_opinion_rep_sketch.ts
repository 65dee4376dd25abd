// A cluster representative's candidate keys and shingle histogram move into one binary column,
// `sketch` (src/server/modules/opinion/opinion.analysis.ts encodeSketch: the keys' 32-bit hashes, the
// set size and the histogram). Every app instance reads all of an org's sketches into its candidate
// index after a restart: the key texts and base64 histograms of migration 0007 had to be split,
// hashed and decoded again (36 s for a million posts); a sketch is copied as it is. Existing rows are
// converted from those columns (the hashes are those the ingest computes), which are then dropped.
import { sql, type Kysely } from 'kysely';
import { encodeSketch } from '../../modules/opinion/opinion.analysis.ts';
import { decodeHistogram, HISTOGRAM_BYTES, hashKeys } from '../../modules/opinion/opinion.candidates.ts';

export async function up(db: Kysely<any>): Promise<void> {
  const isPg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  await db.schema.alterTable('opinion_cluster_reps').addColumn('sketch', isPg ? 'bytea' : 'blob').execute();
  const noBound = new Uint8Array(HISTOGRAM_BYTES).fill(0xff);
  for (let last = 0; ; ) {
    const rows: Array<{ id: number; keys: string | null; hist: string | null }> = await db
      .selectFrom('opinion_cluster_reps')
      .select(['id', 'keys', 'hist'])
      .where('id', '>', last)
      .orderBy('id')
      .limit(2000)
      .execute();
    if (!rows.length) break;
    for (const r of rows) {
      const h = (r.hist && decodeHistogram(r.hist)) || { size: 0, hist: noBound };
      const sketch = encodeSketch(hashKeys(r.keys ? r.keys.split(' ') : []).hashes, h.size, h.hist);
      await db.updateTable('opinion_cluster_reps').set({ sketch }).where('id', '=', r.id).execute();
      last = Number(r.id);
    }
  }
  await sql`ALTER TABLE opinion_cluster_reps DROP COLUMN keys`.execute(db);
  await sql`ALTER TABLE opinion_cluster_reps DROP COLUMN hist`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The opinion representative-sketch migration cannot be reverted.');
}
