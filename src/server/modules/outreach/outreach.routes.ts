import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  coverageQuery,
  coverageResponse,
  createIndicatorBody,
  indicatorSchema,
  listRecordsQuery,
  recordSchema,
  replaceBody,
  reviewBody,
  submitBody,
  submitResponse,
  totalsQuery,
  totalsResponse,
  updateIndicatorBody,
} from './outreach.schema.ts';
import {
  coverage,
  createIndicator,
  deleteRecord,
  getIndicators,
  getRecord,
  listRecords,
  replaceRecord,
  reviewRecord,
  submitRecords,
  totals,
  updateIndicator,
  writerOf,
} from './outreach.service.ts';

const recordId = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict();
const indicatorCode = z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, { message: '无效的指标编码' }) }).strict();

export const outreachRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['社会宣传台账'];
  const writer = writerOf(k);
  writer.log = app.log;
  app.addHook('onClose', () => writer.close());

  app.get('/outreach/indicators', {
    schema: { tags, summary: '宣传指标目录', querystring: z.object({ all: z.enum(['1', '0']).optional() }).strict(), response: { 200: z.object({ indicators: z.array(indicatorSchema) }) } },
  }, async (req) => ({ indicators: await getIndicators(k, req.actor, req.query.all === '1') }));
  app.post('/outreach/indicators', { schema: { tags, summary: '新增自定义指标', body: createIndicatorBody, response: { 201: z.object({ indicator: indicatorSchema }) } } }, async (req, reply) =>
    reply.status(201).send({ indicator: await createIndicator(k, req.actor, req.body) }),
  );
  app.patch('/outreach/indicators/:code', { schema: { tags, summary: '修改指标', params: indicatorCode, body: updateIndicatorBody, response: { 200: z.object({ indicator: indicatorSchema }) } } }, async (req) => ({
    indicator: await updateIndicator(k, req.actor, req.params.code, req.body),
  }));

  app.post('/outreach/records', { schema: { tags, summary: '填报宣传记录（按 clientId 幂等，整批校验）', body: submitBody, response: { 200: submitResponse } } }, async (req) => ({
    results: await submitRecords(k, req.actor, req.body.records),
  }));
  app.get('/outreach/records', { schema: { tags, summary: '记录明细（下钻）', querystring: listRecordsQuery, response: { 200: z.object({ records: z.array(recordSchema), nextBefore: z.number().nullable() }) } } }, async (req) =>
    listRecords(k, req.actor, req.query),
  );
  app.get('/outreach/records/:id', { schema: { tags, summary: '单条记录', params: recordId, response: { 200: z.object({ record: recordSchema }) } } }, async (req) => ({
    record: await getRecord(k, req.actor, req.params.id),
  }));
  app.delete('/outreach/records/:id', { schema: { tags, summary: '删除记录（更正，留痕）', params: recordId } }, async (req, reply) => {
    await deleteRecord(k, req.actor, req.params.id);
    return reply.status(204).send();
  });
  app.put('/outreach/records/:id', { schema: { tags, summary: '以新记录替换（更正，留痕）', params: recordId, body: replaceBody, response: { 200: z.object({ record: recordSchema }) } } }, async (req) => ({
    record: await replaceRecord(k, req.actor, req.params.id, req.body),
  }));
  app.post('/outreach/records/:id/review', { schema: { tags, summary: '核实异常值：确认计入或退回', params: recordId, body: reviewBody, response: { 200: z.object({ record: recordSchema }) } } }, async (req) => ({
    record: await reviewRecord(k, req.actor, req.params.id, req.body.decision, req.body.comment),
  }));

  app.get('/outreach/totals', { schema: { tags, summary: '子树合计（可按下级或按日分组）', querystring: totalsQuery, response: { 200: totalsResponse } } }, async (req) =>
    totals(k, req.actor, req.query),
  );
  app.get('/outreach/coverage', { schema: { tags, summary: '填报覆盖：近 N 天未填报的村（社区）', querystring: coverageQuery, response: { 200: coverageResponse } } }, async (req) =>
    coverage(k, req.actor, req.query),
  );
};
