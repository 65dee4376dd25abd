import { z } from 'zod';

export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    action: z.string().max(64).optional(),
    actor: z.string().max(64).optional(),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export const auditEvent = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.string(),
  ip: z.string().nullable(),
  detail: z.unknown().nullable(),
});
export const auditResponse = z.object({ events: z.array(auditEvent) });
export const verifyResponse = z.object({
  ok: z.boolean(),
  count: z.number(),
  brokenAt: z.number().optional(),
  reason: z.string().optional(),
});
