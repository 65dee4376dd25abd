// `npm start` / `npm run demo`: builds the web app when dist/web is missing or stale, then runs the
// server CLI (src/server/main.ts) through tsx with this terminal's stdio.
//
//   node scripts/start.mjs serve [...]   migrate, then listen (npm start)
//   node scripts/start.mjs demo [...]    seed a demo district into ./data-demo if empty, then listen
//   node scripts/start.mjs migrate|backup [--out FILE]
//
// The server runs in its own process group and gets each signal from here exactly once: a terminal's
// Ctrl-C would otherwise reach it twice (from the terminal and forwarded by npm or by us).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureWebBuilt, ROOT } from './web-build.mjs';
import { SERVER_NODE_ARGS } from './server-node-args.mjs';

const [command = 'serve', ...rest] = process.argv.slice(2);

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`需要 Node.js 20.19 或更高版本，当前为 ${process.versions.node} / Node.js >= 20.19 required.`);
  process.exit(1);
}
if (!fs.existsSync(path.join(ROOT, 'node_modules', 'tsx'))) {
  console.error('缺少依赖，请先运行 npm ci / dependencies missing: run `npm ci` first.');
  process.exit(1);
}
const main = path.join(ROOT, 'src', 'server', 'main.ts');
if (!fs.existsSync(main)) {
  console.error(`找不到服务端入口 ${path.relative(ROOT, main)} / server entry missing.`);
  process.exit(1);
}

const env = { ...process.env };
if (command === 'demo') {
  env.FRONTLINE_DATA_DIR ||= './data-demo';
  env.PORT ||= '3000';
}

// Only the commands that serve pages need the web app.
if (command === 'serve' || command === 'demo') {
  if (!(await ensureWebBuilt({ log: (m) => console.error(m) }))) process.exit(1);
}

const child = spawn(process.execPath, [...SERVER_NODE_ARGS, '--import', 'tsx', main, command, ...rest], {
  cwd: ROOT,
  env,
  stdio: 'inherit',
  detached: true, // own process group: signals reach the server only through the forwarding below
});

const lastForwarded = new Map();
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) {
  process.on(sig, () => {
    // npm and the terminal may both deliver the same Ctrl-C: pass one per second along. A second
    // Ctrl-C later still reaches the server (and may cut a slow shutdown short, as people expect).
    const now = Date.now();
    if (now - (lastForwarded.get(sig) ?? 0) < 1000) return;
    lastForwarded.set(sig, now);
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  });
}
// If this wrapper is ended in a way it can still notice, don't leave the server running on its own.
process.on('exit', () => {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  }
});

child.on('error', (err) => {
  console.error(`无法启动服务端 / cannot start the server: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    // Die the same way, so a supervisor sees what happened.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) process.removeAllListeners(sig);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
