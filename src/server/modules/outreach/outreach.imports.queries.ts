// Queries of the Excel round-trip: the orgs a sheet may name, stored import previews, and the bulk
// statements that store a confirmed import (records, their roll-ups, the units' history).
import { sql } from 'kysely';
import type { DbOrTrx, Engine } from '../../db/index.ts';
import type { OutreachImportsTable } from '../../db/types.ts';

/** Every org in the subtree of rootId (itself included), shallow first, with its parent's name. */
export const subtreeOrgs = (db: DbOrTrx, rootId: string) =>
  db
    .selectFrom('org_closure as c')
    .innerJoin('orgs as o', 'o.id', 'c.descendant_id')
    .leftJoin('orgs as p', 'p.id', 'o.parent_id')
    .select(['o.id', 'o.code', 'o.name', 'o.kind', 'o.parent_id', 'p.name as parent_name', 'c.depth'])
    .where('c.ancestor_id', '=', rootId)
    .orderBy('c.depth')
    .orderBy('o.code')
    .orderBy('o.name')
    .execute();

/** Orgs anywhere whose code or id is one of keys (to tell "outside your subtree" from "unknown"). */
export async function orgsByKey(db: DbOrTrx, keys: string[]) {
  const out: Array<{ id: string; code: string | null; name: string }> = [];
  for (let i = 0; i < keys.length; i += 400) {
    const part = keys.slice(i, i + 400);
    out.push(
      ...(await db
        .selectFrom('orgs')
        .select(['id', 'code', 'name'])
        .where((eb) => eb.or([eb('code', 'in', part), eb('id', 'in', part)]))
        .execute()),
    );
  }
  return out;
}

export const orgCodes = async (db: DbOrTrx, ids: string[]) => {
  const map = new Map<string, string | null>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db.selectFrom('orgs').select(['id', 'code']).where('id', 'in', ids.slice(i, i + 500)).execute()) map.set(r.id, r.code);
  }
  return map;
};

/**
 * Client ids of import-derived records of these orgs within [from, to]: the only records an
 * upload can duplicate. Usually few or none, so a fresh file needs no per-record look-ups.
 */
export async function importedClientIds(db: DbOrTrx, orgIds: string[], from: string, to: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < orgIds.length; i += 500) {
    const rows = await db
      .selectFrom('outreach_records')
      .select('client_id')
      .where('org_id', 'in', orgIds.slice(i, i + 500))
      .where('date', '>=', from)
      .where('date', '<=', to)
      .where('client_id', 'like', 'imp:%')
      .execute();
    for (const r of rows) out.add(r.client_id);
  }
  return out;
}

export const insertImport = (db: DbOrTrx, row: OutreachImportsTable) => db.insertInto('outreach_imports').values(row).execute();

export const findImport = (db: DbOrTrx, id: string) => db.selectFrom('outreach_imports').selectAll().where('id', '=', id).executeTakeFirst();

/** Status and owner only: the preview column can be megabytes. */
export const findImportHead = (db: DbOrTrx, id: string) =>
  db.selectFrom('outreach_imports').select(['id', 'org_id', 'status', 'created_by']).where('id', '=', id).executeTakeFirst();

/** Mark confirmed (once): returns whether this call did it. */
export async function markConfirmed(db: DbOrTrx, id: string, at: string, preview: string): Promise<boolean> {
  const res = await db
    .updateTable('outreach_imports')
    .set({ status: 'confirmed', confirmed_at: at, preview })
    .where('id', '=', id)
    .where('status', '=', 'preview')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Unconfirmed previews created before `before` (ISO time); returns how many were deleted. */
export async function deleteStalePreviews(db: DbOrTrx, before: string): Promise<number> {
  const res = await db.deleteFrom('outreach_imports').where('status', '=', 'preview').where('created_at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

// ---- storing a confirmed import ----------------------------------------------------------------

/** One record of an import, in the column order of the bulk insert; the bulk statements take a JSON array of these. */
export type ImportedRecord = [
  clientId: string,
  orgId: string,
  date: string,
  indicator: string,
  valueC: number,
  note: string | null,
  status: 'counted' | 'pending_review',
  reviewReason: string | null,
];

export interface ImportedMeta {
  importId: string;
  createdBy: string;
  createdAt: string;
}

export interface InsertedSummary {
  created: number;
  review: number;
  firstId?: number;
  lastId?: number;
}

/**
 * The last `limit` counted values of each (org, indicator) pair, in one statement: a correlated
 * LIMIT per pair (SQLite) or a LATERAL join (PostgreSQL), each an index range on (org_id, date) read
 * newest first, as the single-record path reads one pair. Values come back unordered.
 */
export async function recentValuesOfPairs(db: DbOrTrx, engine: Engine, pairs: Array<[orgId: string, indicator: string]>, limit: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < pairs.length; i += 2000) {
    const json = JSON.stringify(pairs.slice(i, i + 2000));
    const { rows } =
      engine === 'sqlite'
        ? await sql<{ org_id: string; indicator: string; vals: string | null }>`
            SELECT p.value ->> 0 AS org_id, p.value ->> 1 AS indicator,
              (SELECT group_concat(h.value_c) FROM (
                SELECT r.value_c FROM outreach_records r
                WHERE r.org_id = p.value ->> 0 AND r.indicator = p.value ->> 1 AND r.status = 'counted'
                ORDER BY r.date DESC LIMIT ${limit}) h) AS vals
            FROM json_each(${json}) p`.execute(db)
        : await sql<{ org_id: string; indicator: string; vals: string | null }>`
            SELECT p.value ->> 0 AS org_id, p.value ->> 1 AS indicator, h.vals
            FROM json_array_elements(${json}::json) p
            CROSS JOIN LATERAL (
              SELECT string_agg(x.value_c::text, ',') AS vals FROM (
                SELECT r.value_c FROM outreach_records r
                WHERE r.org_id = p.value ->> 0 AND r.indicator = p.value ->> 1 AND r.status = 'counted'
                ORDER BY r.date DESC LIMIT ${limit}) x) h`.execute(db);
    for (const r of rows) out.set(`${r.org_id}\u0000${r.indicator}`, r.vals ? r.vals.split(',').map(Number) : []);
  }
  return out;
}

const INSERT_COLUMNS = sql`client_id, org_id, date, indicator, value_c, note, status, review_reason, source, import_id, replaces_id, created_by, created_at`;

/**
 * SQLite: insert the records of one chunk (`records`: a JSON array of ImportedRecord) in one
 * statement (unpacked by jsonb_each, so 20,000 records cost one call instead of 20,000), skipping
 * clientIds that exist. Must run inside the caller's write transaction, followed by
 * rollUpImportedSqlite with the returned `after`: the new records are exactly those with an id above
 * the largest before the insert (AUTOINCREMENT ids only grow; no other writer can interleave
 * within the transaction, the record writer's thread included, as it writes only while holding
 * the main connection).
 */
export async function insertImportedSqlite(trx: DbOrTrx, records: string, meta: ImportedMeta): Promise<InsertedSummary & { after: number }> {
  const after = Number((await sql<{ m: number | null }>`SELECT max(id) AS m FROM outreach_records`.execute(trx)).rows[0]?.m ?? 0);
  await sql`
    INSERT INTO outreach_records (${INSERT_COLUMNS})
    SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6, j.value ->> 7,
           'import', ${meta.importId}, NULL, ${meta.createdBy}, ${meta.createdAt}
    FROM jsonb_each(${records}) j WHERE true
    ON CONFLICT (client_id) DO NOTHING`.execute(trx);
  const [s] = (
    await sql<{ created: number; review: number | null; first_id: number | null; last_id: number | null }>`
      SELECT count(*) AS created, sum(status = 'pending_review') AS review, min(id) AS first_id, max(id) AS last_id
      FROM outreach_records WHERE id > ${after}`.execute(trx)
  ).rows;
  return {
    after,
    created: Number(s?.created ?? 0),
    review: Number(s?.review ?? 0),
    ...(s?.first_id != null ? { firstId: Number(s.first_id), lastId: Number(s.last_id) } : {}),
  };
}

/**
 * SQLite: add every counted record with an id above `after` to the roll-ups of each of its
 * ancestors (org_closure, the org itself included) per day and indicator — the same roll-up
 * maintenance as the record writer — aggregated by SQLite's sorter and applied once per key, in
 * key order.
 */
export async function rollUpImportedSqlite(trx: DbOrTrx, after: number): Promise<void> {
  await sql`
    INSERT INTO outreach_rollups (org_id, date, indicator, total_c, records)
    SELECT c.ancestor_id, r.date, r.indicator, sum(r.value_c), count(*)
    FROM outreach_records r JOIN org_closure c ON c.descendant_id = r.org_id
    WHERE r.id > ${after} AND r.status = 'counted'
    GROUP BY c.ancestor_id, r.date, r.indicator
    ORDER BY c.ancestor_id, r.date, r.indicator
    ON CONFLICT (org_id, date, indicator) DO UPDATE SET
      total_c = outreach_rollups.total_c + excluded.total_c, records = outreach_rollups.records + excluded.records`.execute(trx);
}

/**
 * PostgreSQL: the same in one statement — insert the chunk (`records`: a JSON array of
 * ImportedRecord, unpacked from jsonb), skipping clientIds that exist, and add the new counted
 * records to the roll-ups of every ancestor, aggregated per key. Records go in clientId order, so
 * two imports sharing records lock them in one order; roll-up rows in (org, date, indicator) byte
 * order, the order the record writer locks them in (it sorts keys as JavaScript strings). Must
 * run inside the caller's transaction (SET LOCAL). The two foreign-key checks per record are about
 * a third of the statement's time.
 */
export async function insertImportedPg(trx: DbOrTrx, records: string, meta: ImportedMeta): Promise<InsertedSummary> {
  // Both sorts of a 20,000-record chunk fit in memory with this (the default 4 MB spills to disk).
  await sql`SET LOCAL work_mem = '64MB'`.execute(trx);
  const { rows } = await sql<{ created: number; review: number; first_id: number | null; last_id: number | null }>`
    WITH ins AS (
      INSERT INTO outreach_records (${INSERT_COLUMNS})
      SELECT j ->> 0, j ->> 1, j ->> 2, j ->> 3, (j ->> 4)::bigint, j ->> 5, j ->> 6, j ->> 7,
             'import', ${meta.importId}, NULL, ${meta.createdBy}, ${meta.createdAt}
      FROM jsonb_array_elements(${records}::jsonb) j
      ORDER BY (j ->> 0) COLLATE "C"
      ON CONFLICT (client_id) DO NOTHING
      RETURNING id, org_id, date, indicator, value_c, status
    ), rolled AS (
      INSERT INTO outreach_rollups (org_id, date, indicator, total_c, records)
      SELECT c.ancestor_id, i.date, i.indicator, sum(i.value_c), count(*)
      FROM ins i JOIN org_closure c ON c.descendant_id = i.org_id
      WHERE i.status = 'counted'
      GROUP BY c.ancestor_id, i.date, i.indicator
      ORDER BY c.ancestor_id COLLATE "C", i.date COLLATE "C", i.indicator COLLATE "C"
      ON CONFLICT (org_id, date, indicator) DO UPDATE SET
        total_c = outreach_rollups.total_c + excluded.total_c, records = outreach_rollups.records + excluded.records
      RETURNING 1
    )
    SELECT count(*)::int AS created, (count(*) FILTER (WHERE status = 'pending_review'))::int AS review, min(id) AS first_id, max(id) AS last_id
    FROM ins`.execute(trx);
  const s = rows[0];
  return {
    created: Number(s?.created ?? 0),
    review: Number(s?.review ?? 0),
    ...(s?.first_id != null ? { firstId: Number(s.first_id), lastId: Number(s.last_id) } : {}),
  };
}
