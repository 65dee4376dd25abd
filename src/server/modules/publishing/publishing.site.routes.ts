// Public, unauthenticated routes: the site (/news…), the Atom feed, media and the JSON list.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PublicSite, renderFeed, renderItem, renderList } from './publishing.public.ts';
import { getMedia } from './publishing.media.ts';
import { listPublished } from './publishing.queries.ts';
import { KINDS, THEMES } from './publishing.schema.ts';
import { searchTerms } from '../../../text/segment.ts';

const page = z.coerce.number().int().min(1).max(1000).default(1);

export const publicSiteRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const site = new PublicSite(k);
  const open = { public: true };
  const hide = { hide: true };

  app.get('/news', { config: open, schema: { ...hide, querystring: z.object({ theme: z.enum(THEMES).optional(), kind: z.enum(KINDS).optional(), page }).strict() } }, (req, reply) =>
    site.serve(req, reply, `list:${req.query.theme ?? ''}:${req.query.kind ?? ''}:${req.query.page}`, async () => ({ body: await renderList(k, req.query) })),
  );
  app.get('/news/search', { config: open, schema: { ...hide, querystring: z.object({ q: z.string().max(50).default(''), page }).strict() } }, (req, reply) =>
    site.serve(req, reply, `search:${req.query.q}:${req.query.page}`, async () => ({ body: await renderList(k, { q: req.query.q, page: req.query.page }) })),
  );
  app.get('/news/:id', { config: open, schema: { ...hide, params: z.object({ id: z.string().uuid() }).strict() } }, (req, reply) =>
    site.serve(req, reply, `item:${req.params.id}`, () => renderItem(k, req.params.id)),
  );
  app.get('/feed.xml', { config: open, schema: hide }, (req, reply) =>
    site.serve(req, reply, 'feed', async () => ({ body: await renderFeed(k), type: 'application/atom+xml; charset=utf-8' })),
  );
  app.get('/media/:id', { config: open, schema: { ...hide, params: z.object({ id: z.string().regex(/^[0-9a-f]{64}$/) }).strict() } }, async (req, reply) => {
    const m = await getMedia(k, req.params.id);
    if (!m) return reply.status(404).send({ error: { code: 'not_found', message: '文件不存在' } });
    // Content-addressed: the bytes behind a name never change.
    return reply.type(m.mime).header('cache-control', 'public, max-age=31536000, immutable').header('content-security-policy', "default-src 'none'").send(Buffer.from(m.bytes));
  });
  app.get('/api/public/content', {
    config: open,
    schema: {
      tags: ['公开发布'],
      summary: '已发布内容（无需登录）',
      querystring: z.object({ theme: z.enum(THEMES).optional(), kind: z.enum(KINDS).optional(), q: z.string().max(50).optional(), limit: z.coerce.number().int().min(1).max(100).default(20), offset: z.coerce.number().int().min(0).max(100_000).default(0) }).strict(),
    },
  }, async (req) => {
    const terms = req.query.q ? searchTerms(req.query.q).slice(0, 8) : undefined;
    const items = await listPublished(k.db, { ...req.query, terms });
    return { items: items.map((i) => ({ id: i.id, kind: i.kind, theme: i.theme, title: i.title, summary: i.summary, isRepost: !!i.is_repost, publishedAt: i.published_at, url: `/news/${i.id}`, body: i.body_html, correctionNote: i.correction_note })) };
  });
};
