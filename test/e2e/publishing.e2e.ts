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
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WEB_DIR = path.join(ROOT, 'dist/web');
const CHROMIUM = process.env.FRONTLINE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.FRONTLINE_SHOTS_DIR ?? '/tmp/shots-pub';
const ADMIN_PASSWORD = 'Admin#2026pass';
const USER_PASSWORD = 'Village#2026ok';

let server: ChildProcess | undefined;
let serverLog = '';
let dataDir = '';
let baseUrl = '';
let browser: Browser | undefined;


async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null && server?.exitCode !== undefined) {
      throw new Error(`server exited with code ${server.exitCode} before it was healthy:\n${serverLog}`);
    }
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.ok) return;
      lastError = new Error(`health answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not healthy after ${timeoutMs} ms (${String(lastError)}):\n${serverLog}`);
}

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  // Let antd's motion finish so the picture shows the settled UI.
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

async function newContext(viewport = { width: 1366, height: 860 }, phone = false): Promise<BrowserContext> {
  assert.ok(browser, 'browser not started');
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  context.setDefaultTimeout(30_000); // the machine is shared and often loaded
  return context;
}

/** The district's calendar date (FRONTLINE_TZ defaults to Asia/Shanghai). */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** Logs a request context in through the API; returns the CSRF token for its writes. */
async function apiLogin(request: APIRequestContext, username: string, password: string): Promise<{ csrf: string; orgId: string }> {
  const res = await request.post('/api/auth/login', { data: { username, password } });
  assert.equal(res.status(), 200, `login ${username}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; user: { orgId: string } };
  return { csrf: body.csrfToken, orgId: body.user.orgId };
}

async function apiPost<T>(request: APIRequestContext, csrf: string, url: string, data: unknown): Promise<T> {
  const res = await request.post(url, { data, headers: { 'x-csrf-token': csrf } });
  assert.ok(res.ok(), `POST ${url} → ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

async function loginInBrowser(page: Page, username: string): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(USER_PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.getByTestId('welcome-card').waitFor();
}

/** Browser console errors, minus the ones a test provokes on purpose. */
function watchConsole(page: Page, expected: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // The session probe answers 401 before login; offline fetches fail by design.
    if (/status of 401|ERR_INTERNET_DISCONNECTED|ERR_FAILED|ERR_NETWORK_CHANGED/.test(text)) return;
    if (expected.some((re) => re.test(text))) return;
    errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

const world = { mediaId: '', editor: 'xw_bianji', reviewer: 'xw_shenhe' };

before(async () => {
  for (const file of ['index.html']) {
    if (!fs.existsSync(path.join(WEB_DIR, file))) {
      throw new Error(`dist/web/${file} is missing: build the web app first (npx vite build) — looked in ${WEB_DIR}`);
    }
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  fs.mkdirSync(SHOTS, { recursive: true });

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-e2e-publishing-'));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    FRONTLINE_DATA_DIR: dataDir,
    FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    FRONTLINE_WEB_DIR: WEB_DIR,
    FRONTLINE_LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL; // this test runs on its own SQLite file
  server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
  await waitForHealth(baseUrl, 90_000); // generous: the build machine is shared

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

  // The admin sets up a media unit under the district with an editor and a reviewer.
  const context = await newContext();
  const admin = await apiLogin(context.request, 'admin', ADMIN_PASSWORD);
  const media = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: admin.orgId, name: '区融媒体中心', kind: 'media', code: 'RMT' });
  world.mediaId = media.org.id;
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.editor, password: USER_PASSWORD, displayName: '张编辑', orgId: world.mediaId, roles: ['editor'] });
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.reviewer, password: USER_PASSWORD, displayName: '刘审核', orgId: world.mediaId, roles: ['reviewer'] });
  await context.close();
});

after(async () => {
  await browser?.close().catch(() => undefined);
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function statusIs(page: Page, text: string): Promise<void> {
  await page.getByTestId('content-status').filter({ hasText: text }).first().waitFor();
}

describe('publishing in the browser', () => {
  test('editor writes and sends for review; reviewer approves and publishes; /news shows it; withdrawn, /news/:id is gone', async () => {
    const title = `城关镇核酸检测点调整公告 ${Date.now().toString(36)}`;
    const editorCtx = await newContext();
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
    await shot(editor, 'p01-editor-draft');

    await editor.getByTestId('content-submit').click();
    await statusIs(editor, '待审');
    assert.equal(await editor.getByTestId('content-approve').count(), 0, 'an editor has no 审核通过 button');

    // The reviewer, in a browser of their own.
    const reviewerCtx = await newContext();
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
    await shot(reviewer, 'p02-reviewer-published');

    // 发布统计 counts it (cards and the bar by channel).
    await reviewer.getByTestId('nav-publishing-stats').click();
    await reviewer.waitForURL((u) => u.pathname === '/publishing/stats');
    await reviewer.getByTestId('channel-chart').locator('canvas').waitFor();
    await reviewer.locator('.ant-statistic').filter({ hasText: '发布稿件' }).getByText('1').waitFor();
    await shot(reviewer, 'p025-stats');

    // The public site: the list and the article.
    await reviewer.goto('/news');
    await reviewer.getByText(title).first().waitFor();
    await shot(reviewer, 'p03-public-news');
    await reviewer.goto(`/news/${id}`);
    await reviewer.getByText(title).first().waitFor();
    await reviewer.getByText('城关镇核酸检测点调整为').first().waitFor();
    await shot(reviewer, 'p04-public-article');

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
    await shot(reviewer, 'p05-withdrawn');

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
