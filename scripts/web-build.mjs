// Builds the web app (dist/web) with Vite when it is missing or older than its sources.
// Shared by scripts/start.mjs and scripts/test.mjs so `npm start` and `npm test` work on a fresh clone.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'web', 'index.html');

/** Newest mtime (ms) of any file under dir (recursively), 0 if none. */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.isFile()) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Why dist/web needs a (re)build, or null when it is up to date or there is nothing to build. */
export function webBuildReason() {
  const srcWeb = path.join(ROOT, 'src', 'web');
  const config = path.join(ROOT, 'vite.config.ts');
  if (!fs.existsSync(srcWeb) || !fs.existsSync(config)) return null; // no web app (yet)
  const built = mtime(OUT);
  if (!built) return 'dist/web/index.html is missing';
  // package-lock.json: a dependency upgrade (antd, react, …) changes the bundle too.
  const inputs = [newestMtime(srcWeb), mtime(config), mtime(path.join(ROOT, 'package-lock.json'))];
  if (Math.max(...inputs) > built) return 'web sources changed since the last build';
  return null;
}

/** Run `npx vite build` if needed. Resolves true when dist/web is usable, false when the build failed. */
export async function ensureWebBuilt({ log = (m) => console.error(m) } = {}) {
  const reason = webBuildReason();
  if (!reason) return true;
  log(`正在构建前端… (building the web app: ${reason})`);
  const t0 = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    child.on('error', (err) => {
      log(`cannot run npx vite build: ${err.message}`);
      resolve(1);
    });
    child.on('exit', (c, sig) => resolve(sig ? 1 : c));
  });
  if (code !== 0) {
    log('前端构建失败 / web build failed (is vite installed? run `npm ci`)');
    return false;
  }
  log(`前端构建完成 / web app built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}
