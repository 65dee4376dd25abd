// Routes of the outreach ledger's Excel round-trip: template download, upload → preview → confirm,
// and exports. The request/response schemas live here with the routes (the ledger's own schema
// file belongs to the core module). The raw .xlsx body parser is registered in this plugin only.
// Uploads and confirmations report their phases in a Server-Timing header.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParam } from '../../kernel/module.ts';
import { XLSX_MIME, CSV_MIME } from './outreach.excel.ts';
import { assertMayImport, confirmImport, contentDisposition, exportView, getImport, template, uploadImport, type Download } from './outreach.imports.service.ts';
import { Phases } from '../../kernel/phases.ts';

export { registerImportJobs } from './outreach.imports.service.ts';

const UPLOAD_LIMIT = 64 * 1024 * 1024;

const orgId = z.string().min(1).max(64);
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD' });

export const templateQuery = z.object({ orgId }).strict();
export const uploadQuery = z.object({ orgId, fileName: z.string().max(255).optional() }).strict();
export const exportQuery = z
  .object({
    orgId,
    from: date,
    to: date,
    view: z.enum(['children', 'days', 'records']),
    format: z.enum(['xlsx', 'csv']).default('xlsx'),
  })
  .strict();

const rowSchema = z.object({
  row: z.number().describe('Excel 中的行号'),
  orgCode: z.string(),
  orgName: z.string(),
  date: z.string(),
  values: z.record(z.string(), z.number()),
  errors: z.array(z.object({ column: z.string().describe('列名'), cell: z.string().optional().describe('单元格，如 C5'), reason: z.string() })),
});
const confirmResponse = z.object({
  created: z.number().describe('新增记录数'),
  duplicates: z.number().describe('已存在而跳过的记录数'),
  review: z.number().describe('新增记录中超出合理范围、待核实的条数'),
});
export const importSchema = z.object({
  id: z.string(),
  orgId: z.string(),
  status: z.enum(['preview', 'confirmed']),
  fileName: z.string().nullable(),
  createdAt: z.string(),
  confirmedAt: z.string().nullable(),
  summary: z.object({
    rows: z.number().describe('含数据的行数'),
    records: z.number().describe('将新增的记录数（有错误的行不计）'),
    errors: z.number().describe('错误个数'),
    duplicates: z.number().describe('此前已导入过、确认时将跳过的记录数'),
  }),
  rows: z.array(rowSchema).describe('前 200 行及全部有错误的行'),
  result: confirmResponse.nullable().describe('确认导入的结果（确认前为 null）'),
});
// The body of an upload is the raw file: a Buffer from the parser below, anything else is refused.
const xlsxBody = z
  .custom<Buffer>((v) => Buffer.isBuffer(v), { message: '不是有效的 Excel 文件' })
  .meta({ type: 'string', format: 'binary', description: '填好的模板（.xlsx 文件原样作为请求体）' });

export const outreachExcelRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['社会宣传台账'];

  app.addContentTypeParser([XLSX_MIME, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT }, (_req, body, done) => done(null, body));

  const sendFile = (reply: import('fastify').FastifyReply, file: Download) => {
    reply.header('content-type', file.contentType).header('content-disposition', contentDisposition(file.fileName));
    if (file.truncated) reply.header('x-export-truncated', '1');
    return reply.send(file.body);
  };

  app.get('/outreach/template', {
    schema: { tags, summary: '下载填报模板（.xlsx，含数据验证）', querystring: templateQuery, produces: [XLSX_MIME] },
  }, async (req, reply) => sendFile(reply, await template(k, req.actor, req.query.orgId)));

  app.post('/outreach/imports', {
    bodyLimit: UPLOAD_LIMIT,
    // Refuse people who may not import before a large body is read.
    onRequest: async (req) => assertMayImport(k, req.actor),
    schema: {
      tags,
      summary: '上传填好的模板：逐行检查并生成预览，尚不入账',
      consumes: [XLSX_MIME, 'application/octet-stream'],
      querystring: uploadQuery,
      body: xlsxBody,
      response: { 200: z.object({ import: importSchema }) },
    },
  }, async (req, reply) => {
    const phases = new Phases();
    const view = await uploadImport(k, req.actor, { orgId: req.query.orgId, fileName: req.query.fileName, body: req.body }, phases);
    reply.header('server-timing', phases.header());
    return { import: view };
  });

  app.get('/outreach/imports/:id', {
    schema: { tags, summary: '查看导入预览', params: idParam.strict(), response: { 200: z.object({ import: importSchema }) } },
  }, async (req) => ({ import: await getImport(k, req.actor, req.params.id) }));

  app.post('/outreach/imports/:id/confirm', {
    schema: { tags, summary: '确认导入（幂等：同一内容不会重复计数）', params: idParam.strict(), response: { 200: confirmResponse } },
  }, async (req, reply) => {
    const phases = new Phases();
    const result = await confirmImport(k, req.actor, req.params.id, phases);
    reply.header('server-timing', phases.header());
    return result;
  });

  app.get('/outreach/export', {
    schema: { tags, summary: '导出（按下级、按日或明细；.xlsx 或 .csv）', querystring: exportQuery, produces: [XLSX_MIME, CSV_MIME] },
  }, async (req, reply) => sendFile(reply, await exportView(k, req.actor, req.query)));
};
