// Resolves who is calling: a session cookie (browser) or a Bearer API token (machines).
// Sessions live in the database (so any instance can serve any request) and expire after the
// configured idle time; only hashes of session ids and tokens are stored.
import type { Db } from '../db/index.ts';
import type { Actor } from './authz.ts';
import { sha256Hex } from './crypto.ts';
import { addMs, iso, MINUTE, type Clock } from './time.ts';

export const SESSION_COOKIE = 'fl_session';
export const TOKEN_PREFIX = 'fl_';
// Touch last_seen_at at most once a minute: idle expiry needs no finer grain, and reads stay reads.
const TOUCH_EVERY_MS = MINUTE;

export interface Credentials {
  sessionId?: string;
  bearer?: string;
  ip: string | null;
}

export async function loadRoles(db: Db, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('user_roles').select('role').where('user_id', '=', userId).orderBy('role').execute();
  return rows.map((r) => r.role);
}

// A bearer token is presented on every machine request (village phones posting one record each),
// and resolving it costs two queries. A resolved token is therefore kept for TOKEN_CACHE_MS in this
// process. Revoking a token, and locking, disabling, moving or re-roling its user through this
// process, clear the cache at once (forgetCachedTokens); on other instances behind the same
// database such a change takes effect within TOKEN_CACHE_MS. Unknown or refused tokens are never cached.
// The cache is keyed by the presented token itself (held only in this process's memory, like the
// request that carried it), so a hit costs one map lookup instead of a SHA-256.
const TOKEN_CACHE_MS = 2_000;
const TOKEN_CACHE_MAX = 10_000;
interface TokenCache {
  /** Bumped by every forget, so that a lookup that began before it is not cached after it. */
  generation: number;
  entries: Map<string, { at: number; actor: Omit<Actor, 'ip'> }>;
}
const tokenCaches = new WeakMap<Db, TokenCache>();

/** Drop every cached token identity of this database (call after the change committed). */
export function forgetCachedTokens(db: Db): void {
  const cache = tokenCaches.get(db);
  if (!cache) return;
  cache.generation++;
  cache.entries.clear();
}

/** The identity of an API token from the cache, if it is there and fresh (synchronous: no query). */
export function cachedTokenActor(db: Db, bearer: string, ip: string | null): Actor | undefined {
  const hit = tokenCaches.get(db)?.entries.get(bearer);
  // Wall time, not the injectable clock: the cache's age is about this process, not the domain.
  if (hit && Date.now() - hit.at < TOKEN_CACHE_MS) return { ...hit.actor, ip };
  return undefined;
}

export async function resolveActor(db: Db, clock: Clock, idleMinutes: number, c: Credentials): Promise<Actor | null> {
  const now = clock();
  if (c.bearer) {
    let cache = tokenCaches.get(db);
    if (!cache) tokenCaches.set(db, (cache = { generation: 0, entries: new Map() }));
    const hit = cachedTokenActor(db, c.bearer, c.ip);
    if (hit) return hit;
    const tokenHash = sha256Hex(c.bearer);
    const generation = cache.generation;
    const row = await db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id as token_id', 't.last_used_at', 'u.id', 'u.username', 'u.display_name', 'u.org_id', 'u.disabled', 'u.locked_until'])
      .where('t.token_hash', '=', tokenHash)
      .where('t.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || row.disabled || (row.locked_until && row.locked_until > iso(now))) return null;
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS) {
      await db.updateTable('api_tokens').set({ last_used_at: iso(now) }).where('id', '=', row.token_id).execute();
    }
    const actor: Omit<Actor, 'ip'> = {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      orgId: row.org_id,
      roles: Object.freeze(await loadRoles(db, row.id)) as string[],
      via: 'token',
    };
    if (cache.generation === generation) {
      if (cache.entries.size >= TOKEN_CACHE_MAX) cache.entries.clear();
      cache.entries.set(c.bearer, { at: Date.now(), actor });
    }
    return { ...actor, ip: c.ip };
  }
  if (c.sessionId) {
    const idHash = sha256Hex(c.sessionId);
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.csrf_token', 's.last_seen_at', 'u.id', 'u.username', 'u.display_name', 'u.org_id', 'u.disabled', 'u.locked_until'])
      .where('s.id_hash', '=', idHash)
      .executeTakeFirst();
    if (!row) return null;
    const idleFor = now.getTime() - Date.parse(row.last_seen_at);
    if (idleFor > idleMinutes * MINUTE || row.disabled || (row.locked_until && row.locked_until > iso(now))) {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
      return null;
    }
    if (idleFor > TOUCH_EVERY_MS) {
      await db.updateTable('sessions').set({ last_seen_at: iso(now) }).where('id_hash', '=', idHash).execute();
    }
    return {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      orgId: row.org_id,
      roles: await loadRoles(db, row.id),
      via: 'session',
      sessionHash: idHash,
      csrfToken: row.csrf_token,
      ip: c.ip,
    };
  }
  return null;
}

export const sessionExpiry = (clock: Clock, idleMinutes: number) => iso(addMs(clock(), -idleMinutes * MINUTE));
