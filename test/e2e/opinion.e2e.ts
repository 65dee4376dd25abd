// End-to-end test of opinion monitoring (网络舆情) in the browser, against a real server and Debian's
// Chromium, as an opinion analyst: posts pushed through the API (with near-duplicate reposts) appear
// in the stream with their categories, and a new one is announced while the page is open; the
// reposts' cluster has at least three posts; a label shows on its post; a case made from the cluster
// records 移交市场监管部门 and gives a Word referral sheet; a refutation written in the library is
// handed over to news publishing (已转交) and attached to the cluster; the keyword-group editor explains a broken rule in Chinese. Throughout,
// no author name that was pushed appears on any page (content, not people). Last, the daily brief is
// generated from the overview as a Word file.
// Screenshots go to /tmp/shots-opinion.
//
// Needs a built web app (`npx vite build` → dist/web) and /usr/bin/chromium. Run with
//   node --import tsx --test test/e2e/opinion.e2e.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { APIRequestContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, E2E, USER_PASSWORD, apiLogin, apiPost, loginInBrowser, watchConsole } from './support.ts';

let e2e: E2E;
const ANALYST = 'yq_fenxi';

/** Author names sent with the posts; none may ever be shown. */
const AUTHORS = ['隔壁老王说真话', 'zhangsan_1987', '城东李阿姨', '快乐的小赵'];

const RUMOR = '紧急扩散！疫区寄来的快递外包装上带病毒，能活好几天，千万别签收，直接让快递员退回去';
const REPOSTS = [
  RUMOR,
  `转发：${RUMOR}！！`,
  '【扩散】疫区寄来的快递外包装上带病毒，能活好几天，千万别签收，直接让快递员退回去！！！',
  '紧急扩散 疫区寄来的快递外包装上帶病毒，能活好幾天，千萬別簽收，直接讓快遞員退回去',
];
const PRICE = '城东那家药店N95口罩卖到一百块一只，平时才五块钱，疫情期间这样涨价不是趁火打劫吗';
const CONCERN = '请问一下，小区封闭管理期间老人买菜怎么办？社区有没有统一配送的安排？';
const LATE = '刚刚看到消息说西门菜市场有人确诊了，市场已经封了，大家千万别去，赶紧转告家里人';

type Ingested = { externalId: string; id: string; category: string; clusterId: string };

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

async function push(request: APIRequestContext, csrf: string, posts: Array<{ externalId: string; text: string; minutes: number; author: string }>): Promise<Ingested[]> {
  const body = { posts: posts.map((p) => ({ source: '微博', externalId: p.externalId, text: p.text, publishedAt: minutesAgo(p.minutes), author: p.author })) };
  const res = await apiPost<{ results: Ingested[] }>(request, csrf, '/api/opinion/posts', body);
  return res.results;
}

/** The privacy check: the visible text of the page names none of the authors. */
async function noAuthors(page: Page, where: string): Promise<void> {
  const text = await page.locator('body').innerText();
  const html = await page.content();
  for (const a of AUTHORS) {
    assert.ok(!text.includes(a) && !html.includes(a), `author "${a}" appears on ${where}`);
  }
}

async function pickOption(page: Page, text: string): Promise<void> {
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: text }).first().click();
}

let analyst: { csrf: string; request: APIRequestContext };
let ingested: Ingested[] = [];

before(async () => {
  e2e = await E2E.start({ name: 'opinion', shotsDir: '/tmp/shots-opinion', healthTimeoutMs: 90_000, contextTimeoutMs: 30_000 });
  const context = await e2e.newContext();
  const admin = await apiLogin(context.request, 'admin', ADMIN_PASSWORD);
  await apiPost(context.request, admin.csrf, '/api/users', { username: ANALYST, password: USER_PASSWORD, displayName: '周分析', orgId: admin.orgId, roles: ['opinion_analyst'] });
  // A media centre with an editor: where refutations are handed over to.
  const media = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: admin.orgId, name: '区融媒体中心', kind: 'media' });
  await apiPost(context.request, admin.csrf, '/api/users', { username: 'e2e_media_editor', password: USER_PASSWORD, displayName: '融媒体编辑', orgId: media.org.id, roles: ['editor'] });
  await context.close();
});

after(async () => {
  await e2e?.stop();
});

describe('opinion monitoring in the browser', () => {
  test('analyst: stream with categories and live banner, cluster of reposts, label, case with referral sheet, refutation attached, rule error in Chinese; no author shown', async () => {
    const ctx = await e2e.newContext();
    const apiCtx = await e2e.newContext();
    const login = await apiLogin(apiCtx.request, ANALYST, USER_PASSWORD);
    analyst = { csrf: login.csrf, request: apiCtx.request };

    // A connector pushes posts: four near-duplicate reposts of one rumour (different accounts), a
    // price-gouging lead and a public concern.
    ingested = await push(analyst.request, analyst.csrf, [
      ...REPOSTS.map((text, i) => ({ externalId: `wb-r${i}`, text, minutes: 50 - i * 10, author: AUTHORS[i]! })),
      { externalId: 'wb-p1', text: PRICE, minutes: 8, author: AUTHORS[1]! },
      { externalId: 'wb-c1', text: CONCERN, minutes: 5, author: AUTHORS[2]! },
    ]);
    assert.equal(ingested.length, 6);
    const reposts = ingested.slice(0, 4);
    const clusterId = reposts[0]!.clusterId;
    assert.ok(reposts.filter((r) => r.clusterId === clusterId).length >= 3, `reposts cluster together: ${JSON.stringify(reposts)}`);
    const apiText = await (await analyst.request.get('/api/opinion/posts?limit=50')).text();
    for (const a of AUTHORS) assert.ok(!apiText.includes(a), `the posts API names no author (${a})`);

    const page = await ctx.newPage();
    const errors = watchConsole(page, [/status of 4\d\d/]);
    await loginInBrowser(page, ANALYST);

    // 帖文流: every post with the category the server gave it.
    await page.getByTestId('nav-opinion-posts').click();
    await page.waitForURL((u) => u.pathname === '/opinion/posts');
    const card = (text: string) => page.getByTestId('post-card').filter({ hasText: text });
    await card(PRICE).waitFor();
    for (const r of ingested) {
      const c = page.locator(`[data-testid=post-card][data-post-id="${r.id}"]`);
      await c.waitFor();
      assert.equal(await c.getByTestId('category-tag').getAttribute('data-category'), r.category, `category of ${r.externalId}`);
    }
    assert.equal(await page.getByTestId('post-card').count(), 6);
    await e2e.shot(page, 'o01-stream', false);
    await noAuthors(page, 'the stream');

    // A post arriving while the stream is open is announced, then shown on request.
    const [late] = await push(analyst.request, analyst.csrf, [{ externalId: 'wb-late', text: LATE, minutes: 0, author: AUTHORS[3]! }]);
    await page.getByTestId('new-posts-banner').waitFor({ timeout: 40_000 });
    await e2e.shot(page, 'o02-stream-new-banner', false);
    await page.getByTestId('show-new-posts').click();
    await page.locator(`[data-testid=post-card][data-post-id="${late!.id}"]`).waitFor();

    // Filters live in the address bar: a report's link (?category=…&relevant=true) is honoured.
    const priceCategory = ingested[4]!.category;
    await page.goto(`/opinion/posts?category=${priceCategory}&relevant=true`);
    await card(PRICE).waitFor();
    assert.equal(await card(CONCERN).count(), ingested[5]!.category === priceCategory ? 1 : 0);

    // Label the price post with a different category; the label shows on it at once.
    await page.goto('/opinion/posts');
    const priceCard = card(PRICE);
    const target = priceCategory === 'concern' ? { value: 'price_gouging', name: '哄抬物价' } : { value: 'concern', name: '群众关切' };
    await priceCard.getByTestId('label-open').click();
    const form = page.getByTestId('label-form');
    await form.getByText('涉疫', { exact: true }).click();
    await form.getByText(target.name, { exact: true }).click();
    await e2e.shot(page, 'o03-label-popover', false);
    await form.getByTestId('label-save').click();
    await priceCard.getByTestId('post-label').filter({ hasText: target.name }).waitFor();
    const labelled = await (await analyst.request.get(`/api/opinion/posts/${ingested[4]!.id}`)).json();
    assert.deepEqual([labelled.post.label.relevant, labelled.post.label.category], [true, target.value]);

    // The reposts' cluster: size ≥ 3, its timeline and sources.
    await card(RUMOR).first().getByTestId('post-cluster-link').click();
    await page.waitForURL((u) => u.pathname === `/opinion/clusters/${clusterId}`);
    const size = Number(await page.getByTestId('cluster-detail-size').innerText());
    assert.ok(size >= 3, `cluster size ${size}`);
    await page.getByTestId('cluster-timeline').locator('canvas').waitFor();
    await e2e.shot(page, 'o04-cluster');
    await noAuthors(page, 'the cluster page');

    // A case from the cluster; record 移交市场监管部门 and download the referral sheet.
    await page.getByTestId('cluster-create-case').click();
    await page.getByTestId('case-title').fill('快递带病毒谣言');
    await page.getByTestId('create-case-ok').click();
    await page.waitForURL((u) => u.pathname === '/opinion/cases' && !!u.searchParams.get('case'));
    const drawer = page.getByTestId('case-drawer');
    await drawer.getByTestId('case-title-text').filter({ hasText: '快递带病毒谣言' }).waitFor();
    await drawer.getByTestId('action-kind').click();
    await pickOption(page, '移交市场监管部门');
    await drawer.getByTestId('action-regulator').fill('区市场监督管理局');
    await drawer.getByTestId('action-note').fill('请核查快递网点是否借机加价');
    await drawer.getByTestId('action-submit').click();
    await drawer.locator('[data-testid=case-history-entry][data-kind=refer_regulator]').waitFor();
    await drawer.getByTestId('case-status').filter({ hasText: '处置中' }).first().waitFor();
    await e2e.shot(page, 'o05-case-drawer');
    const [download] = await Promise.all([page.waitForEvent('download'), drawer.getByTestId('download-referral').click()]);
    assert.match(download.suggestedFilename(), /\.docx$/);
    const file = await download.path();
    const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
    assert.equal(head, 'PK', 'the referral sheet is a zip (docx)');
    await noAuthors(page, 'the case drawer');
    await drawer.locator('.ant-drawer-close').click();
    await page.getByTestId('case-column-responding').getByTestId('case-card').first().waitFor();
    await e2e.shot(page, 'o06-case-board', false);

    // 辟谣库: write a refutation, then attach it to the cluster.
    await page.goto('/opinion/refutations');
    await page.getByTestId('refutation-new').click();
    await page.getByTestId('refutation-claim').fill('境外快递包裹会传播新冠病毒');
    await page.getByTestId('refutation-facts').fill('病毒在物体表面存活时间有限，经过长途运输的快递包裹传播病毒的风险极低。收取快递后洗手即可，无需拒收。');
    await page.getByTestId('refutation-save').click();
    await page.getByTestId('refutation-claim-cell').filter({ hasText: '境外快递包裹会传播新冠病毒' }).waitFor();
    // Handed over to news publishing: a draft article there; the entry shows 已转交 until it is published.
    const row = page.locator('tr', { has: page.getByTestId('refutation-claim-cell').filter({ hasText: '境外快递包裹会传播新冠病毒' }) });
    assert.equal(await row.getByTestId('refutation-status').innerText(), '草稿');
    await row.getByTestId('refutation-handover').click();
    await page.locator('.ant-modal').getByText('区融媒体中心').first().waitFor(); // the first unit, chosen
    await e2e.shot(page, 'o07-refutation-handover', false);
    await page.getByTestId('refutation-handover-confirm').click();
    await row.getByTestId('refutation-status').filter({ hasText: '已转交' }).waitFor();
    assert.equal(await row.getByTestId('refutation-handover').count(), 0, 'handed over once');
    await e2e.shot(page, 'o07-refutations', false);

    await page.goto(`/opinion/clusters/${clusterId}`);
    const panel = page.getByTestId('cluster-refutation');
    await panel.waitFor();
    if (await panel.getByTestId('attached-claim').count()) {
      // Already matched by its claim when it was written: detach, so attaching is what we test.
      await panel.getByTestId('detach-refutation').click();
      await panel.getByTestId('pick-refutation').waitFor();
    }
    await panel.getByTestId('pick-refutation').click();
    await pickOption(page, '境外快递包裹会传播新冠病毒');
    await panel.getByTestId('attach-refutation').click();
    await panel.getByTestId('attached-claim').filter({ hasText: '境外快递包裹会传播新冠病毒' }).waitFor();
    await page.getByTestId('cluster-posts').getByTestId('refuted-badge').first().waitFor();
    await e2e.shot(page, 'o08-cluster-refuted', false);

    // 关键词组: a broken rule is explained in Chinese, with where; a good one can be tried.
    await page.goto('/opinion/keyword-groups');
    await page.getByTestId('group-new').click();
    const editor = page.getByTestId('group-editor');
    await editor.getByTestId('group-name').fill('口罩涨价');
    await editor.getByTestId('group-rule').fill('(口罩|N95 AND (涨价|哄抬)');
    await editor.getByTestId('group-save').click();
    const ruleError = editor.getByTestId('rule-error');
    await ruleError.waitFor();
    const message = await ruleError.innerText();
    assert.match(message, /[\u4e00-\u9fff]/, `a Chinese message: ${message}`);
    assert.match(message, /括号/, message);
    await e2e.shot(page, 'o09-rule-error', false);
    await editor.getByTestId('group-rule').fill('(口罩|N95) AND (涨价|哄抬|趁火打劫)');
    await editor.getByTestId('rule-sample').fill(PRICE);
    await editor.getByTestId('rule-test').click();
    await editor.getByTestId('rule-result').filter({ hasText: '命中' }).waitFor();
    await editor.getByTestId('group-save').click();
    await page.getByTestId('group-table').getByText('口罩涨价').waitFor();

    // The other pages open, and none of them names an author either.
    for (const [path, testId] of [
      ['/opinion', 'overview-cards'],
      ['/opinion/clusters', 'cluster-table'],
      ['/opinion/alerts', 'alert-table'],
      ['/opinion/sources', 'source-table'],
      ['/opinion/model', 'model-table'],
    ] as const) {
      await page.goto(path);
      await page.getByTestId(testId).waitFor();
      await page.waitForTimeout(300);
      await noAuthors(page, path);
    }
    await page.goto('/opinion');
    await page.getByTestId('opinion-hourly-chart').locator('canvas').waitFor();
    await e2e.shot(page, 'o10-overview', false);

    // 舆情日报 from the overview, as Word.
    await page.getByTestId('brief-open').click();
    const [brief] = await Promise.all([page.waitForEvent('download'), page.getByTestId('brief-generate').click()]);
    assert.match(brief.suggestedFilename(), /舆情日报.*\.docx$/);
    assert.equal(fs.readFileSync(await brief.path()).subarray(0, 2).toString('latin1'), 'PK', 'the brief is a docx');

    assert.deepEqual(errors, []);
    await ctx.close();
    await apiCtx.close();
  });

  test('analyst: two clusters of one claim in other words are merged from the list; the merged one points to the kept one', async () => {
    const ctx = await e2e.newContext();
    const apiCtx = await e2e.newContext();
    const login = await apiLogin(apiCtx.request, ANALYST, USER_PASSWORD);
    const A = '听说喝板蓝根能预防新冠肺炎，药店里的板蓝根冲剂都卖断货了，大家赶紧去买';
    const B = '朋友圈疯传板蓝根可以防新型冠状病毒？我家老人一口气抢了十几包，真的有用吗';
    const got = await push(apiCtx.request, login.csrf, [
      { externalId: 'm-a1', text: A, minutes: 30, author: AUTHORS[0]! },
      { externalId: 'm-a2', text: `转发：${A}`, minutes: 20, author: AUTHORS[1]! },
      { externalId: 'm-a3', text: `【扩散】${A}`, minutes: 10, author: AUTHORS[2]! },
      { externalId: 'm-b1', text: B, minutes: 25, author: AUTHORS[3]! },
      { externalId: 'm-b2', text: `//@社区群: ${B}`, minutes: 15, author: AUTHORS[0]! },
    ]);
    const [idA, idB] = [got[0]!.clusterId, got[3]!.clusterId];
    assert.notEqual(idA, idB, 'the paraphrases are two clusters');

    const page = await ctx.newPage();
    const errors = watchConsole(page, [/status of 4\d\d/]);
    await loginInBrowser(page, ANALYST);
    await page.goto('/opinion/clusters');
    const table = page.getByTestId('cluster-table');
    const row = (text: string) => table.locator('tr.ant-table-row').filter({ hasText: text.slice(0, 12) });
    await row(A).waitFor();
    assert.equal(await page.getByTestId('merge-clusters').isDisabled(), true, 'merging needs two clusters');
    await row(A).locator('.ant-checkbox-input').check();
    await row(B).locator('.ant-checkbox-input').check();
    await page.getByTestId('merge-clusters').click();
    const modal = page.locator('.ant-modal:visible');
    await modal.getByText('合并后不能撤销').waitFor();
    assert.equal(await modal.getByTestId('merge-target').locator('.ant-radio-wrapper-checked').innerText().then((t) => t.includes('3 条')), true, 'the largest is kept by default');
    await e2e.shot(page, 'o11-merge-clusters', false);
    await modal.getByTestId('merge-confirm').click();
    await row(B).waitFor({ state: 'detached' });
    await page.waitForFunction((t) => [...document.querySelectorAll('tr.ant-table-row')].some((r) => r.textContent!.includes(t) && r.querySelector('[data-testid=cluster-size]')?.textContent === '5'), A.slice(0, 12));

    await page.goto(`/opinion/clusters/${idB}`);
    const banner = page.getByTestId('cluster-merged');
    await banner.waitFor();
    assert.match(await banner.innerText(), /并入另一聚类/);
    await e2e.shot(page, 'o12-merged-banner', false);
    await banner.getByRole('link').click();
    await page.waitForURL((u) => u.pathname === `/opinion/clusters/${idA}`);
    // The kept cluster's page replaces the merged one's (same route): wait for its figures and posts.
    await page.waitForFunction(() => document.querySelector('[data-testid=cluster-detail-size]')?.textContent === '5');
    await page.getByTestId('cluster-posts').getByText(B.slice(0, 12)).first().waitFor();
    await noAuthors(page, 'the merged cluster');

    // The merge undone: B's two posts are picked and split off together, and the page goes to their cluster.
    const posts = page.getByTestId('cluster-posts');
    const ofB = posts.getByTestId('post-card').filter({ hasText: B.slice(0, 8) });
    assert.equal(await ofB.count(), 2);
    for (const card of await ofB.all()) await card.getByTestId('post-select').check();
    assert.match(await page.getByTestId('posts-selected').innerText(), /已选 2 条帖文/);
    await page.getByTestId('split-open').click();
    await page.locator('.ant-popconfirm:visible').getByText('把选中的 2 条帖文拆分出去？').waitFor();
    await e2e.shot(page, 'o13-split', false);
    await page.getByTestId('split-confirm').click();
    await page.waitForURL((u) => u.pathname.startsWith('/opinion/clusters/') && !u.pathname.endsWith(idA) && !u.pathname.endsWith(idB));
    await page.waitForFunction(() => document.querySelector('[data-testid=cluster-detail-size]')?.textContent === '2');
    assert.equal(await page.getByTestId('posts-selected').count(), 0, 'the new page starts with nothing picked');
    const splitId = new URL(page.url()).pathname.split('/').pop()!;

    // Taken out again: one of B's posts becomes a cluster of its own, and the page goes there.
    const card = page.getByTestId('cluster-posts').getByTestId('post-card').filter({ hasText: `//@社区群: ${B.slice(0, 8)}` });
    await card.getByTestId('detach-open').click();
    await page.locator('.ant-popconfirm:visible').getByText('把这条帖文移出本聚类？').waitFor();
    await e2e.shot(page, 'o14-detach', false);
    await page.getByTestId('detach-confirm').click();
    await page.waitForURL((u) => u.pathname.startsWith('/opinion/clusters/') && ![idA, idB, splitId].some((x) => u.pathname.endsWith(x)));
    // The cluster left behind has one post too: wait for the new one's sample, not just a size of 1.
    await page.waitForFunction(
      () => document.querySelector('[data-testid=cluster-detail-size]')?.textContent === '1' && /社区群/.test(document.querySelector('[data-testid=cluster-sample]')?.textContent ?? ''),
    );
    const kept = await (await apiCtx.request.get(`/api/opinion/clusters/${idA}`)).json();
    assert.equal(kept.cluster.size, 3);
    const rest = await (await apiCtx.request.get(`/api/opinion/clusters/${splitId}`)).json();
    assert.equal(rest.cluster.size, 1);
    assert.deepEqual(errors, []);
    await ctx.close();
    await apiCtx.close();
  });
});
