// `npm run demo`: a fictional district (示例区) for newcomers. Every module adds its own seeder to
// `seeders`; each runs once, in order, on an empty demo database. No real people's names.
import type { Kernel } from '../kernel/index.ts';
import { seedFoundation } from './foundation.demo.ts';
import { seedOutreach } from './outreach.demo.ts';
import { seedPublishing } from './publishing.demo.ts';
import { seedOpinion } from './opinion.demo.ts';

export const DEMO_PASSWORD = 'Demo-2026-frontline';

export interface DemoContext {
  kernel: Kernel;
  /** Filled by the foundation seeder: org ids by code, user ids by username. */
  orgs: Map<string, string>;
  users: Map<string, string>;
}

type Seeder = (ctx: DemoContext) => Promise<void>;
const seeders: Seeder[] = [seedFoundation, seedOutreach, seedPublishing, seedOpinion];

/** Returns the demo usernames when it seeded, null when the demo data was already there. */
export async function seedDemo(kernel: Kernel): Promise<string[] | null> {
  const marker = await kernel.db.selectFrom('settings').select('value').where('key', '=', 'demo_seeded').executeTakeFirst();
  if (marker) return null;
  const ctx: DemoContext = { kernel, orgs: new Map(), users: new Map() };
  for (const seed of seeders) await seed(ctx);
  await kernel.db.insertInto('settings').values({ key: 'demo_seeded', value: JSON.stringify([...ctx.users.keys()]), updated_at: new Date().toISOString() }).execute();
  return [...ctx.users.keys()];
}
