import { z } from 'zod';

export const KINDS = ['notice', 'news', 'explainer', 'press_release', 'live'] as const;
export const THEMES = ['central_policy', 'local_arrangement', 'progress', 'frontline_units', 'science', 'opinion_response'] as const;
export const CHANNELS = ['tv', 'website', 'mobile_paper', 'wechat', 'weibo', 'app'] as const;
export const STATUSES = ['draft', 'in_review', 'approved', 'scheduled', 'published', 'unpublished'] as const;
export const COVERAGE_LEVELS = ['central', 'provincial', 'municipal', 'district'] as const;

export const KIND_NAMES: Record<(typeof KINDS)[number], string> = { notice: '通告', news: '新闻', explainer: '科普', press_release: '通稿', live: '图文直播' };
export const THEME_NAMES: Record<(typeof THEMES)[number], string> = {
  central_policy: '中央决策部署',
  local_arrangement: '本地防控安排',
  progress: '防控进展成效',
  frontline_units: '一线单位风采',
  science: '科学防控知识',
  opinion_response: '回应社会关切',
};
export const CHANNEL_NAMES: Record<(typeof CHANNELS)[number], string> = { tv: '电视', website: '网站', mobile_paper: '手机报', wechat: '微信', weibo: '微博', app: '客户端' };

const title = z.string().trim().min(1).max(120);
const body = z.string().max(200_000);
const url = z.string().url().max(500).refine((u) => /^https?:\/\//i.test(u), { message: '只接受 http(s) 链接' });
const isoTime = z.string().datetime({ offset: true, message: '时间格式应为 ISO 8601' });
const channels = z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length);

export const createContentBody = z
  .object({
    kind: z.enum(KINDS),
    title,
    body,
    theme: z.enum(THEMES),
    channels,
    summary: z.string().max(300).optional(),
    isRepost: z.boolean().optional(),
    sourceName: z.string().max(60).optional(),
    sourceUrl: url.optional(),
    eventId: z.string().uuid().optional(),
  })
  .strict();
export type CreateContentInput = z.infer<typeof createContentBody>;

export const updateContentBody = createContentBody.partial().strict();
export type UpdateContentInput = z.infer<typeof updateContentBody>;

export const publishBody = z.object({ scheduledAt: isoTime.optional() }).strict();
export const noteBody = z.object({ note: z.string().trim().min(1).max(500) }).strict();
export const correctBody = z.object({ body, title: title.optional(), note: z.string().trim().min(1).max(500) }).strict();
export const commentBody = z.object({ body: z.string().trim().min(1).max(2000) }).strict();
export const liveEntryBody = z.object({ body: z.string().min(1).max(20_000), at: isoTime.optional() }).strict();

export const contentSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  kind: z.string(),
  theme: z.string(),
  title: z.string(),
  summary: z.string().nullable(),
  body: z.string(),
  channels: z.array(z.string()),
  isRepost: z.boolean(),
  sourceName: z.string().nullable(),
  sourceUrl: z.string().nullable(),
  eventId: z.string().nullable(),
  status: z.enum(STATUSES),
  version: z.number(),
  authorId: z.string(),
  authorName: z.string().nullable(),
  approverId: z.string().nullable(),
  scheduledAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  correctionNote: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ContentView = z.infer<typeof contentSchema>;

export const deliverySchema = z.object({
  id: z.string(),
  channel: z.string(),
  version: z.number(),
  status: z.enum(['pending', 'sent', 'failed', 'confirmed']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  externalId: z.string().nullable(),
  sentAt: z.string().nullable(),
  confirmedAt: z.string().nullable(),
});

export const listContentQuery = z
  .object({
    status: z.enum(STATUSES).optional(),
    kind: z.enum(KINDS).optional(),
    theme: z.enum(THEMES).optional(),
    q: z.string().max(100).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();

export const eventBody = z.object({ title, occurredAt: isoTime, orgId: z.string().min(1).max(64).optional() }).strict();
export const pressBody = z
  .object({
    title,
    heldAt: isoTime,
    place: z.string().trim().min(1).max(100),
    speakers: z.array(z.string().trim().min(1).max(60)).max(20),
    topics: z.array(z.string().trim().min(1).max(100)).max(20),
    liveContentId: z.string().uuid().optional(),
    releaseContentId: z.string().uuid().optional(),
  })
  .strict();
export const coverageBody = z
  .object({
    outlet: z.string().trim().min(1).max(60),
    level: z.enum(COVERAGE_LEVELS),
    title,
    url: url.optional(),
    publishedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    topic: z.string().max(60).optional(),
  })
  .strict();
export const periodQuery = z
  .object({ from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), orgId: z.string().min(1).max(64).optional() })
  .strict();

/** What the editor has on screen (saved or not), to be shown as one channel would receive it. */
export const previewBody = z
  .object({
    channel: z.enum(CHANNELS),
    kind: z.enum(KINDS),
    title,
    body,
    theme: z.enum(THEMES).optional(),
    summary: z.string().max(300).optional(),
    isRepost: z.boolean().optional(),
    sourceName: z.string().max(60).optional(),
    /** A saved item: its public address and (live blogs) its entries are used. */
    id: z.string().uuid().optional(),
  })
  .strict();
export type PreviewInput = z.infer<typeof previewBody>;

export const WEIBO_LIMIT = 2000;
/** Weibo shows this many characters in the timeline before 展开全文. */
export const WEIBO_FOLD = 140;

export const previewSchema = z.object({
  channel: z.enum(CHANNELS),
  format: z.enum(['html', 'text']),
  body: z.string(),
  /** Characters (code points) of a text export; for HTML, of its readable text. */
  length: z.number(),
  /** The channel's length limit (Weibo), else null. */
  limit: z.number().nullable(),
  /** Whether the text was cut to fit the limit. */
  truncated: z.boolean(),
  /** TV: estimated minutes read aloud. */
  minutes: z.number().nullable(),
});

export const liveEntrySchema = z.object({ id: z.string(), at: z.string(), body: z.string(), authorName: z.string().nullable() });

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  channels: z.array(z.string()),
  paused: z.boolean(),
  hasSecret: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const webhookUrl = z.string().url().max(500).refine((u) => /^https?:\/\//i.test(u), { message: '只接受 http(s) 链接' });
export const createWebhookBody = z.object({ url: webhookUrl, channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length) }).strict();
export const updateWebhookBody = z.object({ url: webhookUrl.optional(), channels: z.array(z.enum(CHANNELS)).min(1).max(CHANNELS.length).optional(), paused: z.boolean().optional() }).strict();

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'confirmed'] as const;
export const listDeliveriesQuery = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    channel: z.enum(CHANNELS).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();
