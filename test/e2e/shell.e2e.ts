// End-to-end test of the admin web shell against a real server and Debian's Chromium:
// log in → build part of the org tree → create a village reporter → see them in the users table;
// the menu on a phone; the audit chain check; the language switch. Screenshots go to /tmp/shots.
//
// Needs a built web app (`npx vite build` → dist/web) and /usr/bin/chromium. Run with
//   node --import tsx --test test/e2e/shell.e2e.ts
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, E2E, loginInBrowser } from './support.ts';

let e2e: E2E;

const loginAsAdmin = (page: Page) => loginInBrowser(page, 'admin', ADMIN_PASSWORD);

/** Picks an option in an antd Select / TreeSelect whose trigger carries the test id. */
async function pickOption(page: Page, testId: string, search: string, optionText: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.keyboard.type(search);
  const popup = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden), .ant-tree-select-dropdown:not(.ant-select-dropdown-hidden)');
  await popup.getByTitle(optionText, { exact: true }).first().click();
}

before(async () => {
  e2e = await E2E.start({ shotsDir: '/tmp/shots', healthTimeoutMs: 30_000, contextTimeoutMs: 10_000 });
});

after(async () => {
  await e2e?.stop();
});

describe('admin web shell', () => {
  test('admin builds township → village in the org tree and creates a village reporter who shows in the users table', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (msg) => {
      // The session probe and the wrong password answer 401 on purpose; the browser logs those.
      if (msg.type() === 'error' && !/status of 401/.test(msg.text())) consoleErrors.push(msg.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));

    await page.goto('/users');
    await page.waitForURL((url) => url.pathname === '/login');
    await page.getByTestId('login-username').waitFor();
    await e2e.shot(page, '01-login');

    // Wrong password: the server's own message is shown inline.
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    assert.ok((await page.getByTestId('login-error').innerText()).trim().length > 0, 'login error has text');

    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    // ?next=/users brings us back where we were headed.
    await page.waitForURL((url) => url.pathname === '/users');
    await page.getByTestId('nav-home').click();
    await page.getByTestId('welcome-card').waitFor();
    await page.getByTestId('welcome-org').waitFor();
    await page.getByTestId('stat-users').locator('.ant-statistic-content-value').waitFor();
    await e2e.shot(page, '02-home');
    assert.match(await page.getByTestId('user-display-name').innerText(), /\S/);

    // Orgs: the admin's district is selected; add a township under it, then a village under that.
    await page.getByTestId('nav-orgs').click();
    await page.waitForURL((url) => url.pathname === '/orgs');
    await page.getByTestId('org-detail-title').waitFor();

    await page.getByTestId('org-add-child').click();
    await page.getByTestId('org-form-name').fill('城关镇');
    await page.getByTestId('org-form-code').fill('CGZ');
    assert.match(await page.getByTestId('org-form-kind').innerText(), /乡镇\/街道/);
    await e2e.shot(page, '03-org-form');
    await page.getByTestId('org-form-submit').click();
    await page.getByTestId('org-detail-title').filter({ hasText: '城关镇' }).waitFor();

    await page.getByTestId('org-add-child').click();
    await page.getByTestId('org-form-name').fill('东风村');
    assert.match(await page.getByTestId('org-form-kind').innerText(), /村/);
    await page.getByTestId('org-form-code').fill('CGZ-DFC');
    await page.getByTestId('org-form-submit').click();
    await page.getByTestId('org-detail-title').filter({ hasText: '东风村' }).waitFor();
    await page.locator('.org-tree [data-org-name="东风村"]').waitFor();
    await page.locator('.ant-modal-wrap').first().waitFor({ state: 'hidden' });

    // The search box filters the tree down to the match and its ancestors.
    await page.getByTestId('org-search').locator('input').fill('东风');
    await page.waitForFunction(() => document.querySelectorAll('.org-tree [data-testid="org-node"]').length === 3);
    await e2e.shot(page, '04-orgs');
    await page.getByTestId('org-search').locator('input').fill('');

    // Users: create a reporter in the new village.
    await page.getByTestId('nav-users').click();
    await page.waitForURL((url) => url.pathname === '/users');
    await page.getByTestId('users-table').locator('tbody tr.ant-table-row').first().waitFor();
    await page.getByTestId('user-create').click();
    await page.getByTestId('user-form-username').fill('dfc_li');
    await page.getByTestId('user-form-displayName').fill('李卫东');
    await pickOption(page, 'user-form-org', '东风', '东风村（村）');
    await pickOption(page, 'user-form-roles', '信息员', '村（社区）信息员');
    await page.keyboard.press('Escape');
    await page.getByTestId('user-form-password').fill('Village#2026ok');
    await e2e.shot(page, '05-user-form');
    await page.getByTestId('user-form-submit').click();

    const row = page.getByTestId('users-table').locator('tbody tr.ant-table-row', { hasText: 'dfc_li' });
    await row.waitFor();
    const rowText = await row.innerText();
    assert.match(rowText, /李卫东/);
    assert.match(rowText, /东风村/);
    assert.match(rowText, /村（社区）信息员/);
    assert.match(rowText, /正常/);
    await page.locator('.ant-modal-wrap').first().waitFor({ state: 'hidden' });
    await e2e.shot(page, '06-users');

    // The server agrees (same cookie, through the page's request context).
    const users = (await (await page.request.get('/api/users')).json()) as {
      users: { username: string; roles: string[]; orgId: string }[];
    };
    const orgs = (await (await page.request.get('/api/orgs')).json()) as { orgs: { id: string; name: string }[] };
    const created = users.users.find((u) => u.username === 'dfc_li');
    assert.ok(created, 'user exists on the server');
    assert.deepEqual(created.roles, ['reporter']);
    assert.equal(orgs.orgs.find((o) => o.id === created.orgId)?.name, '东风村');

    assert.deepEqual(consoleErrors, [], `browser console errors:\n${consoleErrors.join('\n')}`);
    await context.close();
  });

  test('an auditor page verifies the audit hash chain and the other admin pages render', async () => {
    const context = await e2e.newContext();
    const page = await context.newPage();
    await loginAsAdmin(page);

    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').locator('tbody tr.ant-table-row').first().waitFor();
    await page.getByTestId('audit-verify').click();
    await page.getByTestId('audit-verify-ok').waitFor();
    assert.match(await page.getByTestId('audit-verify-ok').innerText(), /哈希链完整，共 \d+ 条/);
    await e2e.shot(page, '07-audit');

    // The action filter is a prefix match on the server: "org." keeps only org events.
    await page.getByTestId('audit-filter-action').fill('org.');
    await page.getByTestId('audit-filter-action').press('Enter');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="audit-table"] tbody tr.ant-table-row')];
      return rows.length > 0 && rows.every((row) => row.textContent?.includes('org.'));
    });

    await page.getByTestId('nav-security').click();
    await page.getByTestId('policy-save').waitFor();
    await page.getByTestId('security-users-table').locator('tbody tr.ant-table-row').first().waitFor();
    await e2e.shot(page, '08-security');

    await page.getByTestId('nav-jobs').click();
    await page.getByTestId('jobs-table').waitFor();
    await e2e.shot(page, '09-jobs');

    await page.getByTestId('nav-account').click();
    await page.getByTestId('token-name').fill('舆情采集程序');
    await page.getByTestId('token-create').click();
    await page.getByTestId('token-secret').waitFor();
    assert.ok((await page.getByTestId('token-secret').innerText()).trim().length >= 16, 'token shown once');
    await page.getByTestId('tokens-table').locator('tbody tr.ant-table-row', { hasText: '舆情采集程序' }).waitFor();
    await e2e.shot(page, '10-account');

    // English, then back.
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('lang-en').click();
    // Switching language loads that locale's resources first: allow for a busy machine.
    await page.getByTestId('nav-users').filter({ hasText: 'Users' }).waitFor({ timeout: 30_000 });
    await e2e.shot(page, '11-account-en');
    // Back to Chinese. On a loaded CI machine the item's click has twice been lost (the menu still
    // opening or closing: 1 run in 4 at worst); as a person would, the test opens the menu and
    // clicks again, at most three times, and the language must have switched by then.
    const chinese = page.getByTestId('nav-users').filter({ hasText: '用户管理' });
    for (let attempt = 1; ; attempt++) {
      await page.getByTestId('lang-en').waitFor({ state: 'hidden' });
      await page.getByTestId('lang-switch').click();
      await page.getByTestId('lang-zh-CN').waitFor({ state: 'visible' });
      await page.getByTestId('lang-zh-CN').click();
      try {
        await chinese.waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 });
        if (attempt > 1) console.log(`# language switched back to Chinese on attempt ${attempt}`);
        break;
      } catch (e) {
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
    await context.close();
  });

  test('on a 390×844 phone the menu opens from the header and navigates', async () => {
    const context = await e2e.newContext({ width: 390, height: 844 });
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByTestId('login-username').waitFor();
    await e2e.shot(page, '12-phone-login');
    await loginAsAdmin(page);

    assert.equal(await page.locator('.app-sider').count(), 0, 'no fixed sider on a phone');
    await e2e.shot(page, '13-phone-home');
    await page.getByTestId('nav-toggle').click();
    await page.getByTestId('nav-users').waitFor({ state: 'visible' });
    await e2e.shot(page, '14-phone-menu');
    await page.getByTestId('nav-users').click();
    await page.waitForURL((url) => url.pathname === '/users');
    await page.getByTestId('users-table').locator('tbody tr.ant-table-row').first().waitFor();
    await page.locator('.nav-drawer .ant-drawer-content').waitFor({ state: 'hidden' });
    await e2e.shot(page, '15-phone-users');

    // Nothing is wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page overflows the phone width by ${overflow}px`);

    await page.getByTestId('nav-toggle').click();
    await page.getByTestId('nav-orgs').click();
    await page.getByTestId('org-detail-title').waitFor();
    await e2e.shot(page, '16-phone-orgs');
    await context.close();
  });

  test('after someone edits an audit event in the database file, the check shows the first broken event in red', async () => {
    // Simulates an intruder with file access: drop the append-only trigger and alter event 2.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(e2e.dataDir, 'frontline.db'));
    try {
      db.exec('DROP TRIGGER IF EXISTS audit_events_no_update');
      db.prepare("UPDATE audit_events SET target = 'tampered' WHERE seq = 2").run();
    } finally {
      db.close();
    }

    const context = await e2e.newContext();
    const page = await context.newPage();
    await loginAsAdmin(page);
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-verify').click();
    await page.getByTestId('audit-verify-broken').waitFor();
    assert.match(await page.getByTestId('audit-verify-broken').innerText(), /第 2 条/);
    await e2e.shot(page, '17-audit-broken');
    await context.close();
  });
});
