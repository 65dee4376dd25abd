import fs from 'node:fs';
import { loadConfig } from '../src/server/config.ts';
import { createDb, migrateToLatest } from '../src/server/db/index.ts';
import { buildApp } from '../src/server/app.ts';
import { bootstrapPlatform } from '../src/server/bootstrap.ts';
import { ingestFor } from '../src/server/modules/opinion/opinion.ingest.ts';
import { postGenerator } from './opinion.ts';
const dir = '/tmp/prof-ingest-db'; fs.rmSync(dir, { recursive: true, force: true });
const config = loadConfig({ FRONTLINE_DATA_DIR: dir, FRONTLINE_ADMIN_PASSWORD: 'Bench#Admin2026', FRONTLINE_LOG_LEVEL: 'silent', FRONTLINE_JOBS: 'false', FRONTLINE_PASSWORD_HASH_COST: '10' });
const database = await createDb({ dataDir: dir });
await migrateToLatest(database.db);
const app = await buildApp({ config, database, logger: false });
await bootstrapPlatform(app.kernel); await app.ready();
const root = (await app.kernel.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).executeTakeFirstOrThrow()).id;
const gen = postGenerator(3);
const N = Number(process.env.N ?? 12);
const t0 = Date.now(); let c0 = process.cpuUsage();
for (let b = 0; b < N; b++) {
  if (b === 2) { c0 = process.cpuUsage(); }
  const batch = Array.from({ length: 1000 }, (_, i) => gen(new Date(Date.parse('2026-01-01') + (b * 1000 + i) * 1000).toISOString()));
  await ingestFor(app.kernel, { orgId: root, actor: null }, batch, 'push');
}
const c = process.cpuUsage(c0);
console.log('µs CPU/post (after warmup):', ((c.user + c.system) / ((N - 2) * 1000)).toFixed(0), 'wall s', (Date.now() - t0) / 1000);
await app.close(); await database.close();
