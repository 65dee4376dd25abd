// Migration 0008 on SQLite and PostgreSQL: representatives stored by migration 0007 (key texts and a
// base64 histogram) get the sketch the ingest writes today, and the candidate index read from them
// finds what an index of the same posts built in memory finds.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { createDb, migrateToLatest, type Engine } from '../../db/index.ts';
import { migrations } from '../../db/migrations/index.ts';
import { ENGINES, freshDatabaseEnv, PG_URL } from '../../testing/harness.ts';
import { loadCorpus } from '../../../text/corpus/index.ts';
import { analyse } from '../../../text/pipeline.ts';
import { analysePost, clusterKeys, decodeSketch, encodeSketch } from './opinion.analysis.ts';
import { dedupForm } from '../../../text/simhash.ts';
import { mulberry32 } from '../../../text/random.ts';
import { CandidateIndex, encodeHistogram, KeyKind } from './opinion.candidates.ts';

const texts = loadCorpus().all.slice(0, 120).map((e) => e.text);

/** A fresh database migrated up to `migration`, with the org (o1) and the cluster (c1) that representative rows point to. */
async function databaseAt(engine: Engine, migration: string) {
  const fresh = await freshDatabaseEnv(engine);
  const database = await createDb({ databaseUrl: fresh.env.DATABASE_URL, dataDir: fresh.env.FRONTLINE_DATA_DIR! });
  const close = async () => {
    await database.close();
    await fresh.drop();
  };
  try {
    const db = database.db;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });
    const to = await migrator.migrateTo(migration);
    if (to.error) throw to.error;
    const now = '2026-02-10T06:30:00.000Z';
    await db.insertInto('orgs').values({ id: 'o1', parent_id: null, name: '青石区', kind: 'district', code: null, created_at: now, updated_at: now }).execute();
    await db
      .insertInto('opinion_clusters')
      .values({ id: 'c1', org_id: 'o1', size: texts.length, category: 'other', relevant: 0, sample_post_id: 'p1', sample_text: texts[0]!, first_seen: now, last_seen: now, refutation_id: null, reps: texts.length, created_at: now, updated_at: now })
      .execute();
    return { db, migrator, close };
  } catch (e) {
    await close();
    throw e;
  }
}

for (const engine of ENGINES) {
  describe(`migration 0008: representative sketches [${engine}]`, { skip: engine === 'postgres' && !PG_URL ? 'PostgreSQL 未就绪（FRONTLINE_TEST_PG_URL 未设置）' : false }, () => {
    test('rows written by migration 0007 are converted to the sketches the ingest writes', async () => {
      const { db, migrator, close } = await databaseAt(engine, '20261128_0007_opinion_candidate_keys');
      try {
        // As the ingest of migration 0007 stored them: key texts and a base64 size + histogram (one row without either).
        const analysed = texts.map((t) => ({ a: analysePost(t), keys: clusterKeys(analyse(t)) }));
        for (const { a, keys } of analysed) {
          await (db as any)
            .insertInto('opinion_cluster_reps')
            .values({ org_id: 'o1', cluster_id: 'c1', simhash: a.simhash, norm_text: a.normalized, keys: keys.join(' '), hist: encodeHistogram(a.set.length, a.hist) })
            .execute();
        }
        await (db as any).insertInto('opinion_cluster_reps').values({ org_id: 'o1', cluster_id: 'c1', simhash: '0', norm_text: '', keys: null, hist: null }).execute();

        // To 0008 only: 0009 then replaces the bands (the next test).
        const to8 = await migrator.migrateTo('20261129_0008_opinion_rep_sketch');
        if (to8.error) throw to8.error;
        assert.deepEqual(to8.results?.map((r) => r.migrationName), ['20261129_0008_opinion_rep_sketch']);
        const rows = await db.selectFrom('opinion_cluster_reps').selectAll().orderBy('id').execute();
        assert.equal(rows.length, texts.length + 1);
        assert.ok(!('keys' in rows[0]!) && !('hist' in rows[0]!), 'the text columns are gone');
        const stored = new CandidateIndex();
        const built = new CandidateIndex();
        rows.slice(0, texts.length).forEach((r, i) => {
          const a = analysed[i]!.a;
          const k = decodeSketch(r.sketch)!;
          assert.deepEqual([...k.hashes], Array.from(a.hashed.hashes), `row ${i}: key hashes`);
          assert.equal(k.size, a.set.length);
          assert.deepEqual([...k.hist], [...a.hist]);
          stored.add(Number(r.id), k.hashes, k.size, k.hist);
          built.add(Number(r.id), a.hashed.hashes, a.set.length, a.hist);
        });
        // The row without keys or histogram: a sketch with no keys, and a histogram that never refuses.
        const empty = decodeSketch(rows[texts.length]!.sketch)!;
        assert.equal(empty.hashes.length, 0);
        assert.ok(empty.hist.every((b) => b === 0xff));
        for (const { a } of analysed.slice(0, 30)) assert.deepEqual(stored.lookup(a.hashed, 32), built.lookup(a.hashed, 32));
        // Keyed by today's code (as migration 0007 does on an older database), the sketches are left as they are by 0009.
        assert.equal((await migrateToLatest(db))[0], '20261129_0009_opinion_bigram_bands');
        const after9 = await db.selectFrom('opinion_cluster_reps').select(['id', 'sketch']).orderBy('id').execute();
        const hex = (r: { sketch: Uint8Array | null }) => Buffer.from(r.sketch!).toString('hex');
        assert.deepEqual(after9.slice(0, texts.length).map(hex), rows.slice(0, texts.length).map(hex));
      } finally {
        await close();
      }
    });
  });
}

for (const engine of ENGINES) {
  describe(`migration 0009: bigram MinHash bands [${engine}]`, { skip: engine === 'postgres' && !PG_URL ? 'PostgreSQL 未就绪（FRONTLINE_TEST_PG_URL 未设置）' : false }, () => {
    test('sketches stored with the old bands get the new ones; text-hash and URL keys, size and histogram are kept', async () => {
      const { db, close } = await databaseAt(engine, '20261129_0008_opinion_rep_sketch');
      try {
        // Link-only posts (URL keys after the bands, or with no band at all) among ordinary ones.
        const all = [...texts.slice(0, 60), '看这个 https://t.cn/A6pL0vZk', 'https://mp.weixin.qq.com/s/xyz', ...texts.slice(60)];
        const rand = mulberry32(3);
        const analysed = all.map((t) => analysePost(t));
        for (const a of analysed) {
          // As the ingest stored them before: the text hash, 16 bands (other values), the URL keys.
          const urls = Array.from(a.hashed.hashes).filter((_, i) => a.hashed.kinds[i] === KeyKind.Url);
          const bands = dedupForm(a.normalized).length > 0 ? Array.from({ length: 16 }, () => Math.floor(rand() * 2 ** 32)) : [];
          const old = encodeSketch([a.hashed.hashes[0]!, ...bands, ...urls], a.set.length, a.hist);
          await db.insertInto('opinion_cluster_reps').values({ org_id: 'o1', cluster_id: 'c1', simhash: a.simhash, norm_text: a.normalized, sketch: old }).execute();
        }
        await db.insertInto('opinion_cluster_reps').values({ org_id: 'o1', cluster_id: 'c1', simhash: '0', norm_text: 'x', sketch: null }).execute();
        assert.ok(analysed.some((a) => Array.from(a.hashed.kinds).includes(KeyKind.Url) && a.hashed.hashes.length > 2), 'a URL key after bands');
        assert.ok(analysed.some((a) => a.hashed.hashes.length === 2 && a.hashed.kinds[1] === KeyKind.Url), 'a URL key without bands');

        assert.equal((await migrateToLatest(db))[0], '20261129_0009_opinion_bigram_bands');
        const rows = await db.selectFrom('opinion_cluster_reps').selectAll().orderBy('id').execute();
        const stored = new CandidateIndex();
        const built = new CandidateIndex();
        rows.slice(0, all.length).forEach((r, i) => {
          const a = analysed[i]!;
          const k = decodeSketch(r.sketch)!;
          assert.deepEqual([...k.hashes], Array.from(a.hashed.hashes), `row ${i}: key hashes as the ingest computes them now`);
          assert.equal(k.size, a.set.length);
          assert.deepEqual([...k.hist], [...a.hist]);
          stored.add(Number(r.id), k.hashes, k.size, k.hist);
          built.add(Number(r.id), a.hashed.hashes, a.set.length, a.hist);
        });
        assert.equal(rows[all.length]!.sketch, null, 'a row without a sketch is left as it is');
        for (const a of analysed.slice(0, 30)) assert.deepEqual(stored.lookup(a.hashed, 32), built.lookup(a.hashed, 32));
      } finally {
        await close();
      }
    });
  });
}
