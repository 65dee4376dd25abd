import type { DbOrTrx } from '../../db/index.ts';
import type { UsersTable } from '../../db/types.ts';

export type UserRow = UsersTable;

export const findUserById = (db: DbOrTrx, id: string) =>
  db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();

export const findUserByUsername = (db: DbOrTrx, username: string) =>
  db.selectFrom('users').selectAll().where('username', '=', username.toLowerCase()).executeTakeFirst();

/** Users whose org lies in the subtree of `rootOrgId`. */
export const listUsersInSubtree = (db: DbOrTrx, rootOrgId: string) =>
  db
    .selectFrom('users as u')
    .innerJoin('org_closure as c', 'c.descendant_id', 'u.org_id')
    .leftJoin('login_failures as f', 'f.username', 'u.username')
    .selectAll('u')
    .select('f.locked_until as failure_locked_until')
    .where('c.ancestor_id', '=', rootOrgId)
    .orderBy('u.username')
    .execute();

export async function rolesByUser(db: DbOrTrx, userIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (userIds.length === 0) return map;
  // Chunked to stay under SQLite's bound-parameter limit.
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db.selectFrom('user_roles').select(['user_id', 'role']).where('user_id', 'in', userIds.slice(i, i + 500)).orderBy('role').execute();
    for (const r of rows) map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.role]);
  }
  return map;
}

export async function setRoles(db: DbOrTrx, userId: string, roles: readonly string[]) {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roles.length) await db.insertInto('user_roles').values(roles.map((role) => ({ user_id: userId, role }))).execute();
}

export const insertUser = (db: DbOrTrx, row: UsersTable) => db.insertInto('users').values(row).execute();

export const deleteSessionsOfUser = (db: DbOrTrx, userId: string) => db.deleteFrom('sessions').where('user_id', '=', userId).execute();

export const countActiveHolders = async (db: DbOrTrx, role: string) =>
  Number(
    (
      await db
        .selectFrom('user_roles as r')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('r.role', '=', role)
        .where('u.disabled', '=', 0)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Holders of a role other than `exceptUserId`, flagged bootstrap (the first admin). */
export const bootstrapHolders = (db: DbOrTrx, role: string) =>
  db
    .selectFrom('user_roles as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select('u.id')
    .where('r.role', '=', role)
    .where('u.bootstrap', '=', 1)
    .execute();
