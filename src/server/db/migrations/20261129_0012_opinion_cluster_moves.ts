// Analysts move posts between clusters (merging clusters, taking a post out of one). Every instance
// caches which cluster a representative belongs to; a per-org counter, raised by every such move,
// tells an instance's next ingest that its cache may be stale (it then reads the representatives
// again), so a move made on one instance holds on all of them.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('opinion_cluster_moves')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('gen', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('opinion_cluster_moves').execute();
}
