// What every start does after migrations: the first admin and root org on an empty database,
// then each module's built-in catalogue (idempotent).
import type { Kernel } from './kernel/index.ts';
import { modules } from './modules/index.ts';
import { ensureBootstrap, type BootstrapResult } from './modules/users/bootstrap.ts';

export async function bootstrapPlatform(kernel: Kernel): Promise<BootstrapResult> {
  const result = await ensureBootstrap(kernel);
  for (const mod of modules) await mod.catalogue?.(kernel);
  return result;
}
