import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParam } from '../../kernel/module.ts';
import { createUserBody, updateUserBody, userResponse, usersResponse } from './users.schema.ts';
import { createUser, getUser, listUsers, updateUser } from './users.service.ts';

export const usersRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['用户管理'];

  app.get('/users', { schema: { tags, summary: '本单位及下级的用户', response: { 200: usersResponse } } }, async (req) => ({
    users: await listUsers(k, req.actor),
  }));
  app.get('/users/:id', { schema: { tags, summary: '用户详情', params: idParam, response: { 200: userResponse } } }, async (req) => ({
    user: await getUser(k, req.actor, req.params.id),
  }));
  app.post('/users', { schema: { tags, summary: '新建用户', body: createUserBody, response: { 201: userResponse } } }, async (req, reply) =>
    reply.status(201).send({ user: await createUser(k, req.actor, req.body) }),
  );
  app.patch('/users/:id', { schema: { tags, summary: '修改用户', params: idParam, body: updateUserBody, response: { 200: userResponse } } }, async (req) => ({
    user: await updateUser(k, req.actor, req.params.id, req.body),
  }));
};
