import { z } from 'zod';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' });
const orgId = z.string().min(1).max(64);
export const format = z.enum(['markdown', 'html', 'docx']);

export const stageSummaryBody = z.object({ orgId, from: date, to: date, format }).strict();
export const dailyBriefBody = z.object({ orgId, date: date.optional(), format }).strict();
export const templateName = z.object({ name: z.enum(['stage-summary', 'daily-brief']) }).strict();
const parts = z.record(z.string().max(60), z.string().max(5000)).refine((p) => Object.keys(p).length <= 50, { message: '模板部分过多' });
export const saveTemplateBody = z.object({ parts, note: z.string().max(200).optional() }).strict();
export const previewBody = z.object({ orgId, from: date, to: date, format: z.enum(['markdown', 'html']), parts }).strict();

export const templateResponse = z.object({
  name: z.string(),
  version: z.number(),
  parts: z.record(z.string(), z.string()),
  defaults: z.record(z.string(), z.string()),
  versions: z.array(z.object({ version: z.number(), note: z.string().nullable(), createdAt: z.string(), createdBy: z.string().nullable() })),
});

export const archiveItem = z.object({
  id: z.string(),
  kind: z.string(),
  orgId: z.string(),
  from: z.string(),
  to: z.string(),
  format: z.string(),
  templateVersion: z.number().nullable(),
  asOf: z.string(),
  contentHash: z.string(),
  size: z.number(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
