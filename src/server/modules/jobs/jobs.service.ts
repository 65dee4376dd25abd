// The admin's view of the durable job queue, and the platform's own housekeeping jobs.
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import type { JobRow } from '../../kernel/jobs.ts';
import { addMs, iso, MINUTE } from '../../kernel/time.ts';

const present = (j: JobRow) => ({
  id: j.id,
  type: j.type,
  status: j.status,
  attempts: j.attempts,
  maxAttempts: j.max_attempts,
  runAt: j.run_at,
  lastError: j.last_error,
  lockedBy: j.locked_by,
  createdAt: j.created_at,
  updatedAt: j.updated_at,
});

export async function listJobs(kernel: Kernel, actor: Actor | null, q: { status?: string; limit: number }) {
  await kernel.authz.require(actor, 'job.read');
  return (await kernel.jobs.list(q)).map(present);
}

export async function retryJob(kernel: Kernel, actor: Actor | null, id: string) {
  const a = await kernel.authz.require(actor, 'job.manage');
  const job = await kernel.jobs.retry(id);
  if (!job) {
    const exists = await kernel.db.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst();
    if (!exists) throw new AppError('not_found', '任务不存在');
    throw new AppError('conflict', '只有失败或已放弃的任务可以重试');
  }
  await kernel.audit.record({ actor: a, action: 'job.retry', target: id });
  return present(job);
}

export function registerHousekeeping(kernel: Kernel) {
  kernel.jobs.register('platform.cleanup', async () => {
    const now = kernel.clock();
    // Sessions idle past the longest allowed idle time, throttling windows and finished jobs.
    await kernel.db.deleteFrom('sessions').where('last_seen_at', '<', iso(addMs(now, -24 * 60 * MINUTE))).execute();
    await kernel.db.deleteFrom('rate_limits').where('window_start', '<', iso(addMs(now, -60 * MINUTE))).execute();
    await kernel.db.deleteFrom('login_failures').where('updated_at', '<', iso(addMs(now, -24 * 60 * MINUTE))).execute();
    await kernel.db
      .deleteFrom('jobs')
      .where('status', '=', 'done')
      .where('updated_at', '<', iso(addMs(now, -7 * 24 * 60 * MINUTE)))
      .execute();
  });
  kernel.jobs.schedule('platform.cleanup', 'platform.cleanup', 10 * MINUTE);

  kernel.jobs.register('audit.verify', async () => {
    const result = await kernel.audit.verify();
    await kernel.audit.record({ actor: null, action: 'audit.verify', outcome: result.ok ? 'ok' : 'failed', detail: { ...result } });
    if (!result.ok) throw new Error(`审计日志哈希链在第 ${result.brokenAt} 条处不一致`);
  });
  kernel.jobs.schedule('audit.verify.daily', 'audit.verify', 24 * 60 * MINUTE);
}
