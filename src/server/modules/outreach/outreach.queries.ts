import type SQLite from 'better-sqlite3';
import type { DbOrTrx } from '../../db/index.ts';
import type { OutreachIndicatorsTable, OutreachRecordsTable } from '../../db/types.ts';
import type { Insertable } from 'kysely';

export const listIndicators = (db: DbOrTrx) => db.selectFrom('outreach_indicators').selectAll().orderBy('sort').orderBy('code').execute();

export const insertIndicators = (db: DbOrTrx, rows: OutreachIndicatorsTable[]) =>
  db.insertInto('outreach_indicators').values(rows).onConflict((oc) => oc.column('code').doNothing()).execute();

/** Ancestors of each org (itself included), deepest first. */
export async function ancestorsOf(db: DbOrTrx, orgIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  for (let i = 0; i < orgIds.length; i += 500) {
    const rows = await db
      .selectFrom('org_closure')
      .select(['descendant_id', 'ancestor_id', 'depth'])
      .where('descendant_id', 'in', orgIds.slice(i, i + 500))
      .orderBy('depth')
      .execute();
    for (const r of rows) map.set(r.descendant_id, [...(map.get(r.descendant_id) ?? []), r.ancestor_id]);
  }
  return map;
}

export type NewRecord = Insertable<OutreachRecordsTable>;

// On SQLite the hot write path skips the query builder: one prepared statement per database, run
// once per row inside the caller's transaction (same connection), is several times faster than
// compiling multi-row VALUES lists for the same work.
export interface SqliteWriteStatements {
  /** Inserts one record (positional, see insertRecordSqlite); returns its id, or nothing when the client_id exists already. */
  insert: SQLite.Statement;
  /** The id stored for a client_id (pluck). */
  idByClient: SQLite.Statement;
  /** Adds a delta to one roll-up row (positional, see applyRollupSqlite). */
  rollup: SQLite.Statement;
}
const statements = new WeakMap<SQLite.Database, SqliteWriteStatements>();
export function sqliteWriteStatements(raw: SQLite.Database): SqliteWriteStatements {
  let s = statements.get(raw);
  if (!s) {
    // Positional parameters: binding thirteen named ones from an object costs more than the insert's own B-tree work.
    s = {
      insert: raw.prepare(
        `INSERT INTO outreach_records (client_id, org_id, date, indicator, value_c, note, status, review_reason, source, import_id, replaces_id, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (client_id) DO NOTHING RETURNING id`,
      ),
      idByClient: raw.prepare('SELECT id FROM outreach_records WHERE client_id = ?').pluck(),
      rollup: raw.prepare(
        `INSERT INTO outreach_rollups (org_id, date, indicator, total_c, records) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (org_id, date, indicator) DO UPDATE SET total_c = outreach_rollups.total_c + excluded.total_c, records = outreach_rollups.records + excluded.records`,
      ),
    };
    statements.set(raw, s);
  }
  return s;
}

/** Insert one record through the prepared statement; its id, or undefined when its client_id exists already. */
export function insertRecordSqlite(st: SqliteWriteStatements, r: NewRecord): number | undefined {
  const row = st.insert.get(
    r.client_id, r.org_id, r.date, r.indicator, r.value_c, r.note ?? null, r.status, r.review_reason ?? null,
    r.source, r.import_id ?? null, r.replaces_id ?? null, r.created_by, r.created_at,
  ) as { id: number | bigint } | undefined;
  return row ? Number(row.id) : undefined;
}

export const applyRollupSqlite = (st: SqliteWriteStatements, d: RollupDelta) => st.rollup.run(d.org_id, d.date, d.indicator, d.total_c, d.records);
const prepared = sqliteWriteStatements;

/** Insert records; those whose client_id exists already are skipped. Returns the ids of the inserted. */
export async function insertRecords(db: DbOrTrx, rows: NewRecord[], raw?: SQLite.Database): Promise<Map<string, number>> {
  const created = new Map<string, number>();
  if (raw) {
    const st = prepared(raw);
    for (const r of rows) {
      const id = insertRecordSqlite(st, r);
      if (id !== undefined) created.set(r.client_id, id);
    }
    return created;
  }
  for (let i = 0; i < rows.length; i += 500) {
    const res = await db
      .insertInto('outreach_records')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.column('client_id').doNothing())
      .returning(['id', 'client_id'])
      .execute();
    for (const r of res) created.set(r.client_id, Number(r.id));
  }
  return created;
}

export async function idsByClientId(db: DbOrTrx, clientIds: string[]): Promise<Map<string, number>> {
  const map = new Map<string, number>();
  for (let i = 0; i < clientIds.length; i += 500) {
    const rows = await db.selectFrom('outreach_records').select(['id', 'client_id']).where('client_id', 'in', clientIds.slice(i, i + 500)).execute();
    for (const r of rows) map.set(r.client_id, Number(r.id));
  }
  return map;
}

export interface RollupDelta {
  org_id: string;
  indicator: string;
  date: string;
  total_c: number;
  records: number;
}

/** Add deltas to the roll-ups; keys must be unique within the call. */
export async function applyRollups(db: DbOrTrx, deltas: RollupDelta[], raw?: SQLite.Database) {
  if (raw) {
    const st = prepared(raw);
    for (const d of deltas) applyRollupSqlite(st, d);
    return;
  }
  for (let i = 0; i < deltas.length; i += 1000) {
    await db
      .insertInto('outreach_rollups')
      .values(deltas.slice(i, i + 1000))
      .onConflict((oc) =>
        oc.columns(['org_id', 'date', 'indicator']).doUpdateSet((eb) => ({
          total_c: eb(eb.ref('outreach_rollups.total_c'), '+', eb.ref('excluded.total_c')),
          records: eb(eb.ref('outreach_rollups.records'), '+', eb.ref('excluded.records')),
        })),
      )
      .execute();
  }
}

/** Recent counted values of one unit and indicator, newest first: the unit's own history. */
export const recentValues = (db: DbOrTrx, orgId: string, indicator: string, limit: number) =>
  db
    .selectFrom('outreach_records')
    .select('value_c')
    .where('org_id', '=', orgId)
    .where('indicator', '=', indicator)
    .where('status', '=', 'counted')
    .orderBy('date', 'desc')
    .limit(limit)
    .execute();

export const findRecord = (db: DbOrTrx, id: number) => db.selectFrom('outreach_records').selectAll().where('id', '=', id).executeTakeFirst();

/** Totals per indicator over the roll-ups of one org (its whole subtree), dates inclusive. */
export const totalsFor = (db: DbOrTrx, orgId: string, from: string, to: string) =>
  db
    .selectFrom('outreach_rollups')
    .select(['indicator', (eb) => eb.fn.sum<number>('total_c').as('total_c')])
    .where('org_id', '=', orgId)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .groupBy('indicator')
    .execute();

export const totalsByDay = (db: DbOrTrx, orgId: string, from: string, to: string) =>
  db
    .selectFrom('outreach_rollups')
    .select(['date', 'indicator', 'total_c'])
    .where('org_id', '=', orgId)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .orderBy('date')
    .execute();

export const totalsByChild = (db: DbOrTrx, orgId: string, from: string, to: string) =>
  db
    .selectFrom('orgs as o')
    .leftJoin('outreach_rollups as r', (j) =>
      j.onRef('r.org_id', '=', 'o.id').on('r.date', '>=', from).on('r.date', '<=', to),
    )
    .select(['o.id', 'o.name', 'o.kind', 'o.code', 'r.indicator', (eb) => eb.fn.sum<number>('r.total_c').as('total_c')])
    .where('o.parent_id', '=', orgId)
    .groupBy(['o.id', 'o.name', 'o.kind', 'o.code', 'r.indicator'])
    .orderBy('o.code')
    .orderBy('o.name')
    .execute();

/** Reporting units (villages, communities) under orgId with the last date each reported on or before asOf. */
export const lastReportDates = (db: DbOrTrx, orgId: string, asOf: string) =>
  db
    .selectFrom('org_closure as c')
    .innerJoin('orgs as o', 'o.id', 'c.descendant_id')
    .leftJoin('orgs as p', 'p.id', 'o.parent_id')
    // A correlated MAX per unit is one index seek on the roll-ups' (org_id, date, …) key; a LEFT JOIN
    // + GROUP BY read every roll-up row of every unit (~1M rows for a 300-village year: seconds).
    .select([
      'o.id',
      'o.name',
      'o.kind',
      'o.parent_id',
      'p.name as parent_name',
      (eb) => eb.selectFrom('outreach_rollups as r').select((e) => e.fn.max('r.date').as('d')).whereRef('r.org_id', '=', 'o.id').where('r.date', '<=', asOf).as('last_date'),
    ])
    .where('c.ancestor_id', '=', orgId)
    .where('o.kind', 'in', ['village', 'community'])
    .execute();

export function listRecords(
  db: DbOrTrx,
  q: { rootOrgId: string; from?: string; to?: string; indicator?: string; status?: string; createdBy?: string; limit: number; before?: number },
) {
  let query = db
    .selectFrom('outreach_records as r')
    .innerJoin('org_closure as c', (j) => j.onRef('c.descendant_id', '=', 'r.org_id').on('c.ancestor_id', '=', q.rootOrgId))
    .innerJoin('orgs as o', 'o.id', 'r.org_id')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .selectAll('r')
    .select(['o.name as org_name', 'u.display_name as creator_name'])
    .orderBy('r.id', 'desc')
    .limit(q.limit);
  if (q.from) query = query.where('r.date', '>=', q.from);
  if (q.to) query = query.where('r.date', '<=', q.to);
  if (q.indicator) query = query.where('r.indicator', '=', q.indicator);
  if (q.status) query = query.where('r.status', '=', q.status);
  else query = query.where('r.status', '!=', 'deleted');
  if (q.createdBy) query = query.where('r.created_by', '=', q.createdBy);
  if (q.before) query = query.where('r.id', '<', q.before);
  return query.execute();
}

