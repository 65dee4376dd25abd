// The auditor's view of the audit log (read and verify). Nobody can change events: the kernel
// only appends, and the database refuses UPDATE/DELETE. Reading and verifying are audited too.
import type { Actor, Kernel } from '../../kernel/index.ts';
import type { z } from 'zod';
import type { auditQuery } from './audit.schema.ts';

export async function listEvents(kernel: Kernel, actor: Actor | null, q: z.infer<typeof auditQuery>) {
  const a = await kernel.authz.require(actor, 'audit.read');
  const rows = await kernel.audit.list({ limit: q.limit, action: q.action, actor: q.actor, beforeSeq: q.before });
  await kernel.audit.record({ actor: a, action: 'audit.read', detail: { limit: q.limit, action: q.action ?? null } });
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    ip: r.ip,
    detail: r.detail ? JSON.parse(r.detail) : null,
  }));
}

export async function verifyChain(kernel: Kernel, actor: Actor | null) {
  const a = await kernel.authz.require(actor, 'audit.read');
  const result = await kernel.audit.verify();
  await kernel.audit.record({ actor: a, action: 'audit.verify', outcome: result.ok ? 'ok' : 'failed', detail: { ...result } });
  return result;
}
