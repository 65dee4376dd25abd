// Security administration (安全管理员): password policy, locking and unlocking accounts,
// resetting passwords. Also the password rules every other module checks against.
import type { Kernel, Actor } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { hashPassword } from '../../kernel/crypto.ts';
import { addMs, iso, MINUTE } from '../../kernel/time.ts';
import { forgetCachedTokens } from '../../kernel/authenticate.ts';
import type { DbOrTrx } from '../../db/index.ts';
import { getSetting, putSetting } from './security.queries.ts';
import type { PasswordPolicy } from './security.schema.ts';
import { findUserById, deleteSessionsOfUser } from '../users/users.queries.ts';
import { presentUser } from '../users/users.service.ts';

const POLICY_KEY = 'password_policy';
// Far enough ahead to mean "until unlocked" for a manual lock.
const MANUAL_LOCK_UNTIL = '9999-12-31T00:00:00.000Z';

export function defaultPolicy(kernel: Kernel): PasswordPolicy {
  return { minLength: 10, minClasses: 3, maxFailures: 5, lockMinutes: 15, sessionIdleMinutes: kernel.config.sessionIdleMinutes };
}

export async function getPolicy(kernel: Kernel, db: DbOrTrx = kernel.db): Promise<PasswordPolicy> {
  const stored = await getSetting(db, POLICY_KEY);
  return { ...defaultPolicy(kernel), ...(stored ? JSON.parse(stored) : {}) };
}

export async function updatePolicy(kernel: Kernel, actor: Actor | null, policy: PasswordPolicy): Promise<PasswordPolicy> {
  const a = await kernel.authz.require(actor, 'policy.manage');
  return kernel.db.transaction().execute(async (trx) => {
    await putSetting(trx, POLICY_KEY, JSON.stringify(policy), iso(kernel.clock()));
    policyCache.delete(kernel);
    await kernel.audit.record({ actor: a, action: 'security.policy.update', target: 'password_policy', detail: { ...policy } }, trx);
    return policy;
  });
}

export async function readPolicy(kernel: Kernel, actor: Actor | null) {
  await kernel.authz.require(actor, 'policy.read');
  return getPolicy(kernel);
}

const CLASSES = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/];

/** Throws weak_password (400) unless the password meets the policy. */
export function checkPassword(policy: PasswordPolicy, password: string, username?: string) {
  const classes = CLASSES.filter((re) => re.test(password)).length;
  if ([...password].length < policy.minLength || classes < policy.minClasses) {
    throw new AppError(
      'weak_password',
      `密码强度不足：至少 ${policy.minLength} 位，并包含大写字母、小写字母、数字、符号中的至少 ${policy.minClasses} 类`,
    );
  }
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    throw new AppError('weak_password', '密码不能包含用户名');
  }
}

export async function setLock(kernel: Kernel, actor: Actor | null, userId: string, locked: boolean) {
  const user = await findUserById(kernel.db, userId);
  const a = await kernel.authz.require(actor, 'user.lock', { orgId: user?.org_id ?? null, hideOutOfScope: true, target: userId });
  if (!user) throw notFound('用户');
  if (locked && user.id === a.userId) throw new AppError('conflict', '不能锁定自己的账号');
  return kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    await trx
      .updateTable('users')
      .set({ locked_until: locked ? MANUAL_LOCK_UNTIL : null, updated_at: now })
      .where('id', '=', userId)
      .execute();
    if (locked) await deleteSessionsOfUser(trx, userId);
    else await trx.deleteFrom('login_failures').where('username', '=', user.username).execute();
    await kernel.audit.record({ actor: a, action: locked ? 'user.lock' : 'user.unlock', target: userId }, trx);
    return presentUser(trx, kernel, (await findUserById(trx, userId))!);
  }).finally(() => forgetCachedTokens(kernel.db)); // a locked user's API tokens stop at once
}

export async function resetPassword(kernel: Kernel, actor: Actor | null, userId: string, password: string) {
  const user = await findUserById(kernel.db, userId);
  const a = await kernel.authz.require(actor, 'user.reset_password', { orgId: user?.org_id ?? null, hideOutOfScope: true, target: userId });
  if (!user) throw notFound('用户');
  checkPassword(await getPolicy(kernel), password, user.username);
  const hash = await hashPassword(password);
  await kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    await trx.updateTable('users').set({ password_hash: hash, password_changed_at: now, updated_at: now }).where('id', '=', userId).execute();
    await deleteSessionsOfUser(trx, userId);
    await kernel.audit.record({ actor: a, action: 'user.password.reset', target: userId }, trx);
  });
}

/** The per-username failure lock: {locked, until}. Counts unknown usernames too, so a lock reveals nothing. */
export async function lockoutState(db: DbOrTrx, username: string, now: Date) {
  const row = await db.selectFrom('login_failures').selectAll().where('username', '=', username).executeTakeFirst();
  if (row?.locked_until && row.locked_until > iso(now)) return { locked: true, until: row.locked_until };
  return { locked: false as const, until: null };
}

export async function recordLoginFailure(kernel: Kernel, db: DbOrTrx, username: string, policy: PasswordPolicy) {
  const now = kernel.clock();
  const row = await db.selectFrom('login_failures').selectAll().where('username', '=', username).executeTakeFirst();
  // A lock that has run out starts a fresh count.
  const expired = row?.locked_until && row.locked_until <= iso(now);
  const count = (expired || !row ? 0 : row.count) + 1;
  const lockedUntil = count >= policy.maxFailures ? iso(addMs(now, policy.lockMinutes * MINUTE)) : null;
  await db
    .insertInto('login_failures')
    .values({ username, count, locked_until: lockedUntil, updated_at: iso(now) })
    .onConflict((oc) => oc.column('username').doUpdateSet({ count, locked_until: lockedUntil, updated_at: iso(now) }))
    .execute();
  return { count, lockedUntil };
}

// Session checks run on every request; the policy they need changes rarely, so each process
// keeps it for a few seconds. A change reaches every instance within that time.
const policyCache = new WeakMap<Kernel, { at: number; policy: PasswordPolicy }>();
const POLICY_TTL_MS = 5_000;

export async function getPolicyCached(kernel: Kernel): Promise<PasswordPolicy> {
  const hit = policyCache.get(kernel);
  const now = Date.now();
  if (hit && now - hit.at < POLICY_TTL_MS) return hit.policy;
  const policy = await getPolicy(kernel);
  policyCache.set(kernel, { at: now, policy });
  return policy;
}
