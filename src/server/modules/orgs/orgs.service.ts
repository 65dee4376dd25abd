// The org tree: district → township/street → village/community, plus departments and media.
// Scope: everyone sees and manages only their own subtree (closure table org_closure).
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import type { DbOrTrx } from '../../db/index.ts';
import type { OrgsTable } from '../../db/types.ts';
import { ALLOWED_PARENTS, type CreateOrgInput, type OrgKind, type OrgView, type UpdateOrgInput } from './orgs.schema.ts';
import { countChildren, countUsersIn, deleteOrg, findOrg, findOrgByCode, insertOrg, listSubtree } from './orgs.queries.ts';

const KIND_NAMES: Record<OrgKind, string> = {
  district: '区县',
  township: '乡镇（街道）',
  village: '村',
  community: '社区',
  department: '部门',
  media: '媒体',
};

export const presentOrg = (o: OrgsTable): OrgView => ({ id: o.id, parentId: o.parent_id, name: o.name, kind: o.kind, code: o.code });

export async function listOrgs(kernel: Kernel, actor: Actor | null): Promise<OrgView[]> {
  const a = await kernel.authz.require(actor, 'org.read');
  return (await listSubtree(kernel.db, a.orgId)).map(presentOrg);
}

export async function getOrg(kernel: Kernel, actor: Actor | null, id: string): Promise<OrgView> {
  await kernel.authz.require(actor, 'org.read', { orgId: id, hideOutOfScope: true });
  const org = await findOrg(kernel.db, id);
  if (!org) throw notFound('组织');
  return presentOrg(org);
}

async function assertCodeFree(db: DbOrTrx, code: string | null | undefined, exceptId?: string) {
  if (!code) return;
  const other = await findOrgByCode(db, code);
  if (other && other.id !== exceptId) throw new AppError('conflict', `组织编码 ${code} 已被“${other.name}”使用`);
}

/** Used by createOrg and by bootstrap/demo seeding, which have no actor. */
export async function insertOrgChecked(kernel: Kernel, db: DbOrTrx, input: { parentId: string | null; name: string; kind: OrgKind; code?: string | null }) {
  if (input.parentId) {
    const parent = await findOrg(db, input.parentId);
    if (!parent) throw new AppError('invalid_input', '上级组织不存在', [{ path: 'body.parentId', message: '上级组织不存在' }]);
    if (!ALLOWED_PARENTS[input.kind].includes(parent.kind as OrgKind)) {
      throw new AppError(
        'invalid_input',
        `${KIND_NAMES[input.kind]}不能设在${KIND_NAMES[parent.kind as OrgKind] ?? parent.kind}之下`,
        [{ path: 'body.kind', message: '上下级类型不匹配' }],
      );
    }
  }
  await assertCodeFree(db, input.code);
  const now = iso(kernel.clock());
  const row: OrgsTable = { id: newId(), parent_id: input.parentId, name: input.name, kind: input.kind, code: input.code ?? null, created_at: now, updated_at: now };
  await insertOrg(db, row);
  return row;
}

export async function createOrg(kernel: Kernel, actor: Actor | null, input: CreateOrgInput): Promise<OrgView> {
  const a = await kernel.authz.require(actor, 'org.manage', { orgId: input.parentId, target: input.parentId });
  return kernel.db.transaction().execute(async (trx) => {
    const row = await insertOrgChecked(kernel, trx, input);
    await kernel.audit.record({ actor: a, action: 'org.create', target: row.id, detail: { parentId: row.parent_id, kind: row.kind, name: row.name } }, trx);
    return presentOrg(row);
  });
}

export async function updateOrg(kernel: Kernel, actor: Actor | null, id: string, input: UpdateOrgInput): Promise<OrgView> {
  const a = await kernel.authz.require(actor, 'org.manage', { orgId: id, hideOutOfScope: true, target: id });
  return kernel.db.transaction().execute(async (trx) => {
    const org = await findOrg(trx, id);
    if (!org) throw notFound('组织');
    await assertCodeFree(trx, input.code, id);
    const set: Partial<OrgsTable> = { updated_at: iso(kernel.clock()) };
    if (input.name !== undefined) set.name = input.name;
    if (input.code !== undefined) set.code = input.code;
    await trx.updateTable('orgs').set(set).where('id', '=', id).execute();
    await kernel.audit.record({ actor: a, action: 'org.update', target: id, detail: { fields: Object.keys(input) } }, trx);
    return presentOrg({ ...org, ...set });
  });
}

export async function removeOrg(kernel: Kernel, actor: Actor | null, id: string): Promise<void> {
  const a = await kernel.authz.require(actor, 'org.manage', { orgId: id, hideOutOfScope: true, target: id });
  if (id === a.orgId) throw new AppError('conflict', '不能删除本人所属的组织');
  await kernel.db.transaction().execute(async (trx) => {
    if (!(await findOrg(trx, id))) throw notFound('组织');
    if ((await countChildren(trx, id)) > 0) throw new AppError('conflict', '该组织下还有下级组织，不能删除');
    if ((await countUsersIn(trx, id)) > 0) throw new AppError('conflict', '该组织下还有用户，不能删除');
    await deleteOrg(trx, id);
    await kernel.audit.record({ actor: a, action: 'org.delete', target: id }, trx);
  });
}
