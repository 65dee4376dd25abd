import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/index.ts';
import { AppError } from '../../kernel/errors.ts';
import {
  CHANNELS,
  commentBody,
  contentSchema,
  correctBody,
  coverageBody,
  createContentBody,
  deliverySchema,
  eventBody,
  listContentQuery,
  createWebhookBody,
  listDeliveriesQuery,
  liveEntryBody,
  liveEntrySchema,
  noteBody,
  previewBody,
  previewSchema,
  updateWebhookBody,
  webhookSchema,
  periodQuery,
  pressBody,
  publishBody,
  updateContentBody,
  type ContentView,
} from './publishing.schema.ts';
import {
  addComment,
  addLiveEntry,
  approveContent,
  cancelSchedule,
  correctContent,
  createContent,
  diffVersions,
  getContent,
  listContents,
  listLiveEntries,
  publishContent,
  publishScheduled,
  rejectContent,
  submitContent,
  unpublishContent,
  updateContent,
  versions,
} from './publishing.service.ts';
import { confirmDelivery, deliver, exportContent, listDeliveries, retryDelivery } from './publishing.delivery.ts';
import { createWebhook, deleteWebhook, listWebhooks, setWebhooksByChannel, updateWebhook, webhooksByChannel } from './publishing.webhooks.ts';
import { previewContent } from './publishing.preview.ts';
import { addCoverage, coverageReport, createEvent, createPressConference, firstRelease, listPressConferences, publishingCounts } from './publishing.records.ts';
import { MAX_MEDIA_BYTES, MEDIA_TYPES, uploadMedia } from './publishing.media.ts';

const idParam = z.object({ id: z.string().uuid({ message: '无效的编号' }) }).strict();
const contentResponse = z.object({ content: contentSchema });

export const publishingRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['新闻宣传'];

  app.post('/content', { schema: { tags, summary: '新建稿件（草稿）', body: createContentBody, response: { 201: contentResponse } } }, async (req, reply) =>
    reply.status(201).send({ content: await createContent(k, req.actor, req.body) }),
  );
  app.get('/content', { schema: { tags, summary: '稿件列表', querystring: listContentQuery, response: { 200: z.object({ items: z.array(contentSchema) }) } } }, async (req) => ({
    items: await listContents(k, req.actor, req.query),
  }));
  app.get('/content/:id', {
    schema: { tags, summary: '稿件详情（含分发记录、审核意见）', params: idParam, response: { 200: z.object({ content: contentSchema, deliveries: z.array(deliverySchema), comments: z.array(z.object({ id: z.string(), body: z.string(), createdAt: z.string(), author: z.string() })) }) } },
  }, async (req) => getContent(k, req.actor, req.params.id));
  app.patch('/content/:id', { schema: { tags, summary: '修改草稿', params: idParam, body: updateContentBody, response: { 200: contentResponse } } }, async (req) => ({
    content: await updateContent(k, req.actor, req.params.id, req.body),
  }));
  const action = (path: string, summary: string, fn: (id: string, body: any, actor: any) => Promise<ContentView>, body?: z.ZodTypeAny) =>
    app.post(`/content/:id/${path}`, { schema: { tags, summary, params: idParam, ...(body ? { body } : {}), response: { 200: contentResponse } } }, async (req) => ({
      content: await fn(req.params.id, req.body, req.actor),
    }));
  action('submit', '送审', (id, _b, actor) => submitContent(k, actor, id));
  action('approve', '审核通过（审核员，且不是作者）', (id, _b, actor) => approveContent(k, actor, id));
  action('reject', '退回修改', (id, b, actor) => rejectContent(k, actor, id, b.note), noteBody);
  action('publish', '发布（可定时）', (id, b, actor) => publishContent(k, actor, id, b?.scheduledAt), publishBody.optional());
  action('unschedule', '取消定时发布', (id, _b, actor) => cancelSchedule(k, actor, id));
  action('unpublish', '撤回已发布稿件', (id, b, actor) => unpublishContent(k, actor, id, b.note), noteBody);
  action('correct', '公开更正已发布稿件', (id, b, actor) => correctContent(k, actor, id, b), correctBody);

  app.post('/content/:id/comments', { schema: { tags, summary: '审核意见', params: idParam, body: commentBody } }, async (req, reply) => {
    await addComment(k, req.actor, req.params.id, req.body.body);
    return reply.status(201).send({ ok: true });
  });
  app.get('/content/:id/versions', { schema: { tags, summary: '版本历史', params: idParam } }, async (req) => ({ versions: await versions(k, req.actor, req.params.id) }));
  app.get('/content/:id/diff', {
    schema: { tags, summary: '两个版本的差异（统一格式）', params: idParam, querystring: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }).strict() },
  }, async (req) => ({ diff: await diffVersions(k, req.actor, req.params.id, req.query.from, req.query.to) }));
  app.post('/content/:id/live', { schema: { tags, summary: '图文直播追加条目', params: idParam, body: liveEntryBody, response: { 201: z.object({ id: z.string(), at: z.string() }) } } }, async (req, reply) =>
    reply.status(201).send(await addLiveEntry(k, req.actor, req.params.id, req.body)),
  );
  app.get('/content/:id/live', { schema: { tags, summary: '图文直播条目（新的在前）', params: idParam, response: { 200: z.object({ entries: z.array(liveEntrySchema) }) } } }, async (req) => ({
    entries: await listLiveEntries(k, req.actor, req.params.id),
  }));
  app.post('/content/preview', { schema: { tags, summary: '按渠道预览（网站页面、微信 HTML、微博文本及字数、电视口播稿）；不保存', body: previewBody, response: { 200: previewSchema } } }, async (req) =>
    previewContent(k, req.actor, req.body),
  );
  app.get('/content/:id/export/:channel', {
    schema: { tags, summary: '渠道导出稿（微信 HTML、微博文本、电视口播稿…）', params: z.object({ id: z.string().uuid(), channel: z.enum(CHANNELS) }).strict() },
  }, async (req) => exportContent(k, req.actor, req.params.id, req.params.channel));

  app.post('/publishing/deliveries/:id/confirm', {
    schema: { tags, summary: '确认渠道已发布（人工或平台回调）', params: idParam, body: z.object({ externalId: z.string().max(200).optional() }).strict().optional() },
  }, async (req, reply) => {
    await confirmDelivery(k, req.actor, req.params.id, req.body?.externalId);
    return reply.status(204).send();
  });
  app.post('/publishing/deliveries/:id/retry', {
    schema: { tags, summary: '重试分发（失败或待发送的渠道）', params: idParam, response: { 200: z.object({ delivery: deliverySchema.extend({ updatedAt: z.string() }), hasEndpoint: z.boolean() }) } },
  }, async (req) => retryDelivery(k, req.actor, req.params.id));
  app.get('/publishing/deliveries', {
    schema: {
      tags,
      summary: '分发记录（本单位及下级的稿件，按更新时间倒序）',
      querystring: listDeliveriesQuery,
      response: { 200: z.object({ items: z.array(deliverySchema.extend({ updatedAt: z.string(), contentId: z.string(), contentTitle: z.string(), contentStatus: z.string() })) }) },
    },
  }, async (req) => ({ items: await listDeliveries(k, req.actor, req.query) }));

  // Outbound webhook endpoints (系统管理员). The secret is generated here and shown once.
  const webhookIdParam = z.object({ id: z.string().uuid({ message: '无效的编号' }) }).strict();
  app.get('/publishing/webhooks', { schema: { tags, summary: '渠道对接地址（出站 Webhook）', response: { 200: z.object({ webhooks: z.array(webhookSchema) }) } } }, async (req) => ({
    webhooks: await listWebhooks(k, req.actor),
  }));
  app.post('/publishing/webhooks', {
    schema: { tags, summary: '新增对接地址（返回的签名密钥只显示这一次）', body: createWebhookBody, response: { 201: z.object({ webhook: webhookSchema, secret: z.string() }) } },
  }, async (req, reply) => reply.status(201).send(await createWebhook(k, req.actor, req.body)));
  app.patch('/publishing/webhooks/:id', {
    schema: { tags, summary: '修改、暂停或恢复对接地址', params: webhookIdParam, body: updateWebhookBody, response: { 200: z.object({ webhook: webhookSchema }) } },
  }, async (req) => ({ webhook: await updateWebhook(k, req.actor, req.params.id, req.body) }));
  app.delete('/publishing/webhooks/:id', { schema: { tags, summary: '删除对接地址', params: webhookIdParam } }, async (req, reply) => {
    await deleteWebhook(k, req.actor, req.params.id);
    return reply.status(204).send();
  });

  // The first, per-channel form of the same settings (kept for existing integrations).
  const webhooks = z.partialRecord(z.enum(CHANNELS), z.object({ url: z.string().url().refine((u) => /^https?:\/\//.test(u), { message: '只接受 http(s)' }), secret: z.string().min(16).max(200).optional() }).strict());
  app.get('/publishing/channels', { schema: { tags, summary: '渠道对接（每个渠道一个出站 Webhook）' } }, async (req) => ({ webhooks: await webhooksByChannel(k, req.actor) }));
  app.put('/publishing/channels', { schema: { tags, summary: '设置渠道对接（替换全部对接地址）', body: z.object({ webhooks }).strict() } }, async (req) => {
    await setWebhooksByChannel(k, req.actor, req.body.webhooks);
    return { ok: true };
  });

  app.post('/publishing/events', { schema: { tags, summary: '登记事件（用于第一时间发布统计）', body: eventBody } }, async (req, reply) => reply.status(201).send(await createEvent(k, req.actor, req.body)));
  app.get('/publishing/first-release', { schema: { tags, summary: '事件到各渠道首发的时间' } }, async (req) => ({ events: await firstRelease(k, req.actor) }));
  app.post('/publishing/press-conferences', { schema: { tags, summary: '登记新闻发布会', body: pressBody } }, async (req, reply) => reply.status(201).send(await createPressConference(k, req.actor, req.body)));
  app.get('/publishing/press-conferences', { schema: { tags, summary: '新闻发布会' } }, async (req) => ({ pressConferences: await listPressConferences(k, req.actor) }));
  app.post('/publishing/coverage', { schema: { tags, summary: '登记外部媒体报道', body: coverageBody } }, async (req, reply) => reply.status(201).send(await addCoverage(k, req.actor, req.body)));
  app.get('/publishing/coverage', { schema: { tags, summary: '外部媒体报道（按级别、媒体统计）', querystring: periodQuery } }, async (req) => coverageReport(k, req.actor, req.query));
  app.get('/publishing/counts', { schema: { tags, summary: '发布数量（按渠道、类型、主题、原创/转发）', querystring: periodQuery } }, async (req) => publishingCounts(k, req.actor, req.query));

  await app.register(async (media) => {
    for (const type of MEDIA_TYPES) {
      media.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: MAX_MEDIA_BYTES }, (_req, body, done) => done(null, body));
    }
    media.withTypeProvider<ZodTypeProvider>().post('/media', { schema: { tags, summary: '上传图片（PNG/JPEG/GIF/WebP，≤5 MB）' } }, async (req, reply) => {
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      // Only the image parsers above yield bytes; any other body (text, JSON, none) is the wrong kind.
      if (!Buffer.isBuffer(req.body) || !(MEDIA_TYPES as readonly string[]).includes(type)) {
        throw new AppError('unsupported_media_type', '只接受 PNG、JPEG、GIF、WebP 图片（请求体为图片文件本身）');
      }
      return reply.status(201).send(await uploadMedia(k, req.actor, req.body, type));
    });
  });
};

export function registerPublishingJobs(kernel: Kernel) {
  kernel.jobs.register('publishing.publish-scheduled', (payload) => publishScheduled(kernel, payload));
  kernel.jobs.register('publishing.deliver', (payload) => deliver(kernel, payload), { maxAttempts: 8 });
}
