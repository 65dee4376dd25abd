import type { DbOrTrx } from '../../db/index.ts';
import type { OrgsTable } from '../../db/types.ts';

export const findOrg = (db: DbOrTrx, id: string) => db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();

export const findOrgByCode = (db: DbOrTrx, code: string) =>
  db.selectFrom('orgs').selectAll().where('code', '=', code).executeTakeFirst();

/** The subtree under rootId (itself included), parents before children. */
export const listSubtree = (db: DbOrTrx, rootId: string) =>
  db
    .selectFrom('orgs as o')
    .innerJoin('org_closure as c', 'c.descendant_id', 'o.id')
    .selectAll('o')
    .where('c.ancestor_id', '=', rootId)
    .orderBy('c.depth')
    .orderBy('o.code')
    .orderBy('o.name')
    .execute();

/** Insert an org and its closure rows (itself at depth 0, each ancestor of the parent one deeper). */
export async function insertOrg(db: DbOrTrx, row: OrgsTable) {
  await db.insertInto('orgs').values(row).execute();
  await db.insertInto('org_closure').values({ ancestor_id: row.id, descendant_id: row.id, depth: 0 }).execute();
  if (row.parent_id) {
    await db
      .insertInto('org_closure')
      .columns(['ancestor_id', 'descendant_id', 'depth'])
      .expression((eb) =>
        eb
          .selectFrom('org_closure')
          .select((s) => ['ancestor_id', s.val(row.id).as('descendant_id'), s(s.ref('depth'), '+', 1).as('depth')])
          .where('descendant_id', '=', row.parent_id!),
      )
      .execute();
  }
}

export const countChildren = async (db: DbOrTrx, id: string) =>
  Number((await db.selectFrom('orgs').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', id).executeTakeFirstOrThrow()).n);

export const countUsersIn = async (db: DbOrTrx, id: string) =>
  Number((await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', id).executeTakeFirstOrThrow()).n);

export async function deleteOrg(db: DbOrTrx, id: string) {
  await db.deleteFrom('org_closure').where('descendant_id', '=', id).execute();
  await db.deleteFrom('orgs').where('id', '=', id).execute();
}
