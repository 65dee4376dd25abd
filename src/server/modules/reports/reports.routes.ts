import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { archiveItem, dailyBriefBody, previewBody, saveTemplateBody, stageSummaryBody, templateName, templateResponse } from './reports.schema.ts';
import { generateDailyBrief, generateStageSummary, getArchived, getTemplate, listReports, previewTemplate, saveTemplate, type Generated } from './reports.service.ts';

export function sendDocument(reply: FastifyReply, doc: Generated) {
  if (doc.id) reply.header('x-report-id', doc.id);
  reply.header('content-type', doc.contentType);
  if (!doc.contentType.startsWith('text/html')) {
    reply.header('content-disposition', `attachment; filename="report"; filename*=UTF-8''${encodeURIComponent(doc.fileName)}`);
  }
  return reply.send(doc.content);
}

export const reportsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['工作总结'];

  app.post('/reports/stage-summary', { schema: { tags, summary: '生成阶段工作总结（Markdown / HTML / Word），并归档', body: stageSummaryBody } }, async (req, reply) =>
    sendDocument(reply, await generateStageSummary(k, req.actor, req.body)),
  );
  app.post('/reports/daily-brief', { schema: { tags, summary: '生成社会宣传工作日报，并归档', body: dailyBriefBody } }, async (req, reply) =>
    sendDocument(reply, await generateDailyBrief(k, req.actor, req.body)),
  );
  app.get('/reports/templates/:name', { schema: { tags, summary: '报告模板（当前版本与历史）', params: templateName, response: { 200: templateResponse } } }, async (req) =>
    getTemplate(k, req.actor, req.params.name),
  );
  app.put('/reports/templates/:name', { schema: { tags, summary: '保存模板新版本', params: templateName, body: saveTemplateBody, response: { 200: z.object({ name: z.string(), version: z.number() }) } } }, async (req) =>
    saveTemplate(k, req.actor, req.params.name, req.body.parts, req.body.note),
  );
  app.post('/reports/templates/:name/preview', { schema: { tags, summary: '用未保存的模板预览（不归档）', params: templateName, body: previewBody } }, async (req, reply) =>
    sendDocument(reply, await previewTemplate(k, req.actor, req.params.name, req.body)),
  );
  app.get('/reports', { schema: { tags, summary: '已生成报告归档', querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }).strict(), response: { 200: z.object({ reports: z.array(archiveItem) }) } } }, async (req) => ({
    reports: await listReports(k, req.actor, req.query.limit),
  }));
  app.get('/reports/:id/content', { schema: { tags, summary: '下载归档报告', params: z.object({ id: z.string().uuid() }).strict() } }, async (req, reply) =>
    sendDocument(reply, await getArchived(k, req.actor, req.params.id)),
  );
};
