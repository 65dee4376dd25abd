// postinstall: builds the optional native addons with npm's own node-gyp:
// - native/hugepages: huge pages for the opinion module's candidate index (src/server/kernel/hugepages.ts);
// - native/textcore: the opinion text pipeline's segmenter and word features in C (src/text/textcore.ts).
// Each is only a speed-up: where one cannot be built (no C compiler, not Linux for huge pages), the
// install goes on and says so, and the TypeScript code runs instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'native');
const addons = [
  { name: 'hugepages', label: '大页内存扩展', linuxOnly: true, without: '百万条帖文时舆情聚类查找会慢约三分之一' },
  { name: 'textcore', label: '文本处理内核', linuxOnly: false, without: '舆情文本分析改用 TypeScript 实现，结果相同，速度稍慢' },
];
// npm gives lifecycle scripts the path of its node-gyp; elsewhere, the one beside npm.
const gyp = [
  process.env.npm_config_node_gyp,
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => p && fs.existsSync(p));

for (const a of addons) {
  if (a.linuxOnly && process.platform !== 'linux') {
    console.log(`[frontline] 非 Linux 系统：不编译${a.label}（不影响功能）`);
    continue;
  }
  const warn = (why) => console.warn(`[frontline] 警告：未能编译${a.label}（${why}）。平台照常运行，${a.without}。`);
  if (!gyp) {
    warn('找不到 node-gyp');
    continue;
  }
  const r = spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: path.join(root, a.name), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    process.stderr.write((r.stdout ?? '').slice(-2000) + (r.stderr ?? '').slice(-2000));
    warn(r.error ? String(r.error.message) : `node-gyp 退出码 ${r.status}`);
    continue;
  }
  console.log(`[frontline] ${a.label}已编译：native/${a.name}/build/Release/${a.name}.node`);
}
