// HTTP routes of opinion monitoring (网络舆情): parse, call one service function, present.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/index.ts';
import { MINUTE } from '../../kernel/time.ts';
import { AppError } from '../../kernel/errors.ts';
import { sendDocument } from '../reports/reports.routes.ts';
import {
  alertView,
  attachRefutationBody,
  mergeClustersBody,
  splitClusterBody,
  briefBody,
  caseActionBody,
  caseActionView,
  caseView,
  clusterView,
  createCaseBody,
  groupIdParam,
  ingestBody,
  ingestResponse,
  keywordGroupBody,
  keywordGroupView,
  labelBody,
  listAlertsQuery,
  listCasesQuery,
  listClustersQuery,
  listPostsQuery,
  listRefutationsQuery,
  modelView,
  overviewQuery,
  overviewView,
  postView,
  handoverBody,
  handoverTargetView,
  refutationBody,
  refutationView,
  settingsBody,
  settingsView,
  sourceBody,
  sourceView,
  testRuleBody,
  updateCaseBody,
  updateKeywordGroupBody,
  updateRefutationBody,
  updateSourceBody,
  UPLOAD_LIMIT,
  UPLOAD_TYPES,
  uploadQuery,
} from './opinion.schema.ts';
import { ingestPosts } from './opinion.ingest.ts';
import { Phases } from '../../kernel/phases.ts';
import { hugePagesStatus } from '../../kernel/hugepages.ts';
import {
  attachRefutation,
  detachPost,
  getCluster,
  getPost,
  labelPost,
  listClusters,
  listPosts,
  mergeClusters,
  splitCluster,
  modelQuality,
  overview,
} from './opinion.service.ts';
import { createRefutation, handOverRefutation, handoverTargets, listRefutations, updateRefutation } from './opinion.refutations.ts';
import { createGroup, createSource, deleteGroup, getSettings, listGroups, listSources, saveSettings, testRule, updateGroup, updateSource } from './opinion.config.ts';
import { acknowledgeAlert, listAlerts, registerAlertJobs } from './opinion.alerts.ts';
import { addCaseAction, createCase, getCase, listAssignees, listCases, referralSheet, updateCase } from './opinion.cases.ts';
import { registerFeedJobs, requestPoll, uploadPosts } from './opinion.feeds.ts';
import { generateOpinionBrief, registerBriefJobs } from './opinion.brief.ts';
import { analysisPool, closeAnalysis, warmCandidateIndexes } from './opinion.state.ts';

const uuidParam = z.object({ id: z.string().uuid({ message: '无效的编号' }) }).strict();
const INGEST_LIMIT = 32 * 1024 * 1024;

export const opinionRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['网络舆情'];
  analysisPool(k).warn = (message) => app.log.warn(message);
  app.addHook('onClose', () => closeAnalysis(k));
  app.addHook('onReady', () => {
    const t0 = performance.now();
    void warmCandidateIndexes(k).then(
      (orgs) =>
        orgs > 0 &&
        app.log.info(
          // Whether the index got 2 MiB pages (docs/operations.md §7).
          { orgs, ms: Math.round(performance.now() - t0), hugePages: hugePagesStatus() },
          'opinion candidate indexes loaded',
        ),
      (err: Error) => app.log.warn({ err }, 'candidate index warm-up failed; the first ingest loads it'),
    );
  });

  // ---- posts
  app.post('/opinion/posts', {
    bodyLimit: INGEST_LIMIT,
    schema: { tags, summary: '接收帖文（每次最多 5,000 条；来源+编号唯一，重复提交不重复计数）', body: ingestBody, response: { 200: ingestResponse } },
  }, async (req, reply) => {
    const phases = new Phases();
    const results = await ingestPosts(k, req.actor, req.body.posts, phases);
    reply.header('server-timing', phases.header());
    return { results };
  });
  app.get('/opinion/posts', {
    schema: { tags, summary: '帖文流（按发布时间倒序；不含发布者信息）', querystring: listPostsQuery, response: { 200: z.object({ posts: z.array(postView), nextCursor: z.string().nullable() }) } },
  }, async (req) => listPosts(k, req.actor, req.query));
  app.get('/opinion/posts/:id', { schema: { tags, summary: '帖文详情', params: uuidParam, response: { 200: z.object({ post: postView }) } } }, async (req) => ({
    post: await getPost(k, req.actor, req.params.id),
  }));
  app.post('/opinion/posts/:id/label', {
    schema: { tags, summary: '人工标注（模型随之学习）', params: uuidParam, body: labelBody, response: { 200: z.object({ post: postView }) } },
  }, async (req) => ({ post: await labelPost(k, req.actor, req.params.id, req.body) }));
  app.post('/opinion/posts/:id/detach', {
    schema: { tags, summary: '把帖文移出所在聚类，单独成为一个聚类（与它相似的新帖文随之归入新聚类）', params: uuidParam, response: { 200: z.object({ post: postView, cluster: clusterView }) } },
  }, async (req) => detachPost(k, req.actor, req.params.id));

  await app.register(async (upload) => {
    const u = upload.withTypeProvider<ZodTypeProvider>();
    u.addContentTypeParser([...UPLOAD_TYPES], { parseAs: 'buffer', bodyLimit: UPLOAD_LIMIT }, (_req, body, done) => done(null, body));
    u.post('/opinion/posts/upload', {
      bodyLimit: UPLOAD_LIMIT,
      schema: {
        tags,
        summary: '上传 CSV（表头：externalId,text,publishedAt,author,url）或 JSONL 文件；任一行有误则整批不导入',
        querystring: uploadQuery,
        consumes: [...UPLOAD_TYPES],
        response: { 200: z.object({ created: z.number(), duplicates: z.number(), results: ingestResponse.shape.results }) },
      },
    }, async (req) => {
      if (!Buffer.isBuffer(req.body)) throw new AppError('unsupported_media_type', '请上传 CSV（text/csv）或 JSONL（application/x-ndjson）文件');
      return uploadPosts(k, req.actor, req.body, String(req.headers['content-type'] ?? ''), req.query.source);
    });
  });

  // ---- clusters
  app.get('/opinion/clusters', { schema: { tags, summary: '聚类（同一说法的传播）', querystring: listClustersQuery, response: { 200: z.object({ clusters: z.array(clusterView) }) } } }, async (req) => ({
    clusters: await listClusters(k, req.actor, req.query),
  }));
  app.get('/opinion/clusters/:id', {
    schema: {
      tags,
      summary: '聚类详情：分时走势、来源、最新帖文',
      params: uuidParam,
      response: {
        200: z.object({
          cluster: clusterView,
          timeline: z.array(z.object({ hour: z.string(), count: z.number(), cumulative: z.number() })),
          sources: z.array(z.object({ source: z.string(), count: z.number() })),
          posts: z.array(postView),
        }),
      },
    },
  }, async (req) => getCluster(k, req.actor, req.params.id));
  app.post('/opinion/clusters/:id/refutation', {
    schema: { tags, summary: '关联或取消关联辟谣条目', params: uuidParam, body: attachRefutationBody, response: { 200: z.object({ cluster: clusterView }) } },
  }, async (req) => ({ cluster: await attachRefutation(k, req.actor, req.params.id, req.body.refutationId) }));
  app.post('/opinion/clusters/:id/merge', {
    schema: { tags, summary: '把同一说法的其他聚类并入本聚类（帖文、代表帖文、工单随之移入）', params: uuidParam, body: mergeClustersBody, response: { 200: z.object({ cluster: clusterView }) } },
  }, async (req) => ({ cluster: await mergeClusters(k, req.actor, req.params.id, req.body.from) }));
  app.post('/opinion/clusters/:id/split', {
    schema: { tags, summary: '拆分聚类：选中的帖文一起移出，成为一个新聚类（代表帖文随之移动）', params: uuidParam, body: splitClusterBody, response: { 200: z.object({ cluster: clusterView }) } },
  }, async (req) => ({ cluster: await splitCluster(k, req.actor, req.params.id, req.body.postIds) }));

  // ---- refutations
  app.post('/opinion/refutations', { schema: { tags, summary: '新增辟谣条目', body: refutationBody, response: { 201: z.object({ refutation: refutationView }) } } }, async (req, reply) =>
    reply.status(201).send({ refutation: await createRefutation(k, req.actor, req.body) }),
  );
  app.get('/opinion/refutations', { schema: { tags, summary: '辟谣库', querystring: listRefutationsQuery, response: { 200: z.object({ refutations: z.array(refutationView) }) } } }, async (req) => ({
    refutations: await listRefutations(k, req.actor, req.query),
  }));
  app.patch('/opinion/refutations/:id', {
    schema: { tags, summary: '修改辟谣条目（填写链接即视为已发布）', params: uuidParam, body: updateRefutationBody, response: { 200: z.object({ refutation: refutationView }) } },
  }, async (req) => ({ refutation: await updateRefutation(k, req.actor, req.params.id, req.body) }));
  app.get('/opinion/handover-targets', {
    schema: { tags, summary: '辟谣可转交的单位：本区有编辑或宣传干事的单位', response: { 200: z.object({ targets: z.array(handoverTargetView) }) } },
  }, async (req) => ({ targets: await handoverTargets(k, req.actor) }));
  app.post('/opinion/refutations/:id/handover', {
    schema: {
      tags,
      summary: '转交新闻宣传：在接收单位建一篇辟谣稿件草稿（编辑、审核、发布仍按新闻宣传的流程），稿件发布后辟谣条目即为已发布、链接为稿件页面',
      params: uuidParam,
      body: handoverBody,
      response: { 200: z.object({ refutation: refutationView }) },
    },
  }, async (req) => ({ refutation: await handOverRefutation(k, req.actor, req.params.id, req.body.orgId) }));

  // ---- keyword groups
  app.get('/opinion/keyword-groups', { schema: { tags, summary: '关键词组', response: { 200: z.object({ groups: z.array(keywordGroupView) }) } } }, async (req) => ({
    groups: await listGroups(k, req.actor),
  }));
  app.post('/opinion/keyword-groups', { schema: { tags, summary: '新增关键词组', body: keywordGroupBody, response: { 201: z.object({ group: keywordGroupView }) } } }, async (req, reply) =>
    reply.status(201).send({ group: await createGroup(k, req.actor, req.body) }),
  );
  app.patch('/opinion/keyword-groups/:id', {
    schema: { tags, summary: '修改、停用关键词组', params: groupIdParam, body: updateKeywordGroupBody, response: { 200: z.object({ group: keywordGroupView }) } },
  }, async (req) => ({ group: await updateGroup(k, req.actor, req.params.id, req.body) }));
  app.delete('/opinion/keyword-groups/:id', { schema: { tags, summary: '删除关键词组（内置的只能停用）', params: groupIdParam } }, async (req, reply) => {
    await deleteGroup(k, req.actor, req.params.id);
    return reply.status(204).send();
  });
  app.post('/opinion/keyword-groups/test', {
    schema: { tags, summary: '试用规则（不保存）', body: testRuleBody, response: { 200: z.object({ matches: z.boolean(), normalized: z.string() }) } },
  }, async (req) => testRule(k, req.actor, req.body));

  // ---- sources and settings
  app.get('/opinion/sources', { schema: { tags, summary: '来源', response: { 200: z.object({ sources: z.array(sourceView) }) } } }, async (req) => ({ sources: await listSources(k, req.actor) }));
  app.post('/opinion/sources', { schema: { tags, summary: '新增来源（推送接口、RSS/Atom 订阅、上传）', body: sourceBody, response: { 201: z.object({ source: sourceView }) } } }, async (req, reply) =>
    reply.status(201).send({ source: await createSource(k, req.actor, req.body) }),
  );
  app.patch('/opinion/sources/:id', {
    schema: { tags, summary: '修改、暂停或恢复来源', params: uuidParam, body: updateSourceBody, response: { 200: z.object({ source: sourceView }) } },
  }, async (req) => ({ source: await updateSource(k, req.actor, req.params.id, req.body) }));
  app.post('/opinion/sources/:id/poll', {
    schema: {
      tags,
      summary: '立即抓取订阅源',
      params: uuidParam,
      response: { 200: z.object({ status: z.enum(['ok', 'not_modified', 'failed', 'skipped']), created: z.number().optional(), error: z.string().optional() }) },
    },
  }, async (req) => requestPoll(k, req.actor, req.params.id));
  app.get('/opinion/settings', { schema: { tags, summary: '预警推送设置', response: { 200: settingsView } } }, async (req) => getSettings(k, req.actor));
  app.put('/opinion/settings', { schema: { tags, summary: '修改预警推送设置', body: settingsBody, response: { 200: settingsView } } }, async (req) => saveSettings(k, req.actor, req.body));

  // ---- alerts
  app.get('/opinion/alerts', { schema: { tags, summary: '舆情预警', querystring: listAlertsQuery, response: { 200: z.object({ alerts: z.array(alertView) }) } } }, async (req) => ({
    alerts: await listAlerts(k, req.actor, req.query),
  }));
  app.post('/opinion/alerts/:id/ack', { schema: { tags, summary: '确认预警', params: uuidParam, response: { 200: z.object({ alert: alertView }) } } }, async (req) => ({
    alert: await acknowledgeAlert(k, req.actor, req.params.id),
  }));

  // ---- cases
  const caseDetail = z.object({ case: caseView, actions: z.array(caseActionView) });
  app.get('/opinion/assignees', { schema: { tags, summary: '可指派的舆情分析员', response: { 200: z.object({ users: z.array(z.object({ id: z.string(), displayName: z.string() })) }) } } }, async (req) => ({
    users: await listAssignees(k, req.actor),
  }));
  app.post('/opinion/cases', { schema: { tags, summary: '新建处置工单（来自聚类或帖文）', body: createCaseBody, response: { 201: caseDetail } } }, async (req, reply) =>
    reply.status(201).send(await createCase(k, req.actor, req.body)),
  );
  app.get('/opinion/cases', { schema: { tags, summary: '工单', querystring: listCasesQuery, response: { 200: z.object({ cases: z.array(caseView) }) } } }, async (req) => ({
    cases: await listCases(k, req.actor, req.query),
  }));
  app.get('/opinion/cases/:id', { schema: { tags, summary: '工单详情与处置记录', params: uuidParam, response: { 200: caseDetail } } }, async (req) => getCase(k, req.actor, req.params.id));
  app.patch('/opinion/cases/:id', { schema: { tags, summary: '改状态、承办人、期限', params: uuidParam, body: updateCaseBody, response: { 200: caseDetail } } }, async (req) =>
    updateCase(k, req.actor, req.params.id, req.body),
  );
  app.post('/opinion/cases/:id/actions', { schema: { tags, summary: '记录处置措施', params: uuidParam, body: caseActionBody, response: { 200: caseDetail } } }, async (req) =>
    addCaseAction(k, req.actor, req.params.id, req.body),
  );
  app.get('/opinion/cases/:id/referral', { schema: { tags, summary: '价格违法线索移交单（Word）', params: uuidParam } }, async (req, reply) => {
    const sheet = await referralSheet(k, req.actor, req.params.id);
    return sendDocument(reply, { id: null, content: sheet.content, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', fileName: sheet.fileName });
  });

  // ---- overview, model, brief
  app.get('/opinion/overview', { schema: { tags, summary: '舆情概览', querystring: overviewQuery, response: { 200: overviewView } } }, async (req) => overview(k, req.actor, req.query));
  app.get('/opinion/model', { schema: { tags, summary: '分类模型质量（内置语料留出集，学习前后）', response: { 200: modelView } } }, async (req) => modelQuality(k, req.actor));
  app.post('/opinion/brief', { schema: { tags, summary: '生成舆情日报（默认前一日），并归档', body: briefBody } }, async (req, reply) =>
    sendDocument(reply, await generateOpinionBrief(k, req.actor, req.body)),
  );
};

export function registerOpinionJobs(kernel: Kernel) {
  registerAlertJobs(kernel);
  registerFeedJobs(kernel);
  registerBriefJobs(kernel);
  // Author hashes are only needed while a claim spreads: after 90 days they are dropped.
  kernel.jobs.register('opinion.retention', async () => {
    const cutoff = new Date(kernel.clock().getTime() - 90 * 86_400_000).toISOString();
    await kernel.db.updateTable('opinion_posts').set({ author_hash: null }).where('published_at', '<', cutoff).where('author_hash', 'is not', null).execute();
  });
  kernel.jobs.schedule('opinion.retention', 'opinion.retention', 24 * 60 * MINUTE);
}
