// End-to-end test of 工作总结 in the browser, against a real server and Debian's Chromium: the
// district's publicity officer (whose village records were posted through the API) opens /reports,
// picks the period, generates the stage summary, sees 一是强抓社会宣传 with its figures, follows a
// figure to the records behind it, and downloads the Word file.
// Screenshots go to /tmp/shots-pub.
//
// Needs a built web app (`npx vite build` → dist/web) and /usr/bin/chromium. Run with
//   node --import tsx --test test/e2e/reports.e2e.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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

const world = { districtId: '', townshipId: '', villageId: '', publicity: 'qu_zongjie' };

before(async () => {
  for (const file of ['index.html']) {
    if (!fs.existsSync(path.join(WEB_DIR, file))) {
      throw new Error(`dist/web/${file} is missing: build the web app first (npx vite build) — looked in ${WEB_DIR}`);
    }
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  fs.mkdirSync(SHOTS, { recursive: true });

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontline-e2e-reports-'));
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

  // The admin builds township → village and appoints a district publicity officer, who posts records.
  const context = await newContext();
  const admin = await apiLogin(context.request, 'admin', ADMIN_PASSWORD);
  world.districtId = admin.orgId;
  const township = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: world.districtId, name: '城关镇', kind: 'township', code: 'CGZ' });
  world.townshipId = township.org.id;
  const village = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: world.townshipId, name: '东风村', kind: 'village', code: 'CGZ-DFC' });
  world.villageId = village.org.id;
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.publicity, password: USER_PASSWORD, displayName: '王宣', orgId: world.districtId, roles: ['publicity'] });
  await context.close();

  const pubCtx = await newContext();
  const pub = await apiLogin(pubCtx.request, world.publicity, USER_PASSWORD);
  const records = [
    { clientId: randomUUID(), orgId: world.villageId, date: daysAgo(2), indicator: 'banners', value: 37 },
    { clientId: randomUUID(), orgId: world.villageId, date: daysAgo(1), indicator: 'banners', value: 21 },
    { clientId: randomUUID(), orgId: world.villageId, date: daysAgo(1), indicator: 'leaflets', value: 1200 },
  ];
  const res = await apiPost<{ results: Array<{ status: string }> }>(pubCtx.request, pub.csrf, '/api/outreach/records', { records });
  assert.deepEqual(res.results.map((r) => r.status), ['created', 'created', 'created']);
  await pubCtx.close();
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

const daysAgo = (n: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - n * 86_400_000));

describe('工作总结 in the browser', () => {
  test('the publicity officer generates the stage summary, follows a figure to its records and downloads the Word file', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const errors = watchConsole(page);
    await loginInBrowser(page, world.publicity);
    await page.getByTestId('nav-reports').click();
    await page.waitForURL((u) => u.pathname === '/reports');

    // The period: the last week.
    const from = daysAgo(7);
    const to = daysAgo(0);
    const inputs = page.locator('.ant-picker-range input');
    await inputs.nth(0).click();
    await inputs.nth(0).fill(from);
    await inputs.nth(0).press('Enter');
    await inputs.nth(1).fill(to);
    await inputs.nth(1).press('Enter');
    await page.keyboard.press('Escape');
    assert.equal(await inputs.nth(0).inputValue(), from);
    assert.equal(await inputs.nth(1).inputValue(), to);

    await page.getByTestId('report-generate').click();
    const frame = page.frameLocator('[data-testid="report-frame"]');
    await frame.getByText('一是强抓社会宣传').first().waitFor();
    await frame.getByText(/标语横幅58条/).first().waitFor();
    const figure = frame.locator('a.fig', { hasText: '58' }).first();
    const href = (await figure.getAttribute('href')) ?? '';
    assert.match(href, /^\/outreach\/records\?/);
    const params = new URL(href, baseUrl).searchParams;
    assert.equal(params.get('indicator'), 'banners');
    assert.equal(params.get('from'), from);
    assert.equal(params.get('to'), to);
    await shot(page, 'r01-stage-summary');

    // The Word file first (the figure link leaves the page).
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-docx').click()]);
    assert.match(download.suggestedFilename(), /\.docx$/);
    const file = await download.path();
    assert.ok(file, 'download saved');
    assert.equal(fs.readFileSync(file!).subarray(0, 2).toString('latin1'), 'PK', 'a .docx is a zip');

    // The figure opens the records behind it, in the top window.
    await figure.click();
    await page.waitForURL((u) => u.pathname === '/outreach/records' && u.searchParams.get('indicator') === 'banners');
    const table = page.locator('.ant-table-tbody');
    await table.getByText('37').first().waitFor();
    await table.getByText('21').first().waitFor();
    assert.equal(await table.getByText('1,200').count() + (await table.getByText('1200').count()), 0, 'only the banners behind the figure');
    await shot(page, 'r02-records-behind-figure');

    assert.deepEqual(errors, []);
    await context.close();
  });
});
