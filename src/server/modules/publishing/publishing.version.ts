// The public version: a value in `settings` that changes whenever published content changes.
// Every instance's public-site cache revalidates against it; the instance that made the change
// also drops its cache at once after the commit.
import type { Kernel } from '../../kernel/index.ts';
import type { Trx } from '../../db/index.ts';
import { newId } from '../../kernel/crypto.ts';
import { iso } from '../../kernel/time.ts';
import { putSetting } from '../security/security.queries.ts';

export const PUBLIC_VERSION_KEY = 'publishing_version';

const listeners = new WeakMap<Kernel, () => void>();
export const onPublicChange = (kernel: Kernel, fn: () => void) => listeners.set(kernel, fn);

export async function bumpPublicVersion(kernel: Kernel, trx: Trx) {
  await putSetting(trx, PUBLIC_VERSION_KEY, newId(), iso(kernel.clock()));
  // Runs after the surrounding transaction commits (or not at all if it rolls back).
  const fn = listeners.get(kernel);
  if (fn) afterCommit(trx, fn);
}

const pending = new WeakMap<object, Array<() => void>>();
function afterCommit(trx: Trx, fn: () => void) {
  const list = pending.get(trx) ?? [];
  list.push(fn);
  pending.set(trx, list);
}
/** Call once the transaction `trx` has committed. */
export function flushAfterCommit(trx: Trx) {
  for (const fn of pending.get(trx) ?? []) fn();
  pending.delete(trx);
}
