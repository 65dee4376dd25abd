import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idParam } from '../../kernel/module.ts';
import { JOB_STATUSES } from '../../kernel/jobs.ts';
import { listJobs, retryJob } from './jobs.service.ts';

const jobSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string(),
  attempts: z.number(),
  maxAttempts: z.number(),
  runAt: z.string(),
  lastError: z.string().nullable(),
  lockedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type JobView = z.infer<typeof jobSchema>;

export const jobsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['后台任务'];
  const query = z.object({ status: z.enum(JOB_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).strict();
  app.get('/jobs', { schema: { tags, summary: '后台任务列表', querystring: query, response: { 200: z.object({ jobs: z.array(jobSchema) }) } } }, async (req) => ({
    jobs: await listJobs(k, req.actor, req.query),
  }));
  app.post('/jobs/:id/retry', { schema: { tags, summary: '重试失败的任务', params: idParam, response: { 200: z.object({ job: jobSchema }) } } }, async (req) => ({
    job: await retryJob(k, req.actor, req.params.id),
  }));
};
