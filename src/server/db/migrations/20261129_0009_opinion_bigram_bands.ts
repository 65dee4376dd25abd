// The MinHash bands of the candidate keys change (src/text/simhash.ts): 32 bands of 3 rows over
// character bigrams instead of 16 bands of 2 rows over trigrams. With two rows, common phrases made
// crowded keys as the store grew, and a post found its rewritten original less and less often (65 of
// 125 at a million stored posts). Every representative's sketch gets the new band keys, computed from
// its normalised text as the ingest now does; its text-hash key, URL keys, set size and histogram
// are kept (a URL is not in the normalised text, so it could not be computed again).
//
// Layout of a sketch's key hashes before this migration, as clusterKeys wrote them: the text hash,
// then 16 MinHash bands when the dedup form is not empty (none when it is), then the URL keys.
import { sql, type Kysely } from 'kysely';
import { decodeSketch, encodeSketch } from '../../modules/opinion/opinion.analysis.ts';
import { signature } from '../../../text/simhash.ts';

const OLD_BANDS = 16;

/**
 * The sketch of a representative with the current band keys; null to leave it as it is (not a
 * sketch, or one with the current keys already: rows that migration 0007 keyed with today's code).
 */
export function rekeyed(normText: string, sketch: Uint8Array | null): Buffer | null {
  const old = decodeSketch(sketch);
  if (!old) return null;
  // The text hash's key and the MinHash bands' (none for an empty dedup form), as the ingest computes them.
  const keys = signature(normText).hashes;
  if (old.hashes.length >= keys.length && keys.every((h, i) => old.hashes[i] === h)) return null;
  const bands = keys.length > 1 ? OLD_BANDS : 0;
  const urls = old.hashes.subarray(Math.min(old.hashes.length, 1 + bands));
  const hashes = new Uint32Array(keys.length + urls.length);
  hashes.set(keys);
  hashes.set(urls, keys.length);
  return encodeSketch(hashes, old.size, old.hist);
}

export async function up(db: Kysely<any>): Promise<void> {
  const isPg = db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
  for (let last = 0; ; ) {
    const rows: Array<{ id: number; norm_text: string; sketch: Uint8Array | null }> = await db
      .selectFrom('opinion_cluster_reps')
      .select(['id', 'norm_text', 'sketch'])
      .where('id', '>', last)
      .orderBy('id')
      .limit(2000)
      .execute();
    if (!rows.length) break;
    last = Number(rows[rows.length - 1]!.id);
    const changed = rows.flatMap((r) => {
      const sketch = rekeyed(r.norm_text, r.sketch);
      return sketch ? [{ id: Number(r.id), sketch }] : [];
    });
    if (!changed.length) continue;
    if (isPg) {
      // One statement per batch: a round trip per row would take minutes for a city's store.
      const values = sql.join(changed.map((c) => sql`(${c.id}::bigint, ${c.sketch}::bytea)`));
      await sql`UPDATE opinion_cluster_reps AS r SET sketch = v.sketch FROM (VALUES ${values}) AS v(id, sketch) WHERE r.id = v.id`.execute(db);
    } else {
      await db.transaction().execute(async (trx) => {
        for (const c of changed) await trx.updateTable('opinion_cluster_reps').set({ sketch: c.sketch }).where('id', '=', c.id).execute();
      });
    }
  }
}

export async function down(): Promise<void> {
  throw new Error('The opinion band-key migration cannot be reverted.');
}
