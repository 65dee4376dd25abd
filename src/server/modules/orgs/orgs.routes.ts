import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParam } from '../../kernel/module.ts';
import { createOrgBody, orgResponse, orgsResponse, updateOrgBody } from './orgs.schema.ts';
import { createOrg, getOrg, listOrgs, removeOrg, updateOrg } from './orgs.service.ts';

export const orgsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['组织机构'];

  app.get('/orgs', { schema: { tags, summary: '本单位及下级组织', response: { 200: orgsResponse } } }, async (req) => ({
    orgs: await listOrgs(k, req.actor),
  }));
  app.get('/orgs/:id', { schema: { tags, summary: '组织详情', params: idParam, response: { 200: orgResponse } } }, async (req) => ({
    org: await getOrg(k, req.actor, req.params.id),
  }));
  app.post('/orgs', { schema: { tags, summary: '新增下级组织', body: createOrgBody, response: { 201: orgResponse } } }, async (req, reply) =>
    reply.status(201).send({ org: await createOrg(k, req.actor, req.body) }),
  );
  app.patch('/orgs/:id', { schema: { tags, summary: '修改组织名称或编码', params: idParam, body: updateOrgBody, response: { 200: orgResponse } } }, async (req) => ({
    org: await updateOrg(k, req.actor, req.params.id, req.body),
  }));
  app.delete('/orgs/:id', { schema: { tags, summary: '删除空组织', params: idParam } }, async (req, reply) => {
    await removeOrg(k, req.actor, req.params.id);
    return reply.status(204).send();
  });
};
