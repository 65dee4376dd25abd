// End-to-end test of the outreach ledger in the browser, against a real server and Debian's Chromium:
//   (a) a village reporter on a 390×844 phone logs a record while offline on the /reporter/ page; it
//       waits in the outbox (待上传 1 条), goes up once the phone is online (已同步), and the district's
//       publicity officer sees it in the totals and on the 宣传总览 card;
//   (b) the publicity officer uploads an Excel file with one bad row on /outreach/import and sees the
//       row number and the Chinese reason, with the confirm button off.
// Screenshots go to /tmp/shots-outreach.
//
// Needs a built web app (`npx vite build` → dist/web, including dist/web/reporter/) and
// /usr/bin/chromium. Run with
//   node --import tsx --test test/e2e/outreach.e2e.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { ADMIN_PASSWORD, E2E, USER_PASSWORD, apiLogin, apiPost, loginInBrowser, today, watchConsole } from './support.ts';

const PHONE = { width: 390, height: 844 };

let e2e: E2E;

/** What the admin set up through the API for both tests. */
const world = { districtId: '', townshipId: '', villageId: '', reporter: 'dfc_xinxi', publicity: 'qu_xuanchuan' };

before(async () => {
  e2e = await E2E.start({
    name: 'outreach',
    shotsDir: '/tmp/shots-outreach',
    webFiles: ['index.html', 'reporter/index.html', 'reporter/sw.js'],
    healthTimeoutMs: 30_000,
    contextTimeoutMs: 10_000,
  });

  // The admin builds township → village and appoints a village reporter and a district publicity officer.
  const context = await e2e.newContext();
  const admin = await apiLogin(context.request, 'admin', ADMIN_PASSWORD);
  world.districtId = admin.orgId;
  const township = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: world.districtId, name: '城关镇', kind: 'township', code: 'CGZ' });
  world.townshipId = township.org.id;
  const village = await apiPost<{ org: { id: string } }>(context.request, admin.csrf, '/api/orgs', { parentId: world.townshipId, name: '东风村', kind: 'village', code: 'CGZ-DFC' });
  world.villageId = village.org.id;
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.reporter, password: USER_PASSWORD, displayName: '李卫东', orgId: world.villageId, roles: ['reporter'] });
  await apiPost(context.request, admin.csrf, '/api/users', { username: world.publicity, password: USER_PASSWORD, displayName: '王宣', orgId: world.districtId, roles: ['publicity'] });
  await context.close();
});

after(async () => {
  await e2e?.stop();
});

/** Whether the server answers /reporter/ with the reporter page itself (its directory index). */
async function reporterServedAtDirectory(): Promise<boolean> {
  const res = await fetch(`${e2e.baseUrl}/reporter/`);
  return res.ok && /一线·村社填报/.test(await res.text());
}

describe('outreach ledger in the browser', () => {
  test(
    'GET /reporter/ serves the reporter page (needs the server to map the directory to reporter/index.html)',
    async () => {
      assert.ok(await reporterServedAtDirectory(), '/reporter/ did not answer with the reporter page');
    },
  );

  test('a reporter on a phone logs 标语横幅 12 条 offline; it waits in the outbox, uploads once online and shows in the district totals and on the dashboard card', async (t) => {
    const context = await e2e.newContext(PHONE, true);
    const page = await context.newPage();
    const consoleErrors = watchConsole(page);

    // The reporter page: /reporter/ when the server serves the directory; else /reporter, which moves on to /reporter/index.html.
    await page.goto('/reporter/');
    await page.waitForURL((url) => url.pathname === '/reporter/' || url.pathname === '/reporter/index.html');
    await page.getByTestId('login-username').waitFor();
    assert.equal(await page.title(), '一线·村社填报');
    await e2e.shot(page, 'a01-reporter-login');

    await page.getByTestId('login-username').fill(world.reporter);
    await page.getByTestId('login-password').fill(USER_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('rep-indicator-banners').waitFor();
    await page.getByTestId('rep-sync-status').filter({ hasText: '已同步' }).waitFor();
    assert.match(await page.getByTestId('rep-org').innerText(), /东风村/);
    // The service worker controls the page once installed: from then on the page opens offline.
    await page.waitForFunction(() => !!navigator.serviceWorker?.controller, undefined, { timeout: 15_000 });
    await e2e.shot(page, 'a02-reporter-form', false);

    // Offline: the record goes into the outbox and waits.
    await context.setOffline(true);
    await page.getByTestId('rep-indicator-banners').click();
    assert.equal(await page.getByTestId('rep-indicator-banners').getAttribute('aria-checked'), 'true');
    assert.equal(await page.getByTestId('rep-value').getAttribute('inputmode'), 'numeric');
    await page.getByTestId('rep-value').fill('12');
    await page.getByTestId('rep-note').fill('村口、文化广场各挂 6 条');
    await page.getByTestId('rep-submit').click();
    await page.getByTestId('rep-sync-status').filter({ hasText: '待上传 1 条' }).waitFor();
    const queued = page.getByTestId('rep-queue-item');
    await queued.waitFor();
    assert.match(await queued.innerText(), /标语横幅 12 条/);
    await e2e.shot(page, 'a03-reporter-queued-offline', false);

    // Still offline, the page opens again from the service worker and the outbox is still there.
    await page.reload();
    await page.getByTestId('rep-sync-status').filter({ hasText: '待上传 1 条' }).waitFor();
    assert.equal(await page.getByTestId('rep-queue-item').count(), 1);
    assert.match(await page.getByTestId('rep-sync-status').innerText(), /离线/);

    // Online again: the outbox empties by itself.
    await context.setOffline(false);
    await page.getByTestId('rep-sync-status').filter({ hasText: '已同步' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.getByTestId('rep-queue-item').count(), 0);
    await page.getByTestId('rep-history-item').filter({ hasText: '标语横幅 12 条' }).waitFor();
    await e2e.shot(page, 'a04-reporter-synced', false);
    await e2e.shot(page, 'a05-reporter-synced-full');
    assert.deepEqual(consoleErrors, [], `browser console errors:\n${consoleErrors.join('\n')}`);
    await context.close();

    // The district total, as the publicity officer asks for it.
    const desk = await e2e.newContext();
    await apiLogin(desk.request, world.publicity, USER_PASSWORD);
    const day = today();
    const totals = (await (await desk.request.get(`/api/outreach/totals?orgId=${world.districtId}&from=${day}&to=${day}`)).json()) as {
      totals: Record<string, number>;
    };
    assert.equal(totals.totals.banners, 12, `district totals: ${JSON.stringify(totals)}`);
    await desk.close();

    // …and on the dashboard's 标语横幅 card.
    const office = await e2e.newContext();
    const dash = await office.newPage();
    const dashErrors = watchConsole(dash);
    await loginInBrowser(dash, world.publicity);
    await dash.getByTestId('nav-outreach').click();
    await dash.waitForURL((url) => url.pathname === '/outreach');
    const card = dash.getByTestId('total-card-banners');
    await card.locator('.ant-statistic-content-value').filter({ hasText: /^12$/ }).waitFor();
    assert.match(await card.innerText(), /标语横幅[\s\S]*12[\s\S]*条/);
    await dash.getByTestId('ranking-table').locator('tbody tr.ant-table-row', { hasText: '城关镇' }).waitFor();
    // The trend opens on the first indicator with anything in the period: 标语横幅 here.
    assert.equal(await card.getAttribute('aria-pressed'), 'true');
    await dash.locator('[data-testid="trend-chart"] canvas').waitFor();
    await e2e.shot(dash, 'a06-dashboard');

    // Drill down: district → 城关镇 → 东风村 → its records.
    await dash.getByTestId('ranking-table').locator('tbody tr.ant-table-row', { hasText: '城关镇' }).click();
    await dash.getByTestId('outreach-trail').filter({ hasText: '城关镇' }).waitFor();
    await dash.getByTestId('ranking-table').locator('tbody tr.ant-table-row', { hasText: '东风村' }).click();
    await dash.waitForURL((url) => url.pathname === '/outreach/records');
    const record = dash.getByTestId('records-table').locator('tbody tr.ant-table-row', { hasText: '标语横幅' });
    await record.waitFor();
    assert.match(await record.innerText(), /东风村[\s\S]*12 条/);
    await e2e.shot(dash, 'a07-records');

    // The coverage page counts 东风村 as reporting.
    await dash.getByTestId('nav-outreach-coverage').click();
    await dash.getByTestId('coverage-table').locator('tbody tr.ant-table-row', { hasText: '东风村' }).filter({ hasText: '正常' }).waitFor();
    await e2e.shot(dash, 'a08-coverage');
    assert.deepEqual(dashErrors, [], `browser console errors:\n${dashErrors.join('\n')}`);
    await office.close();

    // The same dashboard on a phone.
    const phone = await e2e.newContext(PHONE, true);
    const small = await phone.newPage();
    await loginInBrowser(small, world.publicity);
    await small.goto('/outreach');
    await small.getByTestId('total-card-banners').locator('.ant-statistic-content-value').filter({ hasText: /^12$/ }).waitFor();
    await small.locator('[data-testid="trend-chart"] canvas').waitFor();
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `dashboard overflows the phone width by ${overflow}px`);
    await e2e.shot(small, 'a09-dashboard-phone');
    await phone.close();
  });

  test('a publicity officer uploads an Excel file with a bad row and sees its row number and reason in Chinese; confirming stays off', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    const consoleErrors = watchConsole(page);
    await loginInBrowser(page, world.publicity);

    // The district's own template, filled in: one good row (prefilled 东风村), one bad row.
    const template = await page.request.get(`/api/outreach/template?orgId=${world.districtId}`);
    assert.equal(template.status(), 200, await template.text());
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await template.body()) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('填报');
    assert.ok(sheet, 'the template has a 填报 sheet');
    const header = Array.from(sheet.getRow(1).values as unknown[], (v) => String(v ?? ''));
    const col = (title: string) => {
      const i = header.findIndex((h) => h === title || h.startsWith(`${title}（`));
      assert.ok(i > 0, `column ${title} in ${header.join(',')}`);
      return i;
    };
    assert.equal(sheet.getRow(2).getCell(col('单位编码')).text, 'CGZ-DFC');
    const day = today();
    sheet.getRow(2).getCell(col('日期')).value = day;
    sheet.getRow(2).getCell(col('标语横幅')).value = 3;
    sheet.getRow(2).getCell(col('宣传单')).value = 200;
    const bad = sheet.getRow(3);
    bad.getCell(col('单位编码')).value = 'CGZ-DFC';
    bad.getCell(col('单位名称')).value = '东风村';
    bad.getCell(col('日期')).value = day;
    bad.getCell(col('宣传单')).value = -50;
    const file = path.join(e2e.dataDir, '东风村台账.xlsx');
    await wb.xlsx.writeFile(file);

    await page.getByTestId('nav-outreach-import').click();
    await page.waitForURL((url) => url.pathname === '/outreach/import');
    await page.getByTestId('import-dragger').waitFor();
    await e2e.shot(page, 'b01-import');
    await page.getByTestId('import-dragger').locator('input[type="file"]').setInputFiles(file);
    await page.getByTestId('import-preview').waitFor({ timeout: 20_000 });

    const errorRow = page.getByTestId('import-table').locator('tbody tr.ant-table-row.row-error');
    await errorRow.waitFor();
    assert.equal(await errorRow.count(), 1, 'exactly one row is in error');
    assert.equal((await errorRow.locator('td').first().innerText()).trim(), '3', 'the bad row is row 3 of the sheet');
    assert.match(await errorRow.getByTestId('import-row-errors').innerText(), /宣传单不能为负数/);
    assert.equal(await page.getByTestId('import-error-count').locator('.ant-statistic-content-value').innerText(), '1');
    assert.ok(await page.getByTestId('import-confirm').isDisabled(), 'confirm is disabled while a row has an error');
    // The good row is shown as fine.
    const goodRow = page.getByTestId('import-table').locator('tbody tr.ant-table-row:not(.row-error)').first();
    assert.match(await goodRow.innerText(), /标语横幅 3条[\s\S]*宣传单 200张[\s\S]*无误/);
    await e2e.shot(page, 'b02-import-preview-error');

    // Nothing was counted by the preview.
    const totals = (await (await page.request.get(`/api/outreach/totals?orgId=${world.districtId}&from=${day}&to=${day}`)).json()) as {
      totals: Record<string, number>;
    };
    assert.equal(totals.totals.leaflets, 0);
    assert.deepEqual(consoleErrors, [], `browser console errors:\n${consoleErrors.join('\n')}`);
    await context.close();

    // The preview on a phone.
    const phone = await e2e.newContext(PHONE, true);
    const small = await phone.newPage();
    await loginInBrowser(small, world.publicity);
    await small.goto('/outreach/import');
    await small.getByTestId('import-dragger').locator('input[type="file"]').setInputFiles(file);
    await small.getByTestId('import-preview').waitFor({ timeout: 20_000 });
    await small.getByTestId('import-table').locator('tbody tr.row-error').waitFor();
    await e2e.shot(small, 'b03-import-preview-phone');
    await phone.close();
  });
});
