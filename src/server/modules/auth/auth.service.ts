// Login, logout, own password and API tokens. Sessions are random ids kept only as hashes;
// failed logins count per username (known or not) and lock it; each address is throttled too.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { dummyPasswordHash, hashPassword, newId, randomToken, sha256Hex, verifyPassword } from '../../kernel/crypto.ts';
import { forgetCachedTokens, TOKEN_PREFIX } from '../../kernel/authenticate.ts';
import { iso } from '../../kernel/time.ts';
import { checkPassword, getPolicy, lockoutState, recordLoginFailure } from '../security/security.service.ts';
import { findUserById, findUserByUsername, rolesByUser } from '../users/users.queries.ts';
import { deleteSession, hitRateLimit, insertSession, listTokens } from './auth.queries.ts';
import type { SessionUser } from './auth.schema.ts';

export async function sessionUserOf(kernel: Kernel, userId: string): Promise<SessionUser> {
  const u = await findUserById(kernel.db, userId);
  if (!u) throw new AppError('unauthenticated', '请先登录');
  const org = await kernel.db.selectFrom('orgs').select('name').where('id', '=', u.org_id).executeTakeFirst();
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    orgId: u.org_id,
    orgName: org?.name,
    roles: (await rolesByUser(kernel.db, [u.id])).get(u.id) ?? [],
  };
}

export async function login(kernel: Kernel, input: { username: string; password: string }, ip: string | null) {
  const now = kernel.clock();
  if ((await slidingMinuteHits(kernel, `login:${ip ?? '-'}`, now)) > kernel.config.loginRatePerMinute) {
    await kernel.audit.record({ actor: null, action: 'auth.rate_limited', ip, outcome: 'denied' });
    throw new AppError('rate_limited', '登录尝试过于频繁，请一分钟后再试');
  }
  const username = input.username.trim().toLowerCase();
  const failActor = { userId: null, username: username.slice(0, 64), ip };
  const lock = await lockoutState(kernel.db, username, now);
  if (lock.locked) {
    await kernel.audit.record({ actor: failActor, action: 'auth.login', outcome: 'denied', detail: { reason: 'locked' } });
    throw new AppError('account_locked', `该账号因多次登录失败已被锁定，请于 ${formatUntil(lock.until!, kernel.config.timeZone)} 后再试`);
  }
  const user = await findUserByUsername(kernel.db, username);
  const ok = await verifyPassword(input.password, user?.password_hash ?? dummyPasswordHash());
  const policy = await getPolicy(kernel);
  if (!user || !ok) {
    await kernel.db.transaction().execute(async (trx) => {
      const f = await recordLoginFailure(kernel, trx, username, policy);
      await kernel.audit.record({ actor: { ...failActor, userId: user?.id ?? null }, action: 'auth.login', outcome: 'failed', detail: { failures: f.count } }, trx);
    });
    throw new AppError('invalid_credentials', '用户名或密码错误');
  }
  if (user.disabled) {
    await kernel.audit.record({ actor: { ...failActor, userId: user.id }, action: 'auth.login', outcome: 'denied', detail: { reason: 'disabled' } });
    throw new AppError('account_locked', '该账号已停用，请联系系统管理员');
  }
  if (user.locked_until && user.locked_until > iso(now)) {
    await kernel.audit.record({ actor: { ...failActor, userId: user.id }, action: 'auth.login', outcome: 'denied', detail: { reason: 'locked' } });
    throw new AppError('account_locked', '该账号已被安全管理员锁定，请联系安全管理员');
  }
  const sessionId = randomToken(32);
  const csrfToken = randomToken(24);
  await kernel.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('login_failures').where('username', '=', username).execute();
    await insertSession(trx, { id_hash: sha256Hex(sessionId), user_id: user.id, csrf_token: csrfToken, ip, created_at: iso(now), last_seen_at: iso(now) });
    await trx.updateTable('users').set({ last_login_at: iso(now) }).where('id', '=', user.id).execute();
    await kernel.audit.record({ actor: { userId: user.id, username: user.username, ip }, action: 'auth.login' }, trx);
  });
  return { sessionId, csrfToken, user: await sessionUserOf(kernel, user.id) };
}

/**
 * Hits in the last minute by a sliding-window counter: this minute's count plus the previous
 * minute's, weighted by how much of it still lies within the last 60 seconds. A burst that
 * straddles a minute boundary is counted as one burst.
 */
async function slidingMinuteHits(kernel: Kernel, key: string, now: Date): Promise<number> {
  const minuteStart = Math.floor(now.getTime() / 60_000) * 60_000;
  const current = await hitRateLimit(kernel.db, key, iso(new Date(minuteStart)));
  const prev = await kernel.db
    .selectFrom('rate_limits')
    .select('count')
    .where('key', '=', key)
    .where('window_start', '=', iso(new Date(minuteStart - 60_000)))
    .executeTakeFirst();
  const weight = 1 - (now.getTime() - minuteStart) / 60_000;
  return current + Math.floor(Number(prev?.count ?? 0) * weight);
}

function formatUntil(isoTime: string, timeZone: string) {
  return new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(isoTime));
}

export async function logout(kernel: Kernel, actor: Actor | null) {
  if (!actor?.sessionHash) return;
  await kernel.db.transaction().execute(async (trx) => {
    await deleteSession(trx, actor.sessionHash!);
    await kernel.audit.record({ actor, action: 'auth.logout' }, trx);
  });
}

export async function me(kernel: Kernel, actor: Actor | null) {
  if (!actor) throw new AppError('unauthenticated', '请先登录');
  return { user: await sessionUserOf(kernel, actor.userId), csrfToken: actor.csrfToken ?? null };
}

export async function changeOwnPassword(kernel: Kernel, actor: Actor | null, currentPassword: string, newPassword: string) {
  if (!actor) throw new AppError('unauthenticated', '请先登录');
  const user = await findUserById(kernel.db, actor.userId);
  if (!user || !(await verifyPassword(currentPassword, user.password_hash))) {
    await kernel.audit.record({ actor, action: 'auth.password.change', outcome: 'failed' });
    throw new AppError('invalid_credentials', '当前密码不正确');
  }
  checkPassword(await getPolicy(kernel), newPassword, user.username);
  if (currentPassword === newPassword) throw new AppError('weak_password', '新密码不能与当前密码相同');
  const hash = await hashPassword(newPassword);
  await kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    await trx.updateTable('users').set({ password_hash: hash, password_changed_at: now, updated_at: now }).where('id', '=', user.id).execute();
    // Other sessions end; this one stays.
    let del = trx.deleteFrom('sessions').where('user_id', '=', user.id);
    if (actor.sessionHash) del = del.where('id_hash', '!=', actor.sessionHash);
    await del.execute();
    await kernel.audit.record({ actor, action: 'auth.password.change' }, trx);
  });
}

export async function createToken(kernel: Kernel, actor: Actor | null, name: string) {
  const a = await kernel.authz.require(actor, 'token.own');
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const id = newId();
  await kernel.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('api_tokens')
      .values({ id, user_id: a.userId, name, token_hash: sha256Hex(token), created_at: iso(kernel.clock()), last_used_at: null, revoked_at: null })
      .execute();
    await kernel.audit.record({ actor: a, action: 'token.create', target: id, detail: { name } }, trx);
  });
  return { id, token };
}

export async function myTokens(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'token.own');
  return (await listTokens(kernel.db, a.userId)).map((t) => ({ id: t.id, name: t.name, createdAt: t.created_at, lastUsedAt: t.last_used_at }));
}

export async function revokeToken(kernel: Kernel, actor: Actor | null, id: string) {
  const a = await kernel.authz.require(actor, 'token.own');
  await kernel.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: iso(kernel.clock()) })
      .where('id', '=', id)
      .where('user_id', '=', a.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound('令牌');
    await kernel.audit.record({ actor: a, action: 'token.revoke', target: id }, trx);
  });
  forgetCachedTokens(kernel.db);
}
