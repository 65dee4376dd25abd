// User administration (系统管理员): create, edit, disable accounts inside the admin's subtree.
// Enforces 三员分立: admin, security_admin and auditor are never combined in one account, except
// for the bootstrap admin, who gives up security_admin/auditor as soon as someone else is appointed.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { hashPassword, newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import { forgetCachedTokens } from '../../kernel/authenticate.ts';
import { SEPARATED_ROLES, separationConflict } from '../../kernel/roles.ts';
import type { DbOrTrx, Trx } from '../../db/index.ts';
import { checkPassword, getPolicy } from '../security/security.service.ts';
import type { CreateUserInput, UpdateUserInput, UserView } from './users.schema.ts';
import {
  bootstrapHolders,
  countActiveHolders,
  deleteSessionsOfUser,
  findUserById,
  findUserByUsername,
  insertUser,
  listUsersInSubtree,
  rolesByUser,
  setRoles,
  type UserRow,
} from './users.queries.ts';

export function present(row: UserRow & { failure_locked_until?: string | null }, roles: string[], now: Date): UserView {
  const lockedUntil = [row.locked_until, row.failure_locked_until ?? null].filter((t): t is string => !!t && t > iso(now)).sort().at(-1) ?? null;
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    orgId: row.org_id,
    roles,
    status: row.disabled ? 'disabled' : lockedUntil ? 'locked' : 'active',
    lockedUntil,
    lastLoginAt: row.last_login_at,
    createdAt: row.created_at,
  };
}

export async function presentUser(db: DbOrTrx, kernel: Kernel, row: UserRow): Promise<UserView> {
  const roles = (await rolesByUser(db, [row.id])).get(row.id) ?? [];
  const failure = await db.selectFrom('login_failures').select('locked_until').where('username', '=', row.username).executeTakeFirst();
  return present({ ...row, failure_locked_until: failure?.locked_until ?? null }, roles, kernel.clock());
}

export async function listUsers(kernel: Kernel, actor: Actor | null): Promise<UserView[]> {
  const a = await kernel.authz.require(actor, 'user.read');
  const rows = await listUsersInSubtree(kernel.db, a.orgId);
  const roles = await rolesByUser(kernel.db, rows.map((r) => r.id));
  const now = kernel.clock();
  return rows.map((r) => present(r, roles.get(r.id) ?? [], now));
}

export async function getUser(kernel: Kernel, actor: Actor | null, id: string): Promise<UserView> {
  const row = await findUserById(kernel.db, id);
  await kernel.authz.require(actor, 'user.read', { orgId: row?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!row) throw notFound('用户');
  return presentUser(kernel.db, kernel, row);
}

function assertSeparation(roles: readonly string[]) {
  if (separationConflict(roles)) {
    throw new AppError('role_conflict', '三员分立：系统管理员、安全管理员、安全审计员不能由同一账号兼任');
  }
}

/** When someone else is appointed security_admin or auditor, the bootstrap admin hands that role over. */
async function handOverSeparatedRoles(trx: Trx, kernel: Kernel, actor: Actor, appointee: string, roles: readonly string[]) {
  for (const role of roles) {
    if (role === 'admin' || !(SEPARATED_ROLES as readonly string[]).includes(role)) continue;
    for (const holder of await bootstrapHolders(trx, role)) {
      if (holder.id === appointee) continue;
      await trx.deleteFrom('user_roles').where('user_id', '=', holder.id).where('role', '=', role).execute();
      await kernel.audit.record({ actor, action: 'user.role.handover', target: holder.id, detail: { role, to: appointee } }, trx);
    }
  }
}

export async function createUser(kernel: Kernel, actor: Actor | null, input: CreateUserInput): Promise<UserView> {
  const a = await kernel.authz.require(actor, 'user.manage', { orgId: input.orgId, target: input.orgId });
  assertSeparation(input.roles);
  checkPassword(await getPolicy(kernel), input.password, input.username);
  const passwordHash = await hashPassword(input.password);
  return kernel.db.transaction().execute(async (trx) => {
    if (await findUserByUsername(trx, input.username)) throw new AppError('conflict', `用户名 ${input.username} 已存在`);
    const org = await trx.selectFrom('orgs').select('id').where('id', '=', input.orgId).executeTakeFirst();
    if (!org) throw new AppError('invalid_input', '所属组织不存在', [{ path: 'body.orgId', message: '组织不存在' }]);
    const now = iso(kernel.clock());
    const row: UserRow = {
      id: newId(),
      username: input.username.toLowerCase(),
      display_name: input.displayName,
      org_id: input.orgId,
      password_hash: passwordHash,
      disabled: 0,
      locked_until: null,
      bootstrap: 0,
      password_changed_at: now,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    };
    await insertUser(trx, row);
    const roles = [...new Set(input.roles)];
    await setRoles(trx, row.id, roles);
    await handOverSeparatedRoles(trx, kernel, a, row.id, roles);
    await kernel.audit.record({ actor: a, action: 'user.create', target: row.id, detail: { username: row.username, orgId: row.org_id, roles } }, trx);
    return present(row, roles.sort(), kernel.clock());
  }).finally(() => forgetCachedTokens(kernel.db)); // a hand-over changed the bootstrap admin's roles
}

export async function updateUser(kernel: Kernel, actor: Actor | null, id: string, input: UpdateUserInput): Promise<UserView> {
  const existing = await findUserById(kernel.db, id);
  const a = await kernel.authz.require(actor, 'user.manage', { orgId: existing?.org_id ?? null, hideOutOfScope: true, target: id });
  if (!existing) throw notFound('用户');
  if (input.orgId) await kernel.authz.require(a, 'user.manage', { orgId: input.orgId, target: input.orgId });
  if (input.roles) assertSeparation(input.roles);
  if (id === a.userId && (input.disabled || (input.roles && !input.roles.includes('admin')))) {
    throw new AppError('conflict', '不能停用自己的账号或取消自己的系统管理员角色');
  }
  return kernel.db.transaction().execute(async (trx) => {
    const currentRoles = (await rolesByUser(trx, [id])).get(id) ?? [];
    const losesAdmin = currentRoles.includes('admin') && ((input.roles && !input.roles.includes('admin')) || input.disabled);
    if (losesAdmin && (await countActiveHolders(trx, 'admin')) <= 1) {
      throw new AppError('conflict', '系统至少需要保留一名在用的系统管理员');
    }
    if (input.orgId && !(await trx.selectFrom('orgs').select('id').where('id', '=', input.orgId).executeTakeFirst())) {
      throw new AppError('invalid_input', '所属组织不存在', [{ path: 'body.orgId', message: '组织不存在' }]);
    }
    const now = iso(kernel.clock());
    const set: Partial<UserRow> = { updated_at: now };
    if (input.displayName !== undefined) set.display_name = input.displayName;
    if (input.orgId !== undefined) set.org_id = input.orgId;
    if (input.disabled !== undefined) set.disabled = input.disabled ? 1 : 0;
    await trx.updateTable('users').set(set).where('id', '=', id).execute();
    if (input.roles) {
      const roles = [...new Set(input.roles)];
      await setRoles(trx, id, roles);
      await handOverSeparatedRoles(trx, kernel, a, id, roles);
    }
    // Changed rights take effect now: existing sessions end when an account is disabled or moved.
    if (input.disabled || input.orgId) await deleteSessionsOfUser(trx, id);
    await kernel.audit.record({ actor: a, action: 'user.update', target: id, detail: { fields: Object.keys(input), roles: input.roles } }, trx);
    return presentUser(trx, kernel, (await findUserById(trx, id))!);
  }).finally(() => forgetCachedTokens(kernel.db)); // API tokens act with the new rights at once
}
