// CLI entry: serve | migrate | demo | backup. Settings come from the environment (config.ts);
// a bad setting or an unreachable database ends the process with one line, not a stack trace.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, DbConnectError, migrateToLatest, type Database } from './db/index.ts';
import { buildApp } from './app.ts';
import { bootstrapPlatform } from './bootstrap.ts';
import { seedDemo, DEMO_PASSWORD } from './demo/index.ts';

async function open(config: Readonly<Config>): Promise<Database> {
  const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteSync: config.sqliteSync });
  await migrateToLatest(database.db);
  return database;
}

async function serve(config: Readonly<Config>, opts: { demo?: boolean } = {}) {
  const database = await open(config);
  const app = await buildApp({ config, database });
  const boot = await bootstrapPlatform(app.kernel);
  if (boot.generatedPassword) {
    console.log(`\n  已创建系统管理员账号 admin，初始密码（只显示这一次，请登录后修改）：${boot.generatedPassword}\n`);
  }
  if (opts.demo) {
    const seeded = await seedDemo(app.kernel);
    console.log(seeded ? '\n  已生成示例区演示数据。' : '\n  演示数据已存在。');
    console.log(`  演示账号（密码均为 ${DEMO_PASSWORD}）：${seeded ? seeded.join('、') : '见 README'}\n`);
  }
  if (config.runJobs) app.kernel.jobs.start();
  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal (e.g. to the whole process group) must not cut the first shutdown short.
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.kernel.jobs.stop();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL' : path.join(config.dataDir, 'frontline.db');
  // The port listened on (PORT=0 asks the system for a free one).
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`  一线 Frontline 已启动：http://localhost:${port}  （数据：${where}）`);
}

async function backup(config: Readonly<Config>, out?: string) {
  if (config.databaseUrl) {
    throw new ConfigError('DATABASE_URL', '指向 PostgreSQL：请用 pg_dump 备份，见 docs/operations.md');
  }
  const database = await open(config);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const target = path.resolve(out ?? path.join(config.dataDir, 'backups', `frontline-${stamp}.db`));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // SQLite's online backup API: a consistent snapshot while the server keeps writing.
  await database.sqlite!.backup(target);
  await database.close();
  console.log(`备份完成：${target}`);
}

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  const command = positionals[0] ?? 'serve';
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config);
    case 'demo':
      return serve(config, { demo: true });
    case 'migrate': {
      const database = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      const applied = await migrateToLatest(database.db);
      await database.close();
      console.log(applied.length ? `已执行迁移：${applied.join(', ')}` : '数据库已是最新');
      return;
    }
    case 'backup':
      return backup(config, values.out);
    default:
      throw new ConfigError('命令', `“${command}”未知，可用：serve、demo、migrate、backup`);
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) console.error(err.message);
  else if (err instanceof DbConnectError) console.error(`配置错误：${err.setting} ${err.message}`);
  else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') console.error(`配置错误：PORT 端口已被占用（${(err as Error).message}）`);
  else console.error(`启动失败：${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
