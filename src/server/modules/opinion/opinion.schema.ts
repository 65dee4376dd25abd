// Request and response schemas of the opinion module (网络舆情). Authors never appear in any
// response: posts carry only what was said, where and when.
import { z } from 'zod';
import { fastCheck, fastSerializer, knownKeys } from '../../kernel/schema-fast-path.ts';

export const CATEGORIES = ['rumor', 'price_gouging', 'concern', 'positive', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_NAMES: Record<Category, string> = { rumor: '谣言', price_gouging: '哄抬物价', concern: '群众关切', positive: '正面', other: '其他' };

export const CASE_STATUSES = ['new', 'verifying', 'responding', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CASE_STATUS_NAMES: Record<CaseStatus, string> = { new: '新建', verifying: '核实中', responding: '处置中', closed: '已办结' };
export const ACTION_KINDS = ['note', 'publish_refutation', 'answer_concern', 'refer_regulator', 'request_removal', 'no_action'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ACTION_NAMES: Record<ActionKind, string> = {
  note: '备注',
  publish_refutation: '发布辟谣',
  answer_concern: '回应关切',
  refer_regulator: '移交市场监管部门',
  request_removal: '申请平台删除有害信息',
  no_action: '无需处置',
};
export const SOURCE_KINDS = ['push', 'rss', 'upload'] as const;

export const MAX_POSTS_PER_CALL = 5000;
export const MAX_TEXT = 10_000;

const isoTime = z.string().datetime({ offset: true, message: '时间格式应为 ISO 8601（含时区）' });
/** The pattern zod checks isoTime against (for the ingest fast path below). */
const ISO_TIME = z.regexes.datetime({ offset: true, local: false, precision: null });
const httpUrl = z
  .string()
  .max(1000)
  .url({ message: '链接格式不正确' })
  .refine((u) => /^https?:\/\//i.test(u), { message: '只接受 http(s) 链接' });
const sourceName = z.string().trim().min(1).max(60).regex(/^[^\s/\\]+$/, { message: '来源名称不能含空白或斜杠' });
const uuid = z.string().uuid({ message: '无效的编号' });

export const postInput = z
  .object({
    source: sourceName,
    externalId: z.string().trim().min(1).max(200),
    text: z.string().trim().min(1, { message: '正文不能为空' }).max(MAX_TEXT, { message: `正文不能超过 ${MAX_TEXT} 字` }),
    publishedAt: isoTime,
    author: z.string().max(200).optional(),
    url: httpUrl.optional(),
  })
  .strict();
export type PostInput = z.infer<typeof postInput>;
export const ingestBody = z.object({ posts: z.array(postInput).min(1).max(MAX_POSTS_PER_CALL, { message: `每次最多 ${MAX_POSTS_PER_CALL} 条` }) }).strict();

export const ingestResult = z.object({
  externalId: z.string(),
  id: z.string(),
  status: z.enum(['created', 'duplicate']),
  relevant: z.boolean(),
  category: z.enum(CATEGORIES),
  clusterId: z.string(),
  refutationId: z.string().nullable(),
});
export const ingestResponse = z.object({ results: z.array(ingestResult) });
export type IngestResult = z.infer<typeof ingestResult>;

// Fast paths for POST /opinion/posts, which connectors call with thousands of posts
// (kernel/schema-fast-path.ts): the rules of postInput written out, accepting only values that zod
// would accept unchanged (already trimmed strings); anything else, and every error, goes through zod.
const POST_KEYS: ReadonlySet<string> = new Set(['source', 'externalId', 'text', 'publishedAt', 'author', 'url']);
const INGEST_KEYS: ReadonlySet<string> = new Set(['posts']);
const SOURCE_NAME = /^[^\s/\\]+$/;
/** Whitespace at either end: what String.prototype.trim, and so zod's trim, would remove. */
const UNTRIMMED = /^\s|\s$/;
const trimmed = (v: unknown, max: number): v is string => typeof v === 'string' && v.length >= 1 && v.length <= max && !UNTRIMMED.test(v);
function isPostInput(p: unknown): boolean {
  if (knownKeys(p, POST_KEYS) < 4) return false;
  const o = p as Record<string, unknown>;
  return (
    typeof o.source === 'string' &&
    o.source.length <= 60 &&
    SOURCE_NAME.test(o.source) &&
    trimmed(o.externalId, 200) &&
    trimmed(o.text, MAX_TEXT) &&
    typeof o.publishedAt === 'string' &&
    ISO_TIME.test(o.publishedAt) &&
    (o.author === undefined || (typeof o.author === 'string' && o.author.length <= 200)) &&
    (o.url === undefined || httpUrl.safeParse(o.url).success)
  );
}
fastCheck(ingestBody, (b): b is z.output<typeof ingestBody> => {
  if (knownKeys(b, INGEST_KEYS) !== 1) return false;
  const posts = (b as { posts: unknown }).posts;
  if (!Array.isArray(posts) || posts.length < 1 || posts.length > MAX_POSTS_PER_CALL) return false;
  for (const p of posts) if (!isPostInput(p)) return false;
  return true;
});
const CATEGORY_SET: ReadonlySet<unknown> = new Set(CATEGORIES);
fastSerializer(ingestResponse, (data) => {
  const results = (data as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return undefined;
  let out = '{"results":[';
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as Record<string, unknown> | null;
    if (
      typeof r !== 'object' || r === null ||
      typeof r.externalId !== 'string' || typeof r.id !== 'string' ||
      (r.status !== 'created' && r.status !== 'duplicate') ||
      typeof r.relevant !== 'boolean' || !CATEGORY_SET.has(r.category) ||
      typeof r.clusterId !== 'string' ||
      (r.refutationId !== null && typeof r.refutationId !== 'string')
    ) {
      return undefined;
    }
    out +=
      `${i ? ',' : ''}{"externalId":${JSON.stringify(r.externalId)},"id":${JSON.stringify(r.id)},"status":"${r.status}","relevant":${r.relevant},` +
      `"category":"${r.category as string}","clusterId":${JSON.stringify(r.clusterId)},"refutationId":${r.refutationId === null ? 'null' : JSON.stringify(r.refutationId)}}`;
  }
  return `${out}]}`;
});

export const postView = z.object({
  id: z.string(),
  source: z.string(),
  externalId: z.string(),
  text: z.string(),
  url: z.string().nullable(),
  publishedAt: z.string(),
  ingestedAt: z.string(),
  relevant: z.boolean(),
  relevanceScore: z.number(),
  category: z.enum(CATEGORIES),
  groups: z.array(z.string()),
  clusterId: z.string(),
  /** Posts in the cluster (this one included). */
  clusterSize: z.number(),
  refutationId: z.string().nullable(),
  label: z.object({ relevant: z.boolean(), category: z.enum(CATEGORIES), at: z.string() }).nullable(),
});
export type PostView = z.infer<typeof postView>;

const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');
const limit = (max: number, def: number) => z.coerce.number().int().min(1).max(max).default(def);
export const listPostsQuery = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    category: z.enum(CATEGORIES).optional(),
    relevant: boolQuery.optional(),
    clusterId: uuid.optional(),
    refutationId: uuid.optional(),
    group: z.string().max(64).optional(),
    source: z.string().max(60).optional(),
    q: z.string().trim().max(100).optional(),
    labelled: boolQuery.optional(),
    before: z.string().max(200).optional(),
    limit: limit(200, 50),
  })
  .strict();
export type ListPostsQuery = z.infer<typeof listPostsQuery>;

export const labelBody = z.object({ relevant: z.boolean(), category: z.enum(CATEGORIES) }).strict();

export const uploadQuery = z.object({ source: sourceName }).strict();
export const UPLOAD_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl'] as const;
export const UPLOAD_LIMIT = 20 * 1024 * 1024;

export const clusterView = z.object({
  id: z.string(),
  size: z.number(),
  category: z.enum(CATEGORIES),
  relevant: z.boolean(),
  sampleText: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  refutationId: z.string().nullable(),
  /** Distinct authors (counted by keyed hash; who they are is never stored). */
  spreaders: z.number(),
  caseId: z.string().nullable(),
  /** The cluster an analyst merged this one into (its posts are there now), and when; null for a live cluster. */
  mergedInto: z.string().nullable(),
  mergedAt: z.string().nullable(),
});
export type ClusterView = z.infer<typeof clusterView>;
export const listClustersQuery = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    minSize: z.coerce.number().int().min(1).max(1_000_000).default(1),
    category: z.enum(CATEGORIES).optional(),
    relevant: boolQuery.optional(),
    limit: limit(200, 50),
  })
  .strict();
export const attachRefutationBody = z.object({ refutationId: uuid.nullable() }).strict();
/** Clusters to merge into the one in the path: the same claim in other words. */
export const mergeClustersBody = z.object({ from: z.array(uuid).min(1).max(50) }).strict();
export const splitClusterBody = z.object({ postIds: z.array(uuid).min(1).max(1000) }).strict();

export const refutationBody = z
  .object({
    claim: z.string().trim().min(2).max(500),
    facts: z.string().trim().min(2).max(5000),
    url: httpUrl.optional(),
  })
  .strict();
export const updateRefutationBody = refutationBody.partial().extend({ url: httpUrl.nullable().optional() }).strict();
export const refutationView = z.object({
  id: z.string(),
  claim: z.string(),
  facts: z.string(),
  url: z.string().nullable(),
  status: z.string(),
  contentId: z.string().nullable(),
  posts: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const handoverBody = z.object({ orgId: z.string().trim().min(1).max(64) }).strict();
export const handoverTargetView = z.object({ id: z.string(), name: z.string(), kind: z.string() });
export const listRefutationsQuery = z.object({ q: z.string().trim().max(100).optional(), limit: limit(500, 100) }).strict();

const groupName = z.string().trim().min(1).max(40);
const rule = z.string().trim().min(1).max(4000);
export const keywordGroupBody = z.object({ name: groupName, rule, enabled: z.boolean().optional() }).strict();
export const updateKeywordGroupBody = z.object({ name: groupName.optional(), rule: rule.optional(), enabled: z.boolean().optional() }).strict();
export const testRuleBody = z.object({ rule, text: z.string().min(1).max(MAX_TEXT) }).strict();
export const keywordGroupView = z.object({
  id: z.string(),
  name: z.string(),
  rule: z.string(),
  enabled: z.boolean(),
  builtin: z.boolean(),
  updatedAt: z.string(),
});
export const groupIdParam = z.object({ id: z.string().min(1).max(64).regex(/^[a-z0-9_-]+$/, { message: '无效的编号' }) }).strict();

export const sourceBody = z
  .object({
    name: sourceName,
    kind: z.enum(SOURCE_KINDS),
    url: httpUrl.optional(),
    pollMinutes: z.number().int().min(1).max(1440).optional(),
  })
  .strict();
export const updateSourceBody = z
  .object({ name: sourceName.optional(), url: httpUrl.optional(), pollMinutes: z.number().int().min(1).max(1440).optional(), paused: z.boolean().optional() })
  .strict();
export const sourceView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(SOURCE_KINDS),
  url: z.string().nullable(),
  paused: z.boolean(),
  pollMinutes: z.number(),
  lastPolledAt: z.string().nullable(),
  lastOkAt: z.string().nullable(),
  nextPollAt: z.string().nullable(),
  lastError: z.string().nullable(),
  failures: z.number(),
  posts: z.number(),
});

export const alertView = z.object({
  id: z.string(),
  series: z.string(),
  seriesLabel: z.string(),
  hour: z.string(),
  count: z.number(),
  baseline: z.number(),
  reason: z.string(),
  topCluster: z.object({ id: z.string(), sampleText: z.string(), size: z.number() }).nullable(),
  webhookStatus: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const listAlertsQuery = z.object({ status: z.enum(['open', 'all']).default('open'), limit: limit(500, 100) }).strict();
export const settingsBody = z
  .object({ alertWebhookUrl: httpUrl.nullable(), alertWebhookSecret: z.string().min(16).max(200).nullable().optional() })
  .strict();
export const settingsView = z.object({ alertWebhookUrl: z.string().nullable(), hasSecret: z.boolean() });

export const createCaseBody = z
  .object({
    title: z.string().trim().min(1).max(120).optional(),
    clusterId: uuid.optional(),
    postId: uuid.optional(),
    category: z.enum(CATEGORIES).optional(),
    assigneeId: uuid.optional(),
  })
  .strict();
export const updateCaseBody = z
  .object({
    status: z.enum(CASE_STATUSES).optional(),
    assigneeId: uuid.nullable().optional(),
    dueAt: isoTime.optional(),
    title: z.string().trim().min(1).max(120).optional(),
  })
  .strict();
export const caseActionBody = z
  .object({
    kind: z.enum(ACTION_KINDS),
    note: z.string().trim().max(2000).optional(),
    /** publish_refutation: an existing refutation, or a new one from claim + facts. */
    refutationId: uuid.optional(),
    claim: z.string().trim().min(2).max(500).optional(),
    facts: z.string().trim().min(2).max(5000).optional(),
    /** refer_regulator: the receiving office, e.g. 区市场监管局. */
    regulator: z.string().trim().min(1).max(60).optional(),
    /** request_removal: the platform and why (fraud, dangerous fake cure, …). */
    platform: z.string().trim().min(1).max(60).optional(),
    reason: z.string().trim().min(1).max(500).optional(),
    /** Close the case with this action. */
    close: z.boolean().optional(),
  })
  .strict();
export type CaseActionInput = z.infer<typeof caseActionBody>;
export const caseView = z.object({
  id: z.string(),
  title: z.string(),
  category: z.enum(CATEGORIES),
  status: z.enum(CASE_STATUSES),
  assignee: z.object({ id: z.string(), displayName: z.string() }).nullable(),
  dueAt: z.string(),
  overdue: z.boolean(),
  clusterId: z.string().nullable(),
  postId: z.string().nullable(),
  refutationId: z.string().nullable(),
  outcome: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
});
export type CaseView = z.infer<typeof caseView>;
export const caseActionView = z.object({
  id: z.string(),
  kind: z.enum(ACTION_KINDS).or(z.enum(['created', 'status', 'assign'])),
  note: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  by: z.string(),
  at: z.string(),
});
export const listCasesQuery = z
  .object({ status: z.enum(CASE_STATUSES).optional(), open: boolQuery.optional(), assignee: z.enum(['me']).or(uuid).optional(), overdue: boolQuery.optional(), limit: limit(500, 200) })
  .strict();

export const metrics = z.object({
  n: z.number(),
  relevanceAccuracy: z.number(),
  relevance: z.object({ precision: z.number(), recall: z.number() }),
  categories: z.record(z.string(), z.object({ precision: z.number(), recall: z.number(), f1: z.number(), support: z.number() })),
  macroF1: z.number(),
});
export const modelView = z.object({
  trainExamples: z.number(),
  heldOutExamples: z.number(),
  labels: z.number(),
  before: metrics,
  after: metrics,
  /** Analysts' labels compared with what the model said before learning them. */
  labelAgreement: z.number().nullable(),
});

export const overviewQuery = z.object({ from: isoTime.optional(), to: isoTime.optional() }).strict();
export const overviewView = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number(),
  relevant: z.number(),
  byCategory: z.record(z.string(), z.number()),
  hours: z.array(z.object({ hour: z.string(), total: z.number(), byCategory: z.record(z.string(), z.number()) })),
  topClusters: z.array(clusterView),
  openCases: z.number(),
  overdueCases: z.number(),
  openAlerts: z.number(),
  refuted: z.number(),
});

export const briefBody = z
  .object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' }).optional(), format: z.enum(['markdown', 'html', 'docx']) })
  .strict();
