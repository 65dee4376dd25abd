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
import fs from 'node:fs';
import { ADMIN_PASSWORD, E2E, USER_PASSWORD, apiLogin, apiPost, loginInBrowser, watchConsole } from './support.ts';

let e2e: E2E;

const world = { districtId: '', townshipId: '', villageId: '', publicity: 'qu_zongjie' };

before(async () => {
  e2e = await E2E.start({
    name: 'reports',
    shotsDir: '/tmp/shots-pub',
    healthTimeoutMs: 90_000, // generous: the build machine is shared
    contextTimeoutMs: 30_000, // the machine is shared and often loaded
  });

  // The admin builds township → village and appoints a district publicity officer, who posts records.
  const context = await e2e.newContext();
  const admin = await apiLogin(context.request, 'admin', ADMIN_PASSWORD);
  world.districtId = admin.orgId;
  const township = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: world.districtId, name: '城关镇', kind: 'township', code: 'CGZ' });
  world.townshipId = township.org.id;
  const village = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: world.townshipId, name: '东风村', kind: 'village', code: 'CGZ-DFC' });
  world.villageId = village.org.id;
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.publicity, password: USER_PASSWORD, displayName: '王宣', orgId: world.districtId, roles: ['publicity'] });
  await context.close();

  const pubCtx = await e2e.newContext();
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
  await e2e?.stop();
});

const daysAgo = (n: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - n * 86_400_000));

describe('工作总结 in the browser', () => {
  test('the publicity officer generates the stage summary, follows a figure to its records and downloads the Word file', async () => {
    const context = await e2e.newContext();
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
    const params = new URL(href, e2e.baseUrl).searchParams;
    assert.equal(params.get('indicator'), 'banners');
    assert.equal(params.get('from'), from);
    assert.equal(params.get('to'), to);
    await e2e.shot(page, 'r01-stage-summary');

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
    await e2e.shot(page, 'r02-records-behind-figure');

    assert.deepEqual(errors, []);
    await context.close();
  });
});
