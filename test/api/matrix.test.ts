// Role × endpoint × scope matrix for the foundation API, on SQLite and on PostgreSQL.
//
// Org tree: root district → township A (village A1) and township B (village B1). One user per role
// sits in township A. For every (role, endpoint, inside/outside) the expected answer is derived from
// PERMISSIONS in src/server/kernel/roles.ts: allowed → the endpoint's 2xx; role lacking → 403
// `forbidden`; outside A's subtree → 403, or 404 where the service hides existence (hideOutOfScope).
// Anonymous callers get 401 `unauthenticated`. Every 403/404 denial must land in the audit log as a
// `denied.<permission>` event. Finally 三员分立 (separation of duties) gets a suite of its own.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeEachDb, USER_PASSWORD, Client, type TestContext } from '../../src/server/testing/harness.ts';
import { PERMISSIONS, ROLES, rolesGrant, type Permission, type Role } from '../../src/server/kernel/roles.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Scope = 'inside' | 'outside';
type UserClient = Client & { userId: string };

interface Fixture {
  root: string;
  A: string;
  A1: string;
  B: string;
  B1: string;
  users: Record<Role, UserClient>;
  usernames: Record<Role, string>;
  /** Plain users used as targets of user endpoints: one in A1 (inside), one in B1 (outside). */
  targetA1: string;
  targetB1: string;
  policy: Record<string, number>;
  /** Publishing: a live blog with one entry and a published item (pending deliveries) in A and in B. */
  liveA: string;
  liveB: string;
  publishedA: string;
  publishedB: string;
  deliveryA: string;
  deliveryB: string;
  webhook: string;
  /** Opinion: a post and a case in A (by A's analyst) and in B. */
  postA: string;
  postB: string;
  caseA: string;
  caseB: string;
  /** Org ids in A's subtree right now (read from the closure table). */
  subtreeOfA(): Promise<Set<string>>;
}

interface Endpoint {
  method: Method;
  /** As shown in test names. */
  path: string;
  /** null: any authenticated user. */
  perm: Permission | null;
  ok: number;
  /** Scope variants; absent for endpoints that act on no particular org. */
  scopes?: Scope[];
  /** Outside the subtree: 404 when the service hides existence (hideOutOfScope), else 403. */
  hidden?: boolean;
  url(fx: Fixture, scope: Scope | null): string | Promise<string>;
  body?(fx: Fixture, scope: Scope | null): unknown;
  /** Extra assertions on an allowed answer. */
  check?(res: { status: number; body: any }, fx: Fixture, role: Role, scope: Scope | null): void | Promise<void>;
}

let seq = 0;
const unique = (prefix: string) => `${prefix}${++seq}_${Math.random().toString(36).slice(2, 6)}`;

function endpoints(ctx: () => TestContext): Endpoint[] {
  const orgIn = (fx: Fixture, s: Scope | null) => (s === 'outside' ? fx.B1 : fx.A1);
  const userIn = (fx: Fixture, s: Scope | null) => (s === 'outside' ? fx.targetB1 : fx.targetA1);
  return [
    {
      method: 'GET', path: '/api/orgs', perm: 'org.read', ok: 200,
      url: () => '/api/orgs',
      async check(res, fx) {
        const ids = new Set<string>(res.body.orgs.map((o: any) => o.id));
        for (const id of [fx.A, fx.A1]) assert.ok(ids.has(id), 'lists A and A1');
        for (const id of [fx.root, fx.B, fx.B1]) assert.ok(!ids.has(id), `never lists ${id} (root/B/B1)`);
        assert.deepEqual(ids, await fx.subtreeOfA(), "exactly A's subtree");
        for (const o of res.body.orgs) if (o.id !== fx.A) assert.ok(ids.has(o.parentId), 'parents are inside too');
      },
    },
    {
      method: 'GET', path: '/api/orgs/:id', perm: 'org.read', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/orgs/${orgIn(fx, s)}`,
      check: (res, fx) => assert.equal(res.body.org.id, fx.A1),
    },
    {
      method: 'POST', path: '/api/orgs', perm: 'org.manage', ok: 201, scopes: ['inside', 'outside'],
      url: () => '/api/orgs',
      body: (fx, s) => ({ parentId: s === 'outside' ? fx.B : fx.A, name: unique('矩阵村'), kind: 'village' }),
      check: (res, fx) => assert.equal(res.body.org.parentId, fx.A),
    },
    {
      method: 'PATCH', path: '/api/orgs/:id', perm: 'org.manage', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/orgs/${orgIn(fx, s)}`,
      body: () => ({ name: '甲一村' }),
      check: (res) => assert.equal(res.body.org.name, '甲一村'),
    },
    {
      method: 'DELETE', path: '/api/orgs/:id', perm: 'org.manage', ok: 204, scopes: ['inside', 'outside'], hidden: true,
      // A fresh empty village for each case, so an allowed delete has something to delete.
      url: async (fx, s) => `/api/orgs/${await ctx().org(s === 'outside' ? fx.B : fx.A, 'village', unique('待删村'))}`,
    },
    {
      method: 'GET', path: '/api/users', perm: 'user.read', ok: 200,
      url: () => '/api/users',
      async check(res, fx) {
        const ids = new Set<string>(res.body.users.map((u: any) => u.id));
        assert.ok(ids.has(fx.targetA1), 'lists the A1 user');
        for (const r of ROLES) assert.ok(ids.has(fx.users[r].userId), `lists ${r}`);
        assert.ok(!ids.has(fx.targetB1), 'never lists the B1 user');
        assert.ok(!res.body.users.some((u: any) => u.username === 'admin'), 'never lists the root admin');
        const subtree = await fx.subtreeOfA();
        for (const u of res.body.users) assert.ok(subtree.has(u.orgId), `${u.username} is in A's subtree`);
      },
    },
    {
      method: 'GET', path: '/api/users/:id', perm: 'user.read', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/users/${userIn(fx, s)}`,
      check: (res, fx) => assert.equal(res.body.user.id, fx.targetA1),
    },
    {
      method: 'POST', path: '/api/users', perm: 'user.manage', ok: 201, scopes: ['inside', 'outside'],
      url: () => '/api/users',
      body: (fx, s) => {
        const username = unique('m_new');
        return { username, password: USER_PASSWORD, displayName: username, orgId: orgIn(fx, s), roles: ['reporter'] };
      },
      check: (res, fx) => assert.equal(res.body.user.orgId, fx.A1),
    },
    {
      method: 'PATCH', path: '/api/users/:id', perm: 'user.manage', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/users/${userIn(fx, s)}`,
      body: () => ({ displayName: '甲一用户' }),
      check: (res) => assert.equal(res.body.user.displayName, '甲一用户'),
    },
    {
      // Moving an inside user to an outside org: the target org is checked with a plain 403.
      method: 'PATCH', path: '/api/users/:id (move to B1)', perm: 'user.manage', ok: 200, scopes: ['outside'],
      url: (fx) => `/api/users/${fx.targetA1}`,
      body: (fx) => ({ orgId: fx.B1 }),
    },
    {
      method: 'POST', path: '/api/users/:id/lock', perm: 'user.lock', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/users/${userIn(fx, s)}/lock`,
      check: (res) => assert.equal(res.body.user.status, 'locked'),
    },
    {
      method: 'POST', path: '/api/users/:id/unlock', perm: 'user.lock', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/users/${userIn(fx, s)}/unlock`,
      check: (res) => assert.equal(res.body.user.status, 'active'),
    },
    {
      method: 'POST', path: '/api/users/:id/password', perm: 'user.reset_password', ok: 204, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/users/${userIn(fx, s)}/password`,
      body: () => ({ password: 'Reset#2026pass' }),
    },
    {
      method: 'GET', path: '/api/security/policy', perm: 'policy.read', ok: 200,
      url: () => '/api/security/policy',
      check: (res, fx) => assert.deepEqual(res.body.policy, fx.policy),
    },
    {
      method: 'PUT', path: '/api/security/policy', perm: 'policy.manage', ok: 200,
      url: () => '/api/security/policy',
      body: (fx) => fx.policy,
      check: (res, fx) => assert.deepEqual(res.body.policy, fx.policy),
    },
    {
      method: 'GET', path: '/api/audit', perm: 'audit.read', ok: 200,
      url: () => '/api/audit?limit=5',
      check: (res) => assert.ok(Array.isArray(res.body.events) && res.body.events.length > 0),
    },
    {
      method: 'GET', path: '/api/audit/verify', perm: 'audit.read', ok: 200,
      url: () => '/api/audit/verify',
      check: (res) => assert.equal(res.body.ok, true),
    },
    {
      method: 'GET', path: '/api/jobs', perm: 'job.read', ok: 200,
      url: () => '/api/jobs',
      check: (res) => assert.ok(Array.isArray(res.body.jobs)),
    },
    {
      method: 'POST', path: '/api/jobs/:id/retry', perm: 'job.manage', ok: 200,
      // A dead job for each case (the runner is not started in tests, so it stays as we leave it).
      async url() {
        const k = ctx().kernel;
        const id = (await k.jobs.enqueue(k.db, 'matrix.noop', {}))!;
        await k.db.updateTable('jobs').set({ status: 'dead', last_error: 'matrix' }).where('id', '=', id).execute();
        return `/api/jobs/${id}/retry`;
      },
      check: (res) => assert.equal(res.body.job.status, 'queued'),
    },
    {
      method: 'POST', path: '/api/auth/tokens', perm: 'token.own', ok: 201,
      url: () => '/api/auth/tokens',
      body: () => ({ name: unique('矩阵令牌') }),
      check: (res) => assert.match(res.body.token, /^fl_/),
    },
    {
      method: 'GET', path: '/api/auth/tokens', perm: 'token.own', ok: 200,
      url: () => '/api/auth/tokens',
      check: (res) => assert.ok(res.body.tokens.length >= 1),
    },
    // ---- publishing: the endpoints of the editor's preview, live blog, deliveries and webhooks ----
    {
      method: 'POST', path: '/api/content/preview', perm: 'content.read', ok: 200,
      url: () => '/api/content/preview',
      body: () => ({ channel: 'weibo', kind: 'news', title: '矩阵预览', body: '<p>正文</p>' }),
      check: (res) => assert.match(res.body.body, /^【矩阵预览】/),
    },
    {
      method: 'POST', path: '/api/content/preview (saved item)', perm: 'content.read', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: () => '/api/content/preview',
      body: (fx, s) => ({ channel: 'website', kind: 'live', title: '矩阵直播', body: '<p>导语</p>', id: s === 'outside' ? fx.liveB : fx.liveA }),
      check: (res) => assert.match(res.body.body, /矩阵直播条目/),
    },
    {
      method: 'GET', path: '/api/content/:id/live', perm: 'content.read', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/content/${s === 'outside' ? fx.liveB : fx.liveA}/live`,
      check: (res) => assert.equal(res.body.entries[0].body, '<p>矩阵直播条目</p>'),
    },
    {
      method: 'GET', path: '/api/publishing/deliveries', perm: 'content.read', ok: 200,
      url: () => '/api/publishing/deliveries?limit=200',
      check(res, fx) {
        const ids = new Set(res.body.items.map((d: any) => d.contentId));
        assert.ok(ids.has(fx.publishedA), "lists A's deliveries");
        assert.ok(!ids.has(fx.publishedB), "never B's");
      },
    },
    {
      // Pending deliveries may be retried again and again (one job per attempt count).
      method: 'POST', path: '/api/publishing/deliveries/:id/retry', perm: 'content.publish', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/publishing/deliveries/${s === 'outside' ? fx.deliveryB : fx.deliveryA}/retry`,
      check: (res) => assert.equal(res.body.delivery.status, 'pending'),
    },
    {
      method: 'GET', path: '/api/publishing/webhooks', perm: 'publishing.channels.manage', ok: 200,
      url: () => '/api/publishing/webhooks',
      check: (res) => assert.ok(Array.isArray(res.body.webhooks)),
    },
    {
      // The allowed case adds an endpoint for 客户端 and pauses it (one active endpoint per channel).
      method: 'POST', path: '/api/publishing/webhooks', perm: 'publishing.channels.manage', ok: 201,
      url: () => '/api/publishing/webhooks',
      body: () => ({ url: `https://hooks.example.org/${unique('m')}`, channels: ['app'] }),
      async check(res) {
        assert.match(res.body.secret, /^whsec_/);
        // Paused at once, so the next allowed case may take the same channel.
        const paused = await ctx().admin.patch(`/api/publishing/webhooks/${res.body.webhook.id}`, { paused: true });
        assert.equal(paused.status, 200);
      },
    },
    {
      method: 'PATCH', path: '/api/publishing/webhooks/:id', perm: 'publishing.channels.manage', ok: 200,
      url: (fx) => `/api/publishing/webhooks/${fx.webhook}`,
      body: () => ({ paused: true }),
      check: (res) => assert.equal(res.body.webhook.paused, true),
    },
    {
      method: 'DELETE', path: '/api/publishing/webhooks/:id', perm: 'publishing.channels.manage', ok: 204,
      // A fresh paused endpoint for each case, so an allowed delete has something to delete.
      async url() {
        const made = await ctx().admin.post('/api/publishing/webhooks', { url: `https://hooks.example.org/${unique('d')}`, channels: ['tv'] });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        await ctx().admin.patch(`/api/publishing/webhooks/${made.body.webhook.id}`, { paused: true });
        return `/api/publishing/webhooks/${made.body.webhook.id}`;
      },
    },
    // ---- opinion monitoring: content only, inside the analyst's subtree ----
    {
      method: 'POST', path: '/api/opinion/posts', perm: 'opinion.ingest', ok: 200,
      url: () => '/api/opinion/posts',
      body: () => ({ posts: [{ source: 'matrix', externalId: unique('m'), text: '矩阵测试：药店口罩一只卖二十元', publishedAt: new Date(Date.now() - 60_000).toISOString() }] }),
      check: (res) => assert.equal(res.body.results[0].status, 'created'),
    },
    {
      method: 'GET', path: '/api/opinion/posts', perm: 'opinion.read', ok: 200,
      url: () => '/api/opinion/posts?limit=200',
      check: (res, fx) => {
        const ids = new Set(res.body.posts.map((p: any) => p.id));
        assert.ok(ids.has(fx.postA), "lists A's post");
        assert.ok(!ids.has(fx.postB), "never lists B's post");
      },
    },
    {
      method: 'GET', path: '/api/opinion/posts/:id', perm: 'opinion.read', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/opinion/posts/${s === 'outside' ? fx.postB : fx.postA}`,
    },
    {
      method: 'POST', path: '/api/opinion/posts/:id/label', perm: 'opinion.handle', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/opinion/posts/${s === 'outside' ? fx.postB : fx.postA}/label`,
      body: () => ({ relevant: true, category: 'price_gouging' }),
    },
    {
      method: 'GET', path: '/api/opinion/cases/:id', perm: 'opinion.read', ok: 200, scopes: ['inside', 'outside'], hidden: true,
      url: (fx, s) => `/api/opinion/cases/${s === 'outside' ? fx.caseB : fx.caseA}`,
    },
    {
      method: 'POST', path: '/api/opinion/keyword-groups', perm: 'opinion.configure', ok: 201,
      url: () => '/api/opinion/keyword-groups',
      body: () => ({ name: unique('组'), rule: '(口罩|酒精) AND 涨价' }),
    },
    {
      method: 'GET', path: '/api/opinion/overview', perm: 'opinion.read', ok: 200,
      url: () => '/api/opinion/overview',
    },
    {
      method: 'GET', path: '/api/auth/me', perm: null, ok: 200,
      url: () => '/api/auth/me',
      check: (res, fx, role) => {
        assert.equal(res.body.user.username, fx.usernames[role]);
        assert.deepEqual(res.body.user.roles, [role]);
        assert.equal(res.body.user.orgId, fx.A);
      },
    },
  ];
}

interface Expectation {
  status: number;
  code?: string;
  /** Set for denials: the audit event they must leave. */
  denied?: { action: string; why: 'role' | 'scope' };
}

function expectFor(ep: Endpoint, role: Role, scope: Scope | null): Expectation {
  if (ep.perm && !rolesGrant([role], ep.perm)) return { status: 403, code: 'forbidden', denied: { action: `denied.${ep.perm}`, why: 'role' } };
  if (scope === 'outside') {
    return ep.hidden
      ? { status: 404, code: 'not_found', denied: { action: `denied.${ep.perm}`, why: 'scope' } }
      : { status: 403, code: 'forbidden', denied: { action: `denied.${ep.perm}`, why: 'scope' } };
  }
  return { status: ep.ok };
}

const hasChinese = (s: unknown) => typeof s === 'string' && /[\u4e00-\u9fff]/.test(s);

function assertError(res: { status: number; body: any }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code);
  assert.ok(hasChinese(res.body.error.message), `message in Chinese: ${res.body.error.message}`);
}

describeEachDb('role × endpoint × scope matrix', (ctx) => {
  const fx = {} as Fixture;
  // What the matrix denied, per "username|action|why", to be found in the audit log at the end.
  const denials = new Map<string, number>();

  before(async () => {
    const c = ctx();
    fx.root = c.rootOrgId;
    fx.A = await c.org(fx.root, 'township', '甲镇', 'MX-A');
    fx.A1 = await c.org(fx.A, 'village', '甲一村', 'MX-A1');
    fx.B = await c.org(fx.root, 'township', '乙镇', 'MX-B');
    fx.B1 = await c.org(fx.B, 'village', '乙一村', 'MX-B1');
    fx.users = {} as Fixture['users'];
    fx.usernames = {} as Fixture['usernames'];
    for (const role of ROLES) {
      fx.usernames[role] = `a_${role}`;
      fx.users[role] = await c.user(fx.A, [role], fx.usernames[role]);
    }
    const target = async (orgId: string, username: string) => {
      const res = await c.admin.post('/api/users', { username, password: USER_PASSWORD, displayName: username, orgId, roles: ['reporter'] });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.user.id as string;
    };
    fx.targetA1 = await target(fx.A1, 't_a1');
    fx.targetB1 = await target(fx.B1, 't_b1');
    // The bootstrap admin keeps policy.read (role admin) after handing security_admin over.
    const policy = await c.admin.get('/api/security/policy');
    assert.equal(policy.status, 200);
    fx.policy = policy.body.policy;
    // Publishing in A (by A's editor and reviewer) and in B (by a B editor and reviewer).
    const inOrg = async (org: string, tag: string) => {
      const editor = await c.user(org, ['editor'], `m_pub_ed_${tag}`);
      const reviewer = await c.user(org, ['reviewer'], `m_pub_rv_${tag}`);
      const live = await editor.post('/api/content', { kind: 'live', title: `矩阵直播${tag}`, body: '<p>导语</p>', theme: 'progress', channels: ['website'] });
      assert.equal(live.status, 201, JSON.stringify(live.body));
      assert.equal((await editor.post(`/api/content/${live.body.content.id}/live`, { body: '<p>矩阵直播条目</p>' })).status, 201);
      const item = await editor.post('/api/content', { kind: 'news', title: `矩阵稿件${tag}`, body: '<p>正文</p>', theme: 'progress', channels: ['website', 'weibo'] });
      const id = item.body.content.id;
      assert.equal((await editor.post(`/api/content/${id}/submit`)).status, 200);
      assert.equal((await reviewer.post(`/api/content/${id}/approve`)).status, 200);
      assert.equal((await editor.post(`/api/content/${id}/publish`, {})).status, 200);
      const weibo = (await editor.get(`/api/content/${id}`)).body.deliveries.find((d: any) => d.channel === 'weibo');
      return { live: live.body.content.id as string, published: id as string, delivery: weibo.id as string };
    };
    const a = await inOrg(fx.A, 'A');
    const b = await inOrg(fx.B, 'B');
    Object.assign(fx, { liveA: a.live, liveB: b.live, publishedA: a.published, publishedB: b.published, deliveryA: a.delivery, deliveryB: b.delivery });
    const hook = await c.admin.post('/api/publishing/webhooks', { url: 'https://hooks.example.org/matrix', channels: ['mobile_paper'] });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    fx.webhook = hook.body.webhook.id;
    // Opinion: an analyst in A and one in B each ingest a post and open a case on it.
    for (const [org, tag] of [[fx.A, 'A'], [fx.B, 'B']] as const) {
      const analyst = await c.user(org, ['opinion_analyst'], `m_op_${tag}`);
      const res = await analyst.post('/api/opinion/posts', { posts: [{ source: 'matrix', externalId: `fx-${tag}`, text: `${tag}镇超市白菜一夜涨到十元一斤`, publishedAt: new Date(Date.now() - 60_000).toISOString() }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const kase = await analyst.post('/api/opinion/cases', { postId: res.body.results[0].id });
      assert.equal(kase.status, 201, JSON.stringify(kase.body));
      Object.assign(fx, { [`post${tag}`]: res.body.results[0].id, [`case${tag}`]: kase.body.case.id });
    }
    fx.subtreeOfA = async () =>
      new Set(
        (await c.kernel.db.selectFrom('org_closure').select('descendant_id').where('ancestor_id', '=', fx.A).execute()).map((r) => r.descendant_id),
      );
  });

  test('the permissions this matrix relies on are as documented', () => {
    // A change to roles.ts must be a deliberate one: it changes the expectations below.
    assert.deepEqual(
      Object.fromEntries(
        (['org.read', 'org.manage', 'user.read', 'user.manage', 'user.lock', 'user.reset_password', 'policy.read', 'policy.manage', 'audit.read', 'job.read', 'job.manage', 'token.own', 'content.read', 'content.publish', 'publishing.channels.manage', 'opinion.ingest', 'opinion.read', 'opinion.handle', 'opinion.configure'] as const).map(
          (p) => [p, [...PERMISSIONS[p]].sort()],
        ),
      ),
      {
        'org.read': [...ROLES].sort(),
        'org.manage': ['admin'],
        'user.read': ['admin', 'security_admin'],
        'user.manage': ['admin'],
        'user.lock': ['security_admin'],
        'user.reset_password': ['security_admin'],
        'policy.read': ['admin', 'security_admin'],
        'policy.manage': ['security_admin'],
        'audit.read': ['auditor'],
        'job.read': ['admin'],
        'job.manage': ['admin'],
        'token.own': [...ROLES].sort(),
        'content.read': ['editor', 'publicity', 'reviewer'],
        'content.publish': ['editor', 'publicity', 'reviewer'],
        'publishing.channels.manage': ['admin'],
        'opinion.ingest': ['opinion_analyst'],
        'opinion.read': ['opinion_analyst', 'publicity'],
        'opinion.handle': ['opinion_analyst'],
        'opinion.configure': ['opinion_analyst'],
      },
    );
  });

  const eps = endpoints(ctx);
  for (const ep of eps) {
    for (const scope of ep.scopes ?? [null]) {
      for (const role of ROLES) {
        const exp = expectFor(ep, role, scope);
        test(`${role} ${ep.method} ${ep.path}${scope ? ` ${scope}` : ''} → ${exp.status}`, async () => {
          const url = await ep.url(fx, scope);
          const res = await fx.users[role].request(ep.method, url, ep.body?.(fx, scope));
          if (exp.code) {
            assertError(res, exp.status, exp.code);
            const key = `${fx.usernames[role]}|${exp.denied!.action}|${exp.denied!.why}`;
            denials.set(key, (denials.get(key) ?? 0) + 1);
          } else {
            assert.equal(res.status, exp.status, JSON.stringify(res.body));
            await ep.check?.(res, fx, role, scope);
          }
        });
      }
    }
  }

  for (const ep of eps) {
    const scope = ep.scopes?.[0] ?? null;
    test(`anonymous ${ep.method} ${ep.path}${scope ? ` ${scope}` : ''} → 401`, async () => {
      const res = await ctx().anon.request(ep.method, await ep.url(fx, scope), ep.body?.(fx, scope));
      assertError(res, 401, 'unauthenticated');
    });
  }

  test('anonymous: health and login are open, logout is a harmless no-op', async () => {
    const health = await ctx().anon.get('/api/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.ok, true);
    const login = await ctx().anon.post('/api/auth/login', { username: 'nobody-here', password: 'Wrong#2026pass' });
    assertError(login, 401, 'invalid_credentials');
    // Idempotent on purpose: a browser whose session already expired can still log out and have its
    // cookie cleared. Nothing is changed and nothing is revealed.
    assert.equal((await ctx().anon.post('/api/auth/logout')).status, 204);
  });

  test('anonymous: every /api route from the OpenAPI document refuses, never 2xx/5xx', async () => {
    const open = new Set(['GET /api/health', 'POST /api/auth/login', 'POST /api/auth/logout']);
    const paths = (ctx().app.swagger() as any).paths as Record<string, Record<string, unknown>>;
    const seen: string[] = [];
    for (const [p, ops] of Object.entries(paths)) {
      for (const m of Object.keys(ops)) {
        const method = m.toUpperCase() as Method;
        if (open.has(`${method} ${p}`) || p.startsWith('/api/public/')) continue;
        const url = p.replace(/\{[^}]+\}/g, fx.A1);
        const res = await ctx().anon.request(method, url, method === 'GET' || method === 'DELETE' ? undefined : {});
        seen.push(`${method} ${p}`);
        // Input validation runs before the handler's authorisation, so a body the schema refuses
        // is a 400 even for anonymous callers; anything that reaches the handler is a 401.
        assert.ok([400, 401].includes(res.status), `${method} ${p} → ${res.status} ${JSON.stringify(res.body)}`);
        if (res.status === 401) assert.equal(res.body.error.code, 'unauthenticated');
        else assert.equal(res.body.error.code, 'invalid_input');
      }
    }
    assert.ok(seen.length >= 20, `checked ${seen.length} routes`);
  });

  test('API tokens carry their user\'s role and scope', async () => {
    const tokenOf = async (role: Role) => {
      const res = await fx.users[role].post('/api/auth/tokens', { name: `矩阵-${role}` });
      assert.equal(res.status, 201);
      return new Client(ctx().app, undefined, undefined, res.body.token);
    };
    const publicity = await tokenOf('publicity');
    assertError(await publicity.post('/api/orgs', { parentId: fx.A, name: '令牌村', kind: 'village' }), 403, 'forbidden');
    const admin = await tokenOf('admin');
    assertError(await admin.post('/api/orgs', { parentId: fx.B, name: '令牌村', kind: 'village' }), 403, 'forbidden');
    assertError(await admin.patch(`/api/orgs/${fx.B1}`, { name: '令牌村' }), 404, 'not_found');
    const ok = await admin.post('/api/orgs', { parentId: fx.A, name: '令牌村', kind: 'village' });
    assert.equal(ok.status, 201);
    const listed = await admin.get('/api/orgs');
    assert.deepEqual(new Set(listed.body.orgs.map((o: any) => o.id)), await fx.subtreeOfA());
    for (const [key, n] of [
      [`a_publicity|denied.org.manage|role`, 1],
      [`a_admin|denied.org.manage|scope`, 2],
    ] as const) denials.set(key, (denials.get(key) ?? 0) + n);
  });

  test('every denial above was written to the audit log as denied.<permission>', async () => {
    const auditor = fx.users.auditor;
    assert.ok(denials.size > 20, `matrix denied ${denials.size} distinct (user, action, why)`);
    const found = new Map<string, number>();
    for (const role of ROLES) {
      const res = await auditor.get(`/api/audit?action=denied.&actor=${fx.usernames[role]}&limit=1000`);
      assert.equal(res.status, 200);
      for (const e of res.body.events) {
        assert.equal(e.outcome, 'denied');
        assert.match(e.action, /^denied\./);
        const key = `${e.actor}|${e.action}|${e.detail?.why}`;
        found.set(key, (found.get(key) ?? 0) + 1);
      }
    }
    for (const [key, n] of denials) assert.ok((found.get(key) ?? 0) >= n, `${key}: expected ${n} audit events, found ${found.get(key) ?? 0}`);
    // And the chain is intact after all of it.
    const verify = await auditor.get('/api/audit/verify');
    assert.equal(verify.body.ok, true);
  });
});

describeEachDb('三员分立 (separation of duties)', (ctx) => {
  const roles = async (c: Client) => (await c.get('/api/auth/me')).body.user.roles as string[];
  const countUsers = async () => Number((await ctx().kernel.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  test('admin, security_admin and auditor cannot be combined in one new account: 400 role_conflict', async () => {
    const before = await countUsers();
    for (const combo of [['admin', 'auditor'], ['admin', 'security_admin'], ['security_admin', 'auditor'], ['admin', 'security_admin', 'auditor', 'editor']]) {
      const res = await ctx().admin.post('/api/users', {
        username: `combo_${combo.length}_${combo[1]}`, password: USER_PASSWORD, displayName: '兼任', orgId: ctx().rootOrgId, roles: combo,
      });
      assertError(res, 400, 'role_conflict');
      assert.match(res.body.error.message, /三员分立/);
    }
    assert.equal(await countUsers(), before, 'nothing was created');
  });

  test('nor given to an existing account', async () => {
    const u = await ctx().user(ctx().rootOrgId, ['editor'], 'sep_editor');
    assertError(await ctx().admin.patch(`/api/users/${u.userId}`, { roles: ['admin', 'auditor'] }), 400, 'role_conflict');
    assert.deepEqual(await roles(u), ['editor']);
  });

  test('the bootstrap admin holds all three until others are appointed, then hands each over', async () => {
    const admin = ctx().admin;
    assert.deepEqual(await roles(admin), ['admin', 'auditor', 'security_admin']);
    assert.equal((await admin.get('/api/audit?limit=1')).status, 200);

    const auditor = await ctx().user(ctx().rootOrgId, ['auditor'], 'sep_auditor');
    assert.deepEqual(await roles(admin), ['admin', 'security_admin'], 'auditor handed over');
    assertError(await admin.get('/api/audit'), 403, 'forbidden');
    assertError(await admin.get('/api/audit/verify'), 403, 'forbidden');

    const secadm = await ctx().user(ctx().rootOrgId, ['security_admin'], 'sep_secadm');
    assert.deepEqual(await roles(admin), ['admin'], 'security_admin handed over');
    assert.equal((await admin.get('/api/security/policy')).status, 200, 'admin still reads the policy');
    const policy = (await secadm.get('/api/security/policy')).body.policy;
    assertError(await admin.put('/api/security/policy', policy), 403, 'forbidden');
    assert.equal((await secadm.put('/api/security/policy', policy)).status, 200);

    // The admin cannot take the auditor role back.
    const me = (await admin.get('/api/auth/me')).body.user.id;
    assertError(await admin.patch(`/api/users/${me}`, { roles: ['admin', 'auditor'] }), 400, 'role_conflict');
    assertError(await admin.get('/api/audit'), 403, 'forbidden');

    // The new auditor sees the hand-overs and the admin's refused reads.
    const events = (await auditor.get('/api/audit?limit=200')).body.events as any[];
    const adminId = me;
    assert.ok(events.some((e) => e.action === 'user.role.handover' && e.target === adminId && e.detail?.role === 'auditor'));
    assert.ok(events.some((e) => e.action === 'user.role.handover' && e.target === adminId && e.detail?.role === 'security_admin'));
    const denied = events.filter((e) => e.actor === 'admin' && e.outcome === 'denied');
    assert.ok(denied.some((e) => e.action === 'denied.audit.read'), 'admin GET /api/audit denial audited');
    assert.ok(denied.some((e) => e.action === 'denied.policy.manage'), 'admin PUT policy denial audited');
  });
});
