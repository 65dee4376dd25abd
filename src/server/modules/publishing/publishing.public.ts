// The public site: server-rendered, mobile-first pages of published content (/news), Chinese
// search, the Atom feed (/feed.xml) and uploaded media (/media/:id). Rendered pages are cached per
// process and revalidated against a version that every publish/unpublish/correction changes, so
// any instance serves fresh pages with ETag/Last-Modified and answers 304 when nothing changed.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kernel } from '../../kernel/index.ts';
import { searchTerms } from '../../../text/segment.ts';
import { escapeHtml as esc, escapeXml as xml } from '../../../text/escape.ts';
import { getSetting } from '../security/security.queries.ts';
import { listPublished } from './publishing.queries.ts';
import { plainText } from './publishing.sanitize.ts';
import { KIND_NAMES, THEME_NAMES } from './publishing.schema.ts';
import { onPublicChange, PUBLIC_VERSION_KEY } from './publishing.version.ts';

interface Entry {
  etag: string;
  /** Encoded once when rendered; bodies over 1 KiB also gzipped once, for clients that accept it. */
  body: Buffer;
  gzip?: Buffer;
  status: number;
  /** Every response header of a hit, built once: a hit only picks one of these and sends bytes. */
  headers: Record<string, string>;
  gzipHeaders?: Record<string, string>;
}

const CHECK_EVERY_MS = 500;
const MAX_ENTRIES = 5000;

export class PublicSite {
  private version = '';
  private lastModified = new Date(0).toUTCString();
  private checkedAt = 0;
  private cache = new Map<string, Entry>();

  constructor(private readonly kernel: Kernel) {
    onPublicChange(kernel, () => this.invalidate());
  }

  /** Forget cached pages at once (this instance published something). */
  invalidate() {
    this.checkedAt = 0;
  }

  private async freshVersion() {
    if (Date.now() - this.checkedAt < CHECK_EVERY_MS) return;
    this.checkedAt = Date.now();
    const row = await this.kernel.db.selectFrom('settings').select(['value', 'updated_at']).where('key', '=', PUBLIC_VERSION_KEY).executeTakeFirst();
    const v = row?.value ?? 'none';
    if (v !== this.version) {
      this.version = v;
      this.lastModified = new Date(row?.updated_at ?? 0).toUTCString();
      this.cache.clear();
    }
  }

  /** Serve a cached rendering (or render it now), honouring If-None-Match. No database hit on a hit. */
  async serve(req: FastifyRequest, reply: FastifyReply, key: string, render: () => Promise<{ body: string; type?: string; status?: number }>) {
    await this.freshVersion();
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.entry(key, await render());
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(key, entry);
    }
    if (entry.status === 200 && req.headers['if-none-match'] === entry.etag) return reply.headers(entry.headers).status(304).send();
    if (entry.gzip && ACCEPTS_GZIP.test(req.headers['accept-encoding'] ?? '')) return reply.headers(entry.gzipHeaders!).status(entry.status).send(entry.gzip);
    return reply.headers(entry.headers).status(entry.status).send(entry.body);
  }

  private entry(key: string, r: { body: string; type?: string; status?: number }): Entry {
    const body = Buffer.from(r.body, 'utf8');
    const etag = `"${crypto.createHash('sha1').update(`${this.version}\0${key}`).digest('base64url')}"`;
    const headers = {
      'content-type': r.type ?? 'text/html; charset=utf-8',
      etag,
      'last-modified': this.lastModified,
      'cache-control': 'public, max-age=0, must-revalidate',
      vary: 'accept-encoding',
    };
    // Chinese HTML and XML shrink 3–20×; level 6 is zlib's usual trade-off, paid once per page and version.
    const gzip = body.length > 1024 ? zlib.gzipSync(body, { level: 6 }) : undefined;
    return { etag, body, gzip, status: r.status ?? 200, headers, gzipHeaders: gzip ? { ...headers, 'content-encoding': 'gzip' } : undefined };
  }
}

const ACCEPTS_GZIP = /\bgzip\b/;

const PAGE_SIZE = 20;

function layout(kernel: Kernel, o: { title: string; description: string; path: string; body: string }) {
  const site = `${kernel.config.districtName}发布`;
  const url = `${kernel.config.publicUrl}${o.path}`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} - ${esc(site)}</title>
<meta name="description" content="${esc(o.description)}">
<meta property="og:site_name" content="${esc(site)}"><meta property="og:title" content="${esc(o.title)}"><meta property="og:description" content="${esc(o.description)}">
<meta property="og:type" content="article"><meta property="og:url" content="${esc(url)}"><link rel="canonical" href="${esc(url)}">
<link rel="alternate" type="application/atom+xml" title="${esc(site)}" href="/feed.xml">
<style>
body{margin:0;font:16px/1.75 -apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#222;background:#f6f6f6}
header{background:#b71c1c;color:#fff;padding:12px 16px}header a{color:#fff;text-decoration:none;font-weight:600;font-size:18px}
header form{margin-top:8px;display:flex;gap:6px}header input{flex:1;padding:6px 8px;border:0;border-radius:4px;font-size:15px}header button{padding:6px 12px;border:0;border-radius:4px}
main{max-width:760px;margin:0 auto;background:#fff;padding:16px 18px 32px;min-height:70vh}
nav.themes{display:flex;flex-wrap:wrap;gap:6px 12px;font-size:14px;margin-bottom:12px}nav.themes a{color:#b71c1c;text-decoration:none}
ul.list{list-style:none;padding:0;margin:0}ul.list li{padding:12px 0;border-bottom:1px solid #eee}ul.list a{color:#222;text-decoration:none;font-size:17px}
.meta{color:#888;font-size:13px}.tag{display:inline-block;background:#fdecea;color:#b71c1c;border-radius:3px;padding:0 6px;font-size:12px;margin-right:6px}
article h1{font-size:22px;line-height:1.4;margin:8px 0}article img{max-width:100%;height:auto}.correction{background:#fff8e1;border-left:4px solid #f9a825;padding:8px 12px;margin:12px 0;font-size:14px}
.live{border-left:3px solid #b71c1c;padding-left:12px;margin:14px 0}.live time{display:block;color:#b71c1c;font-size:13px;font-weight:600}.live p{margin:4px 0}h2.live-head{font-size:17px;margin:20px 0 8px;padding-top:12px;border-top:1px solid #eee}
.pager{display:flex;justify-content:space-between;margin-top:16px}footer{text-align:center;color:#999;font-size:12px;padding:16px}
</style></head>
<body><header><a href="/news">${esc(site)}</a><form action="/news/search" method="get" role="search"><input name="q" placeholder="搜索通告、新闻、科普" aria-label="搜索"><button type="submit">搜索</button></form></header>
<main>${o.body}</main><footer>${esc(kernel.config.districtName)}疫情防控指挥部 · 由一线平台发布</footer></body></html>`;
}

const time = (isoTime: string | null, tz: string) =>
  isoTime ? new Intl.DateTimeFormat('zh-CN', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(isoTime)) : '';

type Item = Awaited<ReturnType<typeof listPublished>>[number];

function listHtml(kernel: Kernel, items: Item[], heading: string, page: number, base: string) {
  const themes = Object.entries(THEME_NAMES).map(([k, v]) => `<a href="/news?theme=${k}">${esc(v)}</a>`).join('');
  const lis = items
    .map(
      (i) =>
        `<li><span class="tag">${esc(KIND_NAMES[i.kind as keyof typeof KIND_NAMES] ?? i.kind)}</span>${i.is_repost ? '<span class="tag">转发</span>' : ''}<a href="/news/${i.id}">${esc(i.title)}</a><div class="meta">${esc(time(i.published_at, kernel.config.timeZone))}${i.source_name ? ` · 来源：${esc(i.source_name)}` : ''}</div></li>`,
    )
    .join('');
  const sep = base.includes('?') ? '&' : '?';
  const pager = `<div class="pager">${page > 1 ? `<a href="${base}${sep}page=${page - 1}">上一页</a>` : '<span></span>'}${items.length === PAGE_SIZE ? `<a href="${base}${sep}page=${page + 1}">下一页</a>` : ''}</div>`;
  return `<nav class="themes">${themes}</nav><h2>${esc(heading)}</h2>${items.length ? `<ul class="list">${lis}</ul>` : '<p class="meta">暂无内容</p>'}${pager}`;
}

export async function renderList(kernel: Kernel, q: { theme?: string; kind?: string; q?: string; page: number }) {
  const terms = q.q ? searchTerms(q.q).slice(0, 8) : undefined;
  if (q.q !== undefined && !terms?.length) {
    return layout(kernel, { title: '搜索', description: '搜索已发布内容', path: '/news/search', body: listHtml(kernel, [], `搜索“${q.q}”`, 1, '/news/search') });
  }
  const items = await listPublished(kernel.db, { theme: q.theme, kind: q.kind, terms, limit: PAGE_SIZE, offset: (q.page - 1) * PAGE_SIZE });
  const heading = q.q ? `搜索“${q.q}”` : q.theme ? (THEME_NAMES[q.theme as keyof typeof THEME_NAMES] ?? '最新发布') : q.kind ? (KIND_NAMES[q.kind as keyof typeof KIND_NAMES] ?? '最新发布') : '最新发布';
  const base = q.q ? `/news/search?q=${encodeURIComponent(q.q)}` : q.theme ? `/news?theme=${q.theme}` : q.kind ? `/news?kind=${q.kind}` : '/news';
  return layout(kernel, { title: heading, description: `${kernel.config.districtName}疫情防控权威发布`, path: base, body: listHtml(kernel, items, heading, q.page, base) });
}

export async function renderItem(kernel: Kernel, id: string): Promise<{ body: string; status: number }> {
  const c = await kernel.db.selectFrom('pub_content').selectAll().where('id', '=', id).where('status', '=', 'published').executeTakeFirst();
  if (!c) return { status: 404, body: layout(kernel, { title: '未找到', description: '内容不存在或已撤回', path: `/news/${id}`, body: '<p>内容不存在或已撤回。</p><p><a href="/news">返回首页</a></p>' }) };
  const live = c.kind === 'live' ? await liveEntriesOf(kernel, id) : [];
  return { status: 200, body: renderArticle(kernel, c, live) };
}

export const liveEntriesOf = (kernel: Kernel, id: string) => kernel.db.selectFrom('pub_live_entries').select(['at', 'body_html']).where('content_id', '=', id).orderBy('at', 'desc').execute();

type ArticleFields = { id: string; kind: string; theme: string; title: string; summary: string | null; body_html: string; is_repost: number; source_name: string | null; published_at: string | null; correction_note: string | null };

/** The public page of one item (also what the editor's 网站 preview shows, with a banner). */
export function renderArticle(kernel: Kernel, c: ArticleFields, live: Array<{ at: string; body_html: string }>, banner = '') {
  const description = (c.summary ?? plainText(c.body_html)).slice(0, 120);
  // Live blogs: the body is the introduction; the entries follow, newest first, as readers follow them.
  const body = `${banner}<article><div class="meta"><span class="tag">${esc(KIND_NAMES[c.kind as keyof typeof KIND_NAMES] ?? c.kind)}</span>${c.is_repost ? '<span class="tag">转发</span>' : ''}${esc(THEME_NAMES[c.theme as keyof typeof THEME_NAMES] ?? '')}</div>
<h1>${esc(c.title)}</h1><div class="meta">${esc(time(c.published_at, kernel.config.timeZone))}${c.source_name ? ` · 来源：${esc(c.source_name)}` : ''}</div>
${c.correction_note ? `<div class="correction">${esc(c.correction_note)}</div>` : ''}
${c.body_html}
${live.length ? `<h2 class="live-head">直播</h2>${live.map((e) => `<section class="live"><time datetime="${esc(e.at)}">${esc(time(e.at, kernel.config.timeZone))}</time>${e.body_html}</section>`).join('')}` : ''}</article><p><a href="/news">返回列表</a></p>`;
  return layout(kernel, { title: c.title, description, path: `/news/${c.id}`, body });
}

/** Atom 1.0 (RFC 4287). HTML content is escaped text of the sanitised body. */
export async function renderFeed(kernel: Kernel) {
  const items = await listPublished(kernel.db, { limit: 50, offset: 0 });
  const base = kernel.config.publicUrl;
  const updated = items[0]?.updated_at ?? new Date(0).toISOString();
  const entries = items
    .map(
      (i) => `<entry><id>urn:uuid:${i.id}</id><title type="text">${xml(i.title)}</title><link rel="alternate" type="text/html" href="${xml(`${base}/news/${i.id}`)}"/><published>${i.published_at}</published><updated>${i.updated_at}</updated><category term="${xml(i.theme)}" label="${xml(THEME_NAMES[i.theme as keyof typeof THEME_NAMES] ?? i.theme)}"/><summary type="text">${xml((i.summary ?? plainText(i.body_html)).slice(0, 200))}</summary><content type="html">${xml(i.body_html)}</content></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(`${base}/feed.xml`)}</id><title type="text">${xml(`${kernel.config.districtName}发布`)}</title><updated>${updated}</updated><author><name>${xml(`${kernel.config.districtName}疫情防控指挥部`)}</name></author><link rel="self" type="application/atom+xml" href="${xml(`${base}/feed.xml`)}"/><link rel="alternate" type="text/html" href="${xml(`${base}/news`)}"/>
${entries}
</feed>
`;
}
