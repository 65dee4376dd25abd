// Queries of the Excel round-trip: the orgs a sheet may name, stored import previews.
import type { DbOrTrx } from '../../db/index.ts';
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
