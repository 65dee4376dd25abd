// Posts that arrive without a connector: RSS/Atom feeds polled by a job (conditional GET, a time
// limit, backoff after failures; a paused source is skipped) and CSV/JSONL files uploaded from the UI.
// Both end in the same ingest as the push API, so a re-polled or re-uploaded item counts once.
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Actor, Kernel } from '../../kernel/index.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import { iso, MINUTE } from '../../kernel/time.ts';
import { stripHtml } from '../../../text/normalize.ts';
import { ingestFor, validateBatch } from './opinion.ingest.ts';
import { MAX_POSTS_PER_CALL, MAX_TEXT, postInput, type IngestResult, type PostInput } from './opinion.schema.ts';

/** A feed that does not answer within this time counts as a failure. */
export const FEED_TIMEOUT_MS = { value: 15_000 };
const MAX_FEED_BYTES = 5 * 1024 * 1024;
const MAX_BACKOFF_MIN = 6 * 60;

// ---- feeds -------------------------------------------------------------------------------------

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', textNodeName: '#text', trimValues: true, processEntities: true });

const text = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return text(v[0]);
  if (typeof v === 'object') return text((v as Record<string, unknown>)['#text'] ?? '');
  return '';
};
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface FeedItem {
  externalId: string;
  text: string;
  publishedAt: string;
  url?: string;
  author?: string;
}

/** Items of an RSS 2.0 or Atom document; throws on anything else (garbage is an error, not posts). */
export function parseFeed(body: string, now: Date): FeedItem[] {
  if (XMLValidator.validate(body) !== true) throw new Error('订阅源返回的不是有效的 XML');
  const doc = xml.parse(body) as Record<string, any>;
  const items: FeedItem[] = [];
  const when = (v: string) => {
    const t = Date.parse(v);
    return Number.isFinite(t) && t <= now.getTime() + 10 * MINUTE ? new Date(t).toISOString() : now.toISOString();
  };
  if (doc.rss?.channel) {
    for (const it of list(doc.rss.channel.item)) {
      const link = text(it.link);
      const body = [text(it.title), stripHtml(text(it.description))].filter(Boolean).join('。');
      const id = text(it.guid) || link || text(it.title);
      if (!id || !body.trim()) continue;
      items.push({ externalId: id.slice(0, 200), text: body.slice(0, MAX_TEXT), publishedAt: when(text(it.pubDate)), url: /^https?:\/\//.test(link) ? link : undefined, author: text(it['dc:creator'] ?? it.author) || undefined });
    }
  } else if (doc.feed) {
    for (const e of list(doc.feed.entry)) {
      const links = list(e.link) as Array<Record<string, string>>;
      const link = (links.find((l) => !l['@rel'] || l['@rel'] === 'alternate') ?? links[0])?.['@href'] ?? '';
      const body = [text(e.title), stripHtml(text(e.content ?? e.summary))].filter(Boolean).join('。');
      const id = text(e.id) || link;
      if (!id || !body.trim()) continue;
      items.push({ externalId: id.slice(0, 200), text: body.slice(0, MAX_TEXT), publishedAt: when(text(e.published ?? e.updated)), url: /^https?:\/\//.test(link) ? link : undefined, author: text(list(e.author)[0]?.name) || undefined });
    }
  } else throw new Error('既不是 RSS 也不是 Atom 订阅源');
  return items;
}

/** Poll one source: conditional GET, parse, ingest; on failure record why and back off. */
export async function pollSource(kernel: Kernel, sourceId: string): Promise<{ status: 'ok' | 'not_modified' | 'failed' | 'skipped'; created?: number; error?: string }> {
  const s = await kernel.db.selectFrom('opinion_sources').selectAll().where('id', '=', sourceId).executeTakeFirst();
  if (!s || s.kind !== 'rss' || !s.url || s.paused === 1) return { status: 'skipped' };
  const now = kernel.clock();
  const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5', 'user-agent': 'Frontline-opinion/1.0' };
  if (s.etag) headers['if-none-match'] = s.etag;
  if (s.last_modified) headers['if-modified-since'] = s.last_modified;
  const done = async (patch: Record<string, unknown>) =>
    kernel.db.updateTable('opinion_sources').set({ last_polled_at: iso(now), updated_at: iso(kernel.clock()), ...patch }).where('id', '=', s.id).execute();
  try {
    const res = await fetch(s.url, { headers, signal: AbortSignal.timeout(FEED_TIMEOUT_MS.value), redirect: 'follow' });
    if (res.status === 304) {
      await done({ last_ok_at: iso(now), failures: 0, last_error: null, next_poll_at: iso(new Date(now.getTime() + s.poll_minutes * MINUTE)) });
      return { status: 'not_modified' };
    }
    if (!res.ok) throw new Error(`订阅源返回 HTTP ${res.status}`);
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > MAX_FEED_BYTES) throw new Error('订阅源内容超过 5 MB');
    const items = parseFeed(buf.toString('utf8'), now);
    const posts: PostInput[] = [];
    const seen = new Set<string>();
    for (const it of items) {
      if (seen.has(it.externalId)) continue;
      seen.add(it.externalId);
      const parsed = postInput.safeParse({ source: s.name, externalId: it.externalId, text: it.text, publishedAt: it.publishedAt, author: it.author, url: it.url });
      if (parsed.success) posts.push(parsed.data);
    }
    let created = 0;
    for (let i = 0; i < posts.length; i += MAX_POSTS_PER_CALL) {
      const results = await ingestFor(kernel, { orgId: s.org_id, actor: null }, posts.slice(i, i + MAX_POSTS_PER_CALL), 'rss');
      created += results.filter((r) => r.status === 'created').length;
    }
    await done({
      etag: res.headers.get('etag'),
      last_modified: res.headers.get('last-modified'),
      last_ok_at: iso(now),
      failures: 0,
      last_error: null,
      next_poll_at: iso(new Date(now.getTime() + s.poll_minutes * MINUTE)),
    });
    return { status: 'ok', created };
  } catch (err) {
    const e = err as Error;
    const message = e.name === 'TimeoutError' || e.name === 'AbortError' ? `订阅源在 ${FEED_TIMEOUT_MS.value / 1000} 秒内没有响应` : e.message;
    const failures = s.failures + 1;
    const backoff = Math.min(s.poll_minutes * 2 ** failures, MAX_BACKOFF_MIN);
    await done({ failures, last_error: message.slice(0, 500), next_poll_at: iso(new Date(now.getTime() + backoff * MINUTE)) });
    // The poll job itself succeeds: the source's own backoff decides when to try again.
    return { status: 'failed', error: message };
  }
}

/** Due, unpaused feeds, each polled once per slot across instances. */
export async function pollDueFeeds(kernel: Kernel) {
  const now = iso(kernel.clock());
  const due = await kernel.db
    .selectFrom('opinion_sources')
    .select('id')
    .where('kind', '=', 'rss')
    .where('paused', '=', 0)
    .where((eb) => eb.or([eb('next_poll_at', 'is', null), eb('next_poll_at', '<=', now)]))
    .execute();
  for (const s of due) await kernel.jobs.enqueue(kernel.db, 'opinion.poll-source', { sourceId: s.id }, { uniqueKey: `opinion-poll:${s.id}@${now.slice(0, 16)}` });
}

export async function requestPoll(kernel: Kernel, actor: Actor | null, sourceId: string) {
  const s = await kernel.db.selectFrom('opinion_sources').selectAll().where('id', '=', sourceId).executeTakeFirst();
  await kernel.authz.require(actor, 'opinion.configure', { orgId: s?.org_id ?? null, hideOutOfScope: true, target: sourceId });
  if (!s) throw notFound('来源');
  if (s.kind !== 'rss') throw new AppError('conflict', '只有订阅源可以抓取');
  if (s.paused === 1) throw new AppError('conflict', '来源已暂停，请先恢复');
  return pollSource(kernel, sourceId);
}

export function registerFeedJobs(kernel: Kernel) {
  kernel.jobs.register('opinion.poll-feeds', async () => pollDueFeeds(kernel));
  kernel.jobs.register('opinion.poll-source', async (payload: { sourceId: string }) => {
    await pollSource(kernel, payload.sourceId);
  });
  kernel.jobs.schedule('opinion.poll-feeds', 'opinion.poll-feeds', MINUTE);
}

// ---- uploads -----------------------------------------------------------------------------------

const FIELD_ALIASES: Record<string, keyof PostInput> = {
  externalid: 'externalId',
  external_id: 'externalId',
  id: 'externalId',
  编号: 'externalId',
  text: 'text',
  content: 'text',
  正文: 'text',
  内容: 'text',
  publishedat: 'publishedAt',
  published_at: 'publishedAt',
  time: 'publishedAt',
  发布时间: 'publishedAt',
  author: 'author',
  作者: 'author',
  url: 'url',
  链接: 'url',
};

/** Rows of a CSV (header row) or JSONL file as post inputs; every bad row is reported, nothing stored. */
export function parseUpload(body: Buffer, contentType: string, source: string): PostInput[] {
  let s: string;
  try {
    s = new TextDecoder('utf-8', { fatal: true }).decode(body).replace(/^\uFEFF/, '');
  } catch {
    throw new AppError('invalid_input', '文件不是 UTF-8 编码（请在 Excel 中另存为“CSV UTF-8”）');
  }
  let rows: Array<Record<string, unknown>>;
  const offset = contentType.startsWith('text/csv') ? 2 : 1; // row numbers as the user sees them
  if (contentType.startsWith('text/csv')) {
    try {
      rows = parseCsv(s, { columns: (h: string[]) => h.map((x) => FIELD_ALIASES[x.trim().toLowerCase()] ?? FIELD_ALIASES[x.trim()] ?? x.trim()), skip_empty_lines: true, relax_column_count: false, bom: true });
    } catch (err) {
      throw new AppError('invalid_input', `CSV 格式有误：${(err as Error).message.slice(0, 200)}`);
    }
  } else {
    rows = [];
    const lines = s.split(/\r?\n/);
    const bad: Array<{ row: number; path: string; message: string }> = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const v = JSON.parse(line);
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        rows.push({ ...v, __row: i + 1 });
      } catch {
        bad.push({ row: i + 1, path: `row ${i + 1}`, message: '这一行不是 JSON 对象' });
      }
    });
    if (bad.length) throw new AppError('invalid_input', `有 ${bad.length} 行不是有效的 JSON`, bad.slice(0, 100));
  }
  if (!rows.length) throw new AppError('invalid_input', '文件中没有数据行');
  if (rows.length > MAX_POSTS_PER_CALL * 4) throw new AppError('payload_too_large', `一次最多上传 ${MAX_POSTS_PER_CALL * 4} 条`);
  const posts: PostInput[] = [];
  const errors: Array<{ row: number; path: string; message: string }> = [];
  rows.forEach((r, i) => {
    const row = typeof r.__row === 'number' ? r.__row : i + offset;
    const parsed = postInput.safeParse({
      source,
      externalId: r.externalId === undefined ? undefined : String(r.externalId),
      text: r.text,
      publishedAt: r.publishedAt,
      ...(r.author ? { author: String(r.author) } : {}),
      ...(r.url ? { url: String(r.url) } : {}),
    });
    if (parsed.success) posts.push(parsed.data);
    else for (const issue of parsed.error.issues.slice(0, 3)) errors.push({ row, path: String(issue.path[0] ?? ''), message: issue.message });
  });
  if (errors.length) throw new AppError('invalid_input', `有 ${new Set(errors.map((e) => e.row)).size} 行数据无效，未导入任何数据`, errors.slice(0, 200));
  return posts;
}

export async function uploadPosts(kernel: Kernel, actor: Actor | null, body: Buffer, contentType: string, source: string) {
  const a = await kernel.authz.require(actor, 'opinion.ingest');
  const posts = parseUpload(body, contentType, source);
  validateBatch(posts, kernel.clock()); // the whole file, before its first part is stored
  const results: IngestResult[] = [];
  for (let i = 0; i < posts.length; i += MAX_POSTS_PER_CALL) results.push(...(await ingestFor(kernel, { orgId: a.orgId, actor: a }, posts.slice(i, i + MAX_POSTS_PER_CALL), 'upload')));
  return { created: results.filter((r) => r.status === 'created').length, duplicates: results.filter((r) => r.status === 'duplicate').length, results };
}
