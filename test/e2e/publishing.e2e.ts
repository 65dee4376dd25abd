// End-to-end test of the newsroom workflow in the browser, against a real server and Debian's Chromium:
// the system admin adds an outbound webhook for Weibo (its secret shown once); an editor of a media
// unit writes an item on /publishing/new in the rich-text editor (typing, bold, a link), looks at the
// per-channel previews (website page, Weibo text with its length) and sends it for review; a reviewer
// (a second person, in a second browser context) approves and publishes it; the public site /news lists
// it and /news/:id shows it with its bold text and link; the Weibo delivery fails (nothing listens at
// the webhook's address) and shows its error and 重试 on 渠道分发; the reviewer withdraws the item with
// a note (an editor may not) and the public page answers 404. A second test runs a live blog: entries
// added in the editor, public in order once published, a new entry public at once.
// Screenshots go to /tmp/shots-pub.
//
// Needs a built web app (`npx vite build` → dist/web) and /usr/bin/chromium. Run with
//   node --import tsx --test test/e2e/publishing.e2e.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, E2E, USER_PASSWORD, apiLogin, apiPost, freePort, loginInBrowser, watchConsole } from './support.ts';

let e2e: E2E;

const world = { mediaId: '', editor: 'xw_bianji', reviewer: 'xw_shenhe' };
/** A 1×1 PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082', 'hex');

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

/** Clicks an option of the antd Select whose form item has this label. */
async function chooseIn(page: Page, label: string, option: string): Promise<void> {
  await page.locator('.ant-form-item').filter({ hasText: label }).locator('.ant-select').first().click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

/** The item as the API has it (the page's own session). */
async function stored(page: Page, id: string): Promise<{ body: string; status: string }> {
  const res = await page.request.get(`/api/content/${id}`);
  return ((await res.json()) as { content: { body: string; status: string } }).content;
}

describe('publishing in the browser', () => {
  test('admin adds a webhook; editor writes in the rich editor and previews channels; reviewer approves and publishes; /news shows it; the failed Weibo delivery can be retried; withdrawn, /news/:id is gone', async () => {
    // The admin adds an outbound webhook for Weibo at a loopback port where nothing listens.
    const adminCtx = await e2e.newContext();
    const admin = await adminCtx.newPage();
    const adminErrors = watchConsole(admin);
    await loginInBrowser(admin, 'admin', ADMIN_PASSWORD);
    await admin.getByTestId('nav-publishing-channels').click();
    await admin.waitForURL((u) => u.pathname === '/publishing/channels');
    await admin.getByTestId('webhook-add').click();
    await admin.getByTestId('webhook-url').fill(`http://127.0.0.1:${await freePort()}/weibo-hook`);
    await admin.locator('.ant-modal').getByLabel('微博').check();
    await admin.getByTestId('webhook-ok').click();
    const secret = admin.getByTestId('webhook-secret');
    await secret.waitFor();
    assert.match((await secret.innerText()).trim(), /^whsec_[A-Za-z0-9_-]{20,}/);
    await e2e.shot(admin, 'p00-webhook-secret', false);
    await admin.getByTestId('secret-done').click();
    await admin.getByTestId('webhook-table').getByText('/weibo-hook').waitFor();
    await admin.getByTestId('webhook-secret').waitFor({ state: 'detached' }); // gone from the page, not just hidden
    await e2e.shot(admin, 'p001-webhooks');
    assert.deepEqual(adminErrors, []);
    await adminCtx.close();

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
    await editor.locator('.ant-form-item').filter({ hasText: '发布渠道' }).getByLabel('微博').check();
    // The rich editor: type, bold, a link.
    const body = editor.getByTestId('content-body').locator('.ProseMirror');
    await body.click();
    await editor.keyboard.type('自即日起，城关镇核酸检测点调整为');
    await editor.getByTestId('tool-bold').click();
    await editor.keyboard.type('每日 8:00—18:00');
    await editor.getByTestId('tool-bold').click();
    await editor.keyboard.type('开放。详见');
    await editor.getByTestId('tool-link').click();
    await editor.getByTestId('link-url').fill('https://www.example.gov.cn/hesuan');
    await editor.getByTestId('link-ok').click();
    await body.locator('a[href="https://www.example.gov.cn/hesuan"]').waitFor();
    await body.locator('strong', { hasText: '每日 8:00—18:00' }).waitFor();
    // An image through POST /api/media goes into the document; a file that is not one is refused with the reason.
    await editor.getByTestId('tool-image-input').setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not an image at all') });
    await editor.getByTestId('image-error').getByText('图片上传失败').waitFor();
    await editor.getByTestId('tool-image-input').setInputFiles({ name: '检测点示意.png', mimeType: 'image/png', buffer: PNG });
    await body.locator('img[src^="/media/"][alt="检测点示意"]').waitFor();

    // Channel previews of the unsaved text: the website page, then Weibo with its length.
    const website = editor.getByTestId('preview-website');
    await website.waitFor();
    await editor.frameLocator('[data-testid=preview-website]').locator('h1', { hasText: title }).waitFor();
    await editor.frameLocator('[data-testid=preview-website]').locator('article strong', { hasText: '每日 8:00—18:00' }).waitFor();
    // A viewport shot: Chromium leaves sandboxed (out-of-process) frames blank in full-page pictures.
    await website.scrollIntoViewIfNeeded();
    await e2e.shot(editor, 'p005-editor-preview-website', false);
    await editor.getByTestId('preview-tab-weibo').click();
    const count = editor.getByTestId('weibo-count');
    await count.waitFor();
    assert.match(await count.innerText(), /^\d+ \/ 2000 字$/);
    await editor.getByTestId('preview-weibo').getByText(`【${title}】`, { exact: false }).waitFor();
    await e2e.shot(editor, 'p006-editor-preview-weibo');

    await editor.getByTestId('content-save').click();
    await editor.waitForURL((u) => /^\/publishing\/[0-9a-f-]{36}$/.test(u.pathname));
    const id = new URL(editor.url()).pathname.split('/').pop()!;
    await statusIs(editor, '草稿');
    const saved = await stored(editor, id);
    assert.match(saved.body, /<strong>每日 8:00—18:00<\/strong>/, saved.body);
    assert.match(saved.body, /<a [^>]*href="https:\/\/www\.example\.gov\.cn\/hesuan"[^>]*>https:\/\/www\.example\.gov\.cn\/hesuan<\/a>/, saved.body);
    assert.match(saved.body, /<a [^>]*rel="noopener noreferrer nofollow"/, saved.body);
    assert.match(saved.body, /<img src="\/media\/[0-9a-f]{64}" alt="检测点示意" \/>/, saved.body);
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
    await reviewer.getByRole('tab', { name: '分发' }).click();
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
    await reviewer.locator('article strong', { hasText: '每日 8:00—18:00' }).waitFor();
    await reviewer.locator('article a[href="https://www.example.gov.cn/hesuan"]').waitFor();
    await e2e.shot(reviewer, 'p04-public-article');

    // 渠道分发: the Weibo delivery failed (nothing listens at the webhook), with its error and 重试.
    await editor.getByTestId('nav-publishing-channels').click();
    await editor.waitForURL((u) => u.pathname === '/publishing/channels');
    const failedRow = editor.getByTestId('delivery-table').locator('tr', { hasText: title }).filter({ hasText: '发送失败' });
    for (let i = 0; i < 60 && (await failedRow.count()) === 0; i++) {
      await editor.waitForTimeout(500);
      await editor.getByTestId('delivery-status-filter').click();
      await editor.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '发送失败' }).click();
    }
    await failedRow.first().waitFor();
    await e2e.shot(editor, 'p045-deliveries-failed');
    await failedRow.first().getByTestId('delivery-retry').click();
    await editor.getByText('已重新投递').first().waitFor();

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

  test('a live blog: entries added in the editor, public newest first once published, a new entry public at once', async () => {
    const title = `区疫情防控新闻发布会图文直播 ${Date.now().toString(36)}`;
    const editorCtx = await e2e.newContext();
    const editor = await editorCtx.newPage();
    const errors = watchConsole(editor);
    await loginInBrowser(editor, world.editor);
    await editor.goto('/publishing/new');
    await editor.getByTestId('content-title').fill(title);
    await chooseIn(editor, '类型', '图文直播');
    await editor.getByTestId('content-body').locator('.ProseMirror').click();
    await editor.keyboard.type('区疫情防控指挥部今天上午召开新闻发布会，通报最新防控情况。');
    await editor.getByTestId('content-save').click();
    await editor.waitForURL((u) => /^\/publishing\/[0-9a-f-]{36}$/.test(u.pathname));
    const id = new URL(editor.url()).pathname.split('/').pop()!;
    const panel = editor.getByTestId('live-panel');
    await panel.getByText('还没有直播条目').waitFor();

    const post = async (text: string) => {
      await editor.getByTestId('live-body').locator('.ProseMirror').click();
      await editor.keyboard.type(text);
      await editor.getByTestId('live-add').click();
      await panel.getByTestId('live-entry').filter({ hasText: text }).waitFor();
    };
    await post('发布会开始，主持人介绍出席嘉宾。');
    await post('区卫健委负责人通报全区排查情况。');
    const entries = panel.getByTestId('live-entry');
    assert.deepEqual(await entries.allInnerTexts(), ['区卫健委负责人通报全区排查情况。', '发布会开始，主持人介绍出席嘉宾。'], 'newest first');
    await e2e.shot(editor, 'p06-live-editor');

    // Review and publication through the API (the first test covers them in the browser).
    const reviewerCtx = await e2e.newContext();
    const r = await apiLogin(reviewerCtx.request, world.reviewer, USER_PASSWORD);
    const e = await apiLogin(editorCtx.request, world.editor, USER_PASSWORD);
    await apiPost(editorCtx.request, e.csrf, `/api/content/${id}/submit`, {});
    await apiPost(reviewerCtx.request, r.csrf, `/api/content/${id}/approve`, {});
    await apiPost(editorCtx.request, e.csrf, `/api/content/${id}/publish`, {});
    await editor.reload();
    await statusIs(editor, '已发布');
    await panel.getByText('新增条目立即出现在公开页面上').waitFor();
    await post('记者提问：春节期间如何保障生活物资供应？');

    const pub = await editor.context().newPage();
    await pub.goto(`/news/${id}`);
    const lives = pub.locator('section.live');
    await lives.first().waitFor();
    const texts = await lives.allInnerTexts();
    assert.equal(texts.length, 3);
    assert.match(texts[0]!, /记者提问/);
    assert.match(texts[2]!, /发布会开始/);
    await e2e.shot(pub, 'p07-live-public');
    assert.deepEqual(errors, []);
    await editorCtx.close();
    await reviewerCtx.close();
  });
});
