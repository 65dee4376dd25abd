// The one place that decides whether an actor may do something, and where.
// A user acts only inside the subtree of their own org (closure table org_closure).
import type { Db, DbOrTrx } from '../db/index.ts';
import { AppError, forbidden } from './errors.ts';
import type { AuditLog } from './audit.ts';
import { rolesGrant, type Permission } from './roles.ts';

export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  orgId: string;
  roles: string[];
  via: 'session' | 'token';
  sessionHash?: string;
  csrfToken?: string;
  ip: string | null;
}

export interface RequireOptions {
  /** The org the action touches; must lie in the actor's subtree. */
  orgId?: string | null;
  /** Answer 404 instead of 403 when the org is outside the scope (existence must not leak). */
  hideOutOfScope?: boolean;
  target?: string;
}

export class Authz {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  /** Throws 401/403 (audited) unless the actor holds the permission within scope. */
  async require(actor: Actor | null | undefined, permission: Permission, opts: RequireOptions = {}): Promise<Actor> {
    if (!actor) throw new AppError('unauthenticated', '请先登录');
    if (!rolesGrant(actor.roles, permission)) {
      await this.deny(actor, permission, opts.target ?? opts.orgId ?? null, 'role');
      throw forbidden();
    }
    if (opts.orgId !== undefined && opts.orgId !== null && !(await this.inScope(this.db, actor, opts.orgId))) {
      await this.deny(actor, permission, opts.target ?? opts.orgId, 'scope');
      if (opts.hideOutOfScope) throw new AppError('not_found', '资源不存在');
      throw forbidden('超出本单位管辖范围');
    }
    return actor;
  }

  /** Whether orgId lies in the actor's subtree (the actor's own org included). */
  async inScope(db: DbOrTrx, actor: Pick<Actor, 'orgId'>, orgId: string): Promise<boolean> {
    const row = await db
      .selectFrom('org_closure')
      .select('depth')
      .where('ancestor_id', '=', actor.orgId)
      .where('descendant_id', '=', orgId)
      .executeTakeFirst();
    return !!row;
  }

  private async deny(actor: Actor, permission: Permission, target: string | null, why: 'role' | 'scope') {
    await this.audit.record({
      actor: { userId: actor.userId, username: actor.username, ip: actor.ip },
      action: `denied.${permission}`,
      target,
      outcome: 'denied',
      detail: { why },
    });
  }
}
