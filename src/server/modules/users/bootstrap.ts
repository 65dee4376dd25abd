// First start on an empty database: the root org (the district) and the `admin` account, who holds
// admin, security_admin and auditor until others are appointed. Safe when several instances start
// at once on PostgreSQL (an advisory lock makes one of them do it).
import { sql } from 'kysely';
import type { Kernel } from '../../kernel/index.ts';
import { hashPassword, newId, randomToken } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import { insertOrgChecked } from '../orgs/orgs.service.ts';
import { insertUser, setRoles } from './users.queries.ts';

export interface BootstrapResult {
  created: boolean;
  generatedPassword?: string;
}

export async function ensureBootstrap(kernel: Kernel): Promise<BootstrapResult> {
  const given = kernel.config.adminPassword;
  const password = given ?? generatePassword();
  const hash = await hashPassword(password);
  return kernel.db.transaction().execute(async (trx) => {
    if (kernel.engine === 'postgres') await sql`SELECT pg_advisory_xact_lock(727100001)`.execute(trx);
    const any = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) return { created: false };
    const root = await insertOrgChecked(kernel, trx, { parentId: null, name: kernel.config.districtName, kind: 'district', code: null });
    const now = iso(kernel.clock());
    const id = newId();
    await insertUser(trx, {
      id,
      username: 'admin',
      display_name: '系统管理员',
      org_id: root.id,
      password_hash: hash,
      disabled: 0,
      locked_until: null,
      bootstrap: 1,
      password_changed_at: now,
      last_login_at: null,
      created_at: now,
      updated_at: now,
    });
    await setRoles(trx, id, ['admin', 'auditor', 'security_admin']);
    await kernel.audit.record({ actor: null, action: 'platform.bootstrap', target: id, detail: { orgId: root.id } }, trx);
    return { created: true, generatedPassword: given ? undefined : password };
  });
}

/** 16 characters drawn to satisfy every class of the password policy. */
function generatePassword(): string {
  const body = randomToken(12).replace(/[-_]/g, 'x');
  return `Fl-${body}9a`;
}
