import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idParam } from '../../kernel/module.ts';
import { SESSION_COOKIE } from '../../kernel/authenticate.ts';
import {
  changePasswordBody,
  createTokenBody,
  createTokenResponse,
  loginBody,
  loginResponse,
  meResponse,
  tokensResponse,
} from './auth.schema.ts';
import { changeOwnPassword, createToken, login, logout, me, myTokens, revokeToken } from './auth.service.ts';

export const authRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const k = app.kernel;
  const tags = ['登录与账户'];
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: k.config.secureCookies, path: '/' };

  app.post('/auth/login', { config: { public: true }, schema: { tags, summary: '登录', body: loginBody, response: { 200: loginResponse } } }, async (req, reply) => {
    const result = await login(k, req.body, req.ip);
    reply.setCookie(SESSION_COOKIE, result.sessionId, cookieOptions);
    return { user: result.user, csrfToken: result.csrfToken };
  });
  app.post('/auth/logout', { config: { public: true }, schema: { tags, summary: '退出登录' } }, async (req, reply) => {
    await logout(k, req.actor);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.status(204).send();
  });
  app.get('/auth/me', { schema: { tags, summary: '当前用户', response: { 200: meResponse } } }, async (req) => me(k, req.actor));
  app.post('/auth/password', { schema: { tags, summary: '修改本人密码', body: changePasswordBody } }, async (req, reply) => {
    await changeOwnPassword(k, req.actor, req.body.currentPassword, req.body.newPassword);
    return reply.status(204).send();
  });
  app.get('/auth/tokens', { schema: { tags, summary: '本人的接口令牌', response: { 200: tokensResponse } } }, async (req) => ({
    tokens: await myTokens(k, req.actor),
  }));
  app.post('/auth/tokens', { schema: { tags, summary: '新建接口令牌（只显示一次）', body: createTokenBody, response: { 201: createTokenResponse } } }, async (req, reply) =>
    reply.status(201).send(await createToken(k, req.actor, req.body.name)),
  );
  app.delete('/auth/tokens/:id', { schema: { tags, summary: '吊销接口令牌', params: idParam } }, async (req, reply) => {
    await revokeToken(k, req.actor, req.params.id);
    return reply.status(204).send();
  });
};
