import { z } from 'zod';

export const MAX_BATCH = 1000;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' });
const orgId = z.string().min(1).max(64);
const indicatorCode = z.string().min(1).max(40);

export const indicatorSchema = z.object({
  code: z.string(),
  name: z.string(),
  unit: z.string(),
  decimals: z.number(),
  maxPerRecord: z.number().nullable(),
  builtin: z.boolean(),
  active: z.boolean(),
});
export type IndicatorView = z.infer<typeof indicatorSchema>;

export const createIndicatorBody = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, { message: '编码应为小写字母开头的字母、数字、下划线' }),
    name: z.string().trim().min(1).max(40),
    unit: z.string().trim().min(1).max(10),
    decimals: z.number().int().min(0).max(2).default(0),
    maxPerRecord: z.number().positive().max(1e9).nullable().optional(),
  })
  .strict();
export const updateIndicatorBody = z
  .object({
    name: z.string().trim().min(1).max(40).optional(),
    unit: z.string().trim().min(1).max(10).optional(),
    maxPerRecord: z.number().positive().max(1e9).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const recordInput = z
  .object({
    clientId: z.string().min(8).max(64).regex(/^[A-Za-z0-9:_-]+$/, { message: 'clientId 应为 UUID' }),
    orgId,
    date,
    indicator: indicatorCode,
    value: z.number().min(0, { message: '数值不能为负数' }).max(1e9),
    note: z.string().max(500).optional().nullable(),
  })
  .strict();
export type RecordInput = z.infer<typeof recordInput>;

// The array length is checked in the service, so an oversized batch is 413, not 400.
export const submitBody = z.object({ records: z.array(recordInput).min(1) }).strict();
export const submitResponse = z.object({
  results: z.array(
    z.object({
      clientId: z.string(),
      id: z.number(),
      status: z.enum(['created', 'duplicate']),
      review: z.boolean(),
    }),
  ),
});

export const recordSchema = z.object({
  id: z.number(),
  clientId: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  date: z.string(),
  indicator: z.string(),
  value: z.number(),
  note: z.string().nullable(),
  status: z.enum(['counted', 'pending_review', 'rejected', 'deleted']),
  reviewReason: z.string().nullable(),
  source: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type RecordView = z.infer<typeof recordSchema>;

export const listRecordsQuery = z
  .object({
    orgId: orgId.optional(),
    from: date.optional(),
    to: date.optional(),
    indicator: indicatorCode.optional(),
    status: z.enum(['counted', 'pending_review', 'rejected', 'deleted']).optional(),
    mine: z.enum(['1', 'true', '0', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

export const replaceBody = z
  .object({
    clientId: recordInput.shape.clientId.optional(),
    date,
    indicator: indicatorCode,
    value: recordInput.shape.value,
    note: recordInput.shape.note,
  })
  .strict();

export const reviewBody = z.object({ decision: z.enum(['confirm', 'reject']), comment: z.string().max(500).optional() }).strict();

export const totalsQuery = z
  .object({ orgId, from: date, to: date, groupBy: z.enum(['child', 'day']).optional() })
  .strict();
const totalsMap = z.record(z.string(), z.number());
export const totalsResponse = z.object({
  orgId: z.string(),
  from: z.string(),
  to: z.string(),
  totals: totalsMap,
  children: z.array(z.object({ orgId: z.string(), name: z.string(), kind: z.string(), totals: totalsMap })).optional(),
  days: z.array(z.object({ date: z.string(), totals: totalsMap })).optional(),
});

export const coverageQuery = z
  .object({ orgId, days: z.coerce.number().int().min(1).max(365).default(7), asOf: date.optional() })
  .strict();
export const coverageResponse = z.object({
  orgId: z.string(),
  days: z.number(),
  since: z.string(),
  asOf: z.string(),
  total: z.number(),
  reporting: z.number(),
  silent: z.number(),
  units: z.array(
    z.object({
      orgId: z.string(),
      name: z.string(),
      kind: z.string(),
      parentId: z.string().nullable(),
      parentName: z.string().nullable(),
      lastDate: z.string().nullable(),
      daysSilent: z.number().nullable(),
      silent: z.boolean(),
    }),
  ),
});
