import type { DbOrTrx } from '../../db/index.ts';
import type { SessionsTable } from '../../db/types.ts';

export const insertSession = (db: DbOrTrx, row: SessionsTable) => db.insertInto('sessions').values(row).execute();
export const deleteSession = (db: DbOrTrx, idHash: string) => db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();

/** Count one hit in the current window and return the window's total. */
export async function hitRateLimit(db: DbOrTrx, key: string, windowStart: string): Promise<number> {
  const row = await db
    .insertInto('rate_limits')
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ count: eb(eb.ref('rate_limits.count'), '+', 1) })))
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export const listTokens = (db: DbOrTrx, userId: string) =>
  db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
