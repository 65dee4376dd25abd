// postinstall: builds the optional native addon native/hugepages (huge pages for the opinion
// module's candidate index, see src/server/kernel/hugepages.ts) with npm's own node-gyp. It is only
// a speed-up: where it cannot be built (no C compiler, not Linux), the install goes on and says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native', 'hugepages');
if (process.platform !== 'linux') {
  console.log('[frontline] 非 Linux 系统：不编译大页内存扩展（不影响功能）');
  process.exit(0);
}
// npm gives lifecycle scripts the path of its node-gyp; elsewhere, the one beside npm.
const candidates = [
  process.env.npm_config_node_gyp,
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && fs.existsSync(p));
const gyp = candidates[0];
const warn = (why) => {
  console.warn(`[frontline] 警告：未能编译大页内存扩展（${why}）。平台照常运行，百万条帖文时舆情聚类查找会慢约三分之一。`);
  process.exit(0);
};
if (!gyp) warn('找不到 node-gyp');
const r = spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
if (r.status !== 0) {
  process.stderr.write((r.stdout ?? '').slice(-2000) + (r.stderr ?? '').slice(-2000));
  warn(r.error ? String(r.error.message) : `node-gyp 退出码 ${r.status}`);
}
console.log('[frontline] 大页内存扩展已编译：native/hugepages/build/Release/hugepages.node');
