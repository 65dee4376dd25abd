import { z } from 'zod';
import { fastCheck, fastSerializer, knownKeys } from '../../kernel/schema-fast-path.ts';

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

const CLIENT_ID = /^[A-Za-z0-9:_-]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const recordInput = z
  .object({
    clientId: z.string().min(8).max(64).regex(CLIENT_ID, { message: 'clientId 应为 UUID' }),
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

// Fast paths for POST /outreach/records, the route every village phone calls (kernel/schema-fast-path.ts):
// the same rules as the zod schemas above, written out; anything else goes through zod.
const RECORD_KEYS: ReadonlySet<string> = new Set(['clientId', 'orgId', 'date', 'indicator', 'value', 'note']);
const BODY_KEYS: ReadonlySet<string> = new Set(['records']);
const str = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
function isRecordInput(r: unknown): r is RecordInput {
  if (knownKeys(r, RECORD_KEYS) < 0) return false;
  const o = r as Record<string, unknown>;
  const v = o.value;
  const note = o.note;
  return (
    str(o.clientId, 8, 64) &&
    CLIENT_ID.test(o.clientId) &&
    str(o.orgId, 1, 64) &&
    typeof o.date === 'string' &&
    DATE.test(o.date) &&
    str(o.indicator, 1, 40) &&
    typeof v === 'number' &&
    v >= 0 &&
    v <= 1e9 &&
    (note === undefined || note === null || str(note, 0, 500))
  );
}
fastCheck(submitBody, (b): b is z.output<typeof submitBody> => {
  if (knownKeys(b, BODY_KEYS) !== 1) return false;
  const records = (b as { records: unknown }).records;
  if (!Array.isArray(records) || records.length === 0) return false;
  for (const r of records) if (!isRecordInput(r)) return false;
  return true;
});
fastSerializer(submitResponse, (data) => {
  const results = (data as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return undefined;
  let out = '{"results":[';
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as { clientId?: unknown; id?: unknown; status?: unknown; review?: unknown } | null;
    if (
      typeof r !== 'object' || r === null ||
      typeof r.clientId !== 'string' ||
      typeof r.id !== 'number' || !Number.isFinite(r.id) ||
      (r.status !== 'created' && r.status !== 'duplicate') ||
      typeof r.review !== 'boolean'
    ) {
      return undefined;
    }
    out += `${i ? ',' : ''}{"clientId":${JSON.stringify(r.clientId)},"id":${JSON.stringify(r.id)},"status":"${r.status}","review":${r.review}}`;
  }
  return `${out}]}`;
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
