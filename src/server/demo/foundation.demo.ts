// The demo district's org tree (12 townships/streets, ~150 villages/communities, departments,
// two media outlets) and one demo account per role.
import { hashPassword, newId } from '../kernel/crypto.ts';
import { iso } from '../kernel/time.ts';
import { insertOrgChecked } from '../modules/orgs/orgs.service.ts';
import { insertUser, setRoles } from '../modules/users/users.queries.ts';
import type { OrgKind } from '../modules/orgs/orgs.schema.ts';
import type { Role } from '../kernel/roles.ts';
import { DEMO_PASSWORD, type DemoContext } from './index.ts';

const TOWNSHIPS: Array<[string, 'town' | 'street']> = [
  ['青山镇', 'town'], ['白石镇', 'town'], ['清溪镇', 'town'], ['河口镇', 'town'], ['桃源乡', 'town'], ['凤岭乡', 'town'],
  ['云台镇', 'town'], ['北岭镇', 'town'], ['龙泉街道', 'street'], ['东城街道', 'street'], ['西城街道', 'street'], ['南湖街道', 'street'],
];
const VILLAGE_WORDS = ['石桥', '柳湾', '杨家坪', '双河', '高峰', '黄桷', '新田', '大坪', '红岩', '松林', '枫香', '水井', '竹园', '金鸡', '长坝', '庙垭', '沙坝', '凉水'];
const COMMUNITY_WORDS = ['滨江', '锦绣', '和平', '迎宾', '文昌', '建设', '桂园', '书院', '丰收', '望江', '芙蓉', '翠湖', '新华', '光明'];
const DEPARTMENTS = ['区卫生健康委', '区市场监管局', '区委网信办', '区教委', '区商务委', '区交通局', '区公安分局', '区应急局'];
const MEDIA = ['区融媒体中心', '区广播电视台'];

const DEMO_USERS: Array<{ username: string; displayName: string; roles: Role[]; org: string }> = [
  { username: 'secadmin', displayName: '安全管理员（演示）', roles: ['security_admin'], org: 'D' },
  { username: 'auditor', displayName: '安全审计员（演示）', roles: ['auditor'], org: 'D' },
  { username: 'publicity', displayName: '区委宣传部干事（演示）', roles: ['publicity'], org: 'D' },
  { username: 'town_publicity', displayName: '青山镇宣传委员（演示）', roles: ['publicity'], org: 'T01' },
  { username: 'reporter', displayName: '石桥村信息员（演示）', roles: ['reporter'], org: 'T01V01' },
  { username: 'editor', displayName: '融媒体中心编辑（演示）', roles: ['editor'], org: 'M01' },
  { username: 'reviewer', displayName: '融媒体中心审核（演示）', roles: ['reviewer'], org: 'M01' },
  { username: 'analyst', displayName: '网信办舆情分析员（演示）', roles: ['opinion_analyst'], org: 'DEP03' },
  { username: 'health', displayName: '区卫生健康委专员（演示）', roles: ['health_officer'], org: 'DEP01' },
  { username: 'supplies', displayName: '区商务委物资专员（演示）', roles: ['supplies_officer'], org: 'DEP05' },
];

export async function seedFoundation(ctx: DemoContext) {
  const { kernel } = ctx;
  const root = await kernel.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).orderBy('created_at').executeTakeFirstOrThrow();
  ctx.orgs.set('D', root.id);
  await kernel.db.transaction().execute(async (trx) => {
    const add = async (code: string, parentCode: string, name: string, kind: OrgKind) => {
      const row = await insertOrgChecked(kernel, trx, { parentId: ctx.orgs.get(parentCode)!, name, kind, code });
      ctx.orgs.set(code, row.id);
    };
    for (const [i, [name, type]] of TOWNSHIPS.entries()) {
      const t = `T${String(i + 1).padStart(2, '0')}`;
      await add(t, 'D', name, 'township');
      const words = type === 'street' ? COMMUNITY_WORDS : VILLAGE_WORDS;
      const count = 11 + (i % 3) + (type === 'street' ? 0 : 1); // 11–14 units each, ≈150 in all
      for (let v = 0; v < count; v++) {
        const word = words[(v + i * 5) % words.length]!;
        const kind: OrgKind = type === 'street' ? 'community' : 'village';
        await add(`${t}V${String(v + 1).padStart(2, '0')}`, t, `${word}${kind === 'community' ? '社区' : '村'}`, kind);
      }
    }
    for (const [i, name] of DEPARTMENTS.entries()) await add(`DEP${String(i + 1).padStart(2, '0')}`, 'D', name, 'department');
    for (const [i, name] of MEDIA.entries()) await add(`M${String(i + 1).padStart(2, '0')}`, 'D', name, 'media');
  });
  const hash = await hashPassword(DEMO_PASSWORD);
  await kernel.db.transaction().execute(async (trx) => {
    const now = iso(kernel.clock());
    for (const u of DEMO_USERS) {
      const id = newId();
      await insertUser(trx, {
        id, username: u.username, display_name: u.displayName, org_id: ctx.orgs.get(u.org)!, password_hash: hash,
        disabled: 0, locked_until: null, bootstrap: 0, password_changed_at: now, last_login_at: null, created_at: now, updated_at: now,
      });
      await setRoles(trx, id, u.roles);
      ctx.users.set(u.username, id);
    }
    // 三员分立: with a security admin and an auditor appointed, the bootstrap admin keeps only `admin`.
    const boot = await trx.selectFrom('users').select('id').where('bootstrap', '=', 1).execute();
    for (const b of boot) await trx.deleteFrom('user_roles').where('user_id', '=', b.id).where('role', 'in', ['security_admin', 'auditor']).execute();
    await kernel.audit.record({ actor: null, action: 'demo.seed', detail: { users: DEMO_USERS.length } }, trx);
  });
}
