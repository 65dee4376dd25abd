// Shared plumbing for the browser tests in test/e2e: start the server on a free port with its own
// temporary data dir and admin password, wait for /api/health, launch Debian's Chromium through
// playwright-core, and stop it all again; plus the API and login helpers the tests share.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIR = path.join(ROOT, 'dist/web');
export const CHROMIUM = process.env.FRONTLINE_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN_PASSWORD = 'Admin#2026pass';
export const USER_PASSWORD = 'Village#2026ok';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface E2EOptions {
  /** Suffix of the temporary data dir's name (frontline-e2e-<name>-…); none gives frontline-e2e-…. */
  name?: string;
  /** Where screenshots go (FRONTLINE_SHOTS_DIR overrides). */
  shotsDir: string;
  /** Files under dist/web the test needs. */
  webFiles?: string[];
  healthTimeoutMs: number;
  /** Default timeout of every new browser context. */
  contextTimeoutMs: number;
}

/** One server child process and one Chromium, for one test file. */
export class E2E {
  server: ChildProcess | undefined;
  serverLog = '';
  dataDir = '';
  baseUrl = '';
  browser: Browser | undefined;
  readonly shotsDir: string;

  private constructor(private readonly options: E2EOptions) {
    this.shotsDir = process.env.FRONTLINE_SHOTS_DIR ?? options.shotsDir;
  }

  /** Starts everything; if a step fails, what did start is stopped before the error is thrown. */
  static async start(options: E2EOptions): Promise<E2E> {
    const e2e = new E2E(options);
    try {
      await e2e.startAll();
    } catch (error) {
      await e2e.stop();
      throw error;
    }
    return e2e;
  }

  private async startAll(): Promise<void> {
    for (const file of this.options.webFiles ?? ['index.html']) {
      if (!fs.existsSync(path.join(WEB_DIR, file))) {
        throw new Error(`dist/web/${file} is missing: build the web app first (npx vite build) — looked in ${WEB_DIR}`);
      }
    }
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
    fs.mkdirSync(this.shotsDir, { recursive: true });

    const prefix = this.options.name ? `frontline-e2e-${this.options.name}-` : 'frontline-e2e-';
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      FRONTLINE_DATA_DIR: this.dataDir,
      FRONTLINE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      FRONTLINE_WEB_DIR: WEB_DIR,
      FRONTLINE_LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL; // each test file runs on its own SQLite file
    this.server = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', 'serve'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.server.stdout?.on('data', (chunk: Buffer) => (this.serverLog += chunk.toString()));
    this.server.stderr?.on('data', (chunk: Buffer) => (this.serverLog += chunk.toString()));
    await this.waitForHealth(this.options.healthTimeoutMs);

    this.browser = await chromium.launch({
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
  }

  private async waitForHealth(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      const exitCode = this.server?.exitCode;
      if (exitCode !== null && exitCode !== undefined) {
        throw new Error(`server exited with code ${exitCode} before it was healthy:\n${this.serverLog}`);
      }
      try {
        const response = await fetch(`${this.baseUrl}/api/health`);
        if (response.ok) return;
        lastError = new Error(`health answered ${response.status}`);
      } catch (error) {
        lastError = error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`server not healthy after ${timeoutMs} ms (${String(lastError)}):\n${this.serverLog}`);
  }

  /** Closes the browser, stops the server (SIGTERM, then SIGKILL after 5 s) and removes the data dir. */
  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    const server = this.server;
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  async newContext(viewport = { width: 1366, height: 860 }, phone = false): Promise<BrowserContext> {
    assert.ok(this.browser, 'browser not started');
    const context = await this.browser.newContext({
      baseURL: this.baseUrl,
      viewport,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    context.setDefaultTimeout(this.options.contextTimeoutMs);
    return context;
  }

  async shot(page: Page, name: string, fullPage = true): Promise<void> {
    // Let antd's motion (drawer, menu highlight, table fade) finish so the picture shows the settled UI.
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(this.shotsDir, `${name}.png`), fullPage });
  }
}

/** The district's calendar date (FRONTLINE_TZ defaults to Asia/Shanghai). */
export const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

/** Logs a request context in through the API; returns the CSRF token for its writes. */
export async function apiLogin(request: APIRequestContext, username: string, password: string): Promise<{ csrf: string; orgId: string }> {
  const res = await request.post('/api/auth/login', { data: { username, password } });
  assert.equal(res.status(), 200, `login ${username}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; user: { orgId: string } };
  return { csrf: body.csrfToken, orgId: body.user.orgId };
}

export async function apiPost<T>(request: APIRequestContext, csrf: string, url: string, data: unknown): Promise<T> {
  const res = await request.post(url, { data, headers: { 'x-csrf-token': csrf } });
  assert.ok(res.ok(), `POST ${url} → ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Logs in on the /login page and waits for the home page's welcome card. */
export async function loginInBrowser(page: Page, username: string, password = USER_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.getByTestId('welcome-card').waitFor();
}

/** Browser console errors, minus the ones a test provokes on purpose. */
export function watchConsole(page: Page, expected: RegExp[] = []): string[] {
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
