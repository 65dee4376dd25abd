import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParam } from '../../kernel/module.ts';
import { policyResponse, policySchema, resetPasswordBody, userResponse } from './security.schema.ts';
import { readPolicy, resetPassword, setLock, updatePolicy } from './security.service.ts';

export const securityRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['安全管理'];

  app.get('/security/policy', { schema: { tags, summary: '读取密码与会话策略', response: { 200: policyResponse } } }, async (req) => ({
    policy: await readPolicy(k, req.actor),
  }));
  app.put('/security/policy', { schema: { tags, summary: '修改密码与会话策略', body: policySchema, response: { 200: policyResponse } } }, async (req) => ({
    policy: await updatePolicy(k, req.actor, req.body),
  }));
  app.post('/users/:id/lock', { schema: { tags, summary: '锁定账号', params: idParam, response: { 200: userResponse } } }, async (req) => ({
    user: await setLock(k, req.actor, req.params.id, true),
  }));
  app.post('/users/:id/unlock', { schema: { tags, summary: '解锁账号', params: idParam, response: { 200: userResponse } } }, async (req) => ({
    user: await setLock(k, req.actor, req.params.id, false),
  }));
  app.post('/users/:id/password', { schema: { tags, summary: '重置用户密码', params: idParam, body: resetPasswordBody } }, async (req, reply) => {
    await resetPassword(k, req.actor, req.params.id, req.body.password);
    return reply.status(204).send();
  });
};
