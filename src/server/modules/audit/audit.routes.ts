import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditQuery, auditResponse, verifyResponse } from './audit.schema.ts';
import { listEvents, verifyChain } from './audit.service.ts';

export const auditRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['安全审计'];
  app.get('/audit', { schema: { tags, summary: '审计日志（最新在前）', querystring: auditQuery, response: { 200: auditResponse } } }, async (req) => ({
    events: await listEvents(k, req.actor, req.query),
  }));
  app.get('/audit/verify', { schema: { tags, summary: '校验审计日志哈希链', response: { 200: verifyResponse } } }, async (req) => verifyChain(k, req.actor));
};
