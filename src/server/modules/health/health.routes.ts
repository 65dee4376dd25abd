import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';

export const healthRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const engine = app.kernel.engine;
  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['运行状态'], summary: '健康检查（无需登录）', response: { 200: z.object({ ok: z.literal(true), db: z.enum(['sqlite', 'postgres']) }) } } },
    async () => ({ ok: true as const, db: engine }),
  );
};
