// End-to-end test of the newsroom workflow in the browser, against a real server and Debian's Chromium:
// an editor of a media unit writes an item on /publishing/new and sends it for review; a reviewer (a
// second person, in a second browser context) approves and publishes it; the public site /news lists it
// and /news/:id shows it; the reviewer withdraws it with a note (an editor may not) and the public
// page answers 404.
// Screenshots go to /tmp/shots-pub.
//
// Needs a built web app (`npx vite build` → dist/web) and /usr/bin/chromium. Run with
//   node --import tsx --test test/e2e/publishing.e2e.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, E2E, USER_PASSWORD, apiLogin, apiPost, loginInBrowser, watchConsole } from './support.ts';

let e2e: E2E;

const world = { mediaId: '', editor: 'xw_bianji', reviewer: 'xw_shenhe' };

before(async () => {
  e2e = await E2E.start({
    name: 'publishing',
    shotsDir: '/tmp/shots-pub',
    healthTimeoutMs: 90_000, // generous: the build machine is shared
    contextTimeoutMs: 30_000, // the machine is shared and often loaded
  });

  // The admin sets up a media unit under the district with an editor and a reviewer.
  const context = await e2e.newContext();
  const admin = await apiLogin(context.request, 'admin', ADMIN_PASSWORD);
  const media = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: admin.orgId, name: '区融媒体中心', kind: 'media', code: 'RMT' });
  world.mediaId = media.org.id;
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.editor, password: USER_PASSWORD, displayName: '张编辑', orgId: world.mediaId, roles: ['editor'] });
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.reviewer, password: USER_PASSWORD, displayName: '刘审核', orgId: world.mediaId, roles: ['reviewer'] });
  await context.close();
});

after(async () => {
  await e2e?.stop();
});

async function statusIs(page: Page, text: string): Promise<void> {
  await page.getByTestId('content-status').filter({ hasText: text }).first().waitFor();
}

describe('publishing in the browser', () => {
  test('editor writes and sends for review; reviewer approves and publishes; /news shows it; withdrawn, /news/:id is gone', async () => {
    const title = `城关镇核酸检测点调整公告 ${Date.now().toString(36)}`;
    const editorCtx = await e2e.newContext();
    const editor = await editorCtx.newPage();
    const editorErrors = watchConsole(editor, [/status of 4\d\d/]);
    await loginInBrowser(editor, world.editor);

    await editor.getByTestId('nav-publishing').click();
    await editor.waitForURL((u) => u.pathname === '/publishing');
    await editor.getByTestId('content-new').click();
    await editor.waitForURL((u) => u.pathname === '/publishing/new');
    await editor.getByTestId('content-title').fill(title);
    const body = editor.getByTestId('content-body');
    await body.fill('<p>自即日起，城关镇核酸检测点调整为每日 8:00—18:00 开放。</p>\n');
    await editor.getByTestId('tool-p').click();
    await body.press('End');
    await editor.getByTestId('content-save').click();
    await editor.waitForURL((u) => /^\/publishing\/[0-9a-f-]{36}$/.test(u.pathname));
    const id = new URL(editor.url()).pathname.split('/').pop()!;
    await statusIs(editor, '草稿');
    await editor.getByTestId('content-preview').getByText('城关镇核酸检测点调整为').waitFor();
    await e2e.shot(editor, 'p01-editor-draft');

    await editor.getByTestId('content-submit').click();
    await statusIs(editor, '待审');
    assert.equal(await editor.getByTestId('content-approve').count(), 0, 'an editor has no 审核通过 button');

    // The reviewer, in a browser of their own.
    const reviewerCtx = await e2e.newContext();
    const reviewer = await reviewerCtx.newPage();
    const reviewerErrors = watchConsole(reviewer, [/status of 4\d\d/]);
    await loginInBrowser(reviewer, world.reviewer);
    await reviewer.goto('/publishing');
    await reviewer.getByTestId('content-link').filter({ hasText: title }).click();
    await reviewer.waitForURL((u) => u.pathname === `/publishing/${id}`);
    await statusIs(reviewer, '待审');
    await reviewer.getByTestId('content-approve').click();
    await statusIs(reviewer, '已通过');
    await reviewer.getByTestId('content-publish').click();
    await statusIs(reviewer, '已发布');
    await reviewer.getByText('分发').click();
    await e2e.shot(reviewer, 'p02-reviewer-published');

    // 发布统计 counts it (cards and the bar by channel).
    await reviewer.getByTestId('nav-publishing-stats').click();
    await reviewer.waitForURL((u) => u.pathname === '/publishing/stats');
    await reviewer.getByTestId('channel-chart').locator('canvas').waitFor();
    await reviewer.locator('.ant-statistic').filter({ hasText: '发布稿件' }).getByText('1').waitFor();
    await e2e.shot(reviewer, 'p025-stats');

    // The public site: the list and the article.
    await reviewer.goto('/news');
    await reviewer.getByText(title).first().waitFor();
    await e2e.shot(reviewer, 'p03-public-news');
    await reviewer.goto(`/news/${id}`);
    await reviewer.getByText(title).first().waitFor();
    await reviewer.getByText('城关镇核酸检测点调整为').first().waitFor();
    await e2e.shot(reviewer, 'p04-public-article');

    // The editor sees it published but may not withdraw it (撤回 is for reviewers); the reviewer withdraws it with a note.
    await editor.goto(`/publishing/${id}`);
    await statusIs(editor, '已发布');
    assert.equal(await editor.getByTestId('content-unpublish').count(), 0, 'an editor has no 撤回 button');
    await reviewer.goto(`/publishing/${id}`);
    await statusIs(reviewer, '已发布');
    await reviewer.getByTestId('content-unpublish').click();
    await reviewer.getByTestId('note-input').fill('检测点安排有变，另行发布');
    await reviewer.getByTestId('note-ok').click();
    await statusIs(reviewer, '已撤回');
    await e2e.shot(reviewer, 'p05-withdrawn');

    const gone = await reviewer.goto(`/news/${id}`);
    assert.equal(gone?.status(), 404, 'a withdrawn item is no longer public');
    const list = await reviewer.request.get('/news');
    assert.ok(!(await list.text()).includes(title), '/news no longer lists it');
    const api = await reviewer.request.get('/api/public/content');
    assert.ok(!(await api.text()).includes(title), '/api/public/content no longer lists it');

    assert.deepEqual(editorErrors, []);
    assert.deepEqual(reviewerErrors, []);
    await editorCtx.close();
    await reviewerCtx.close();
  });
});
