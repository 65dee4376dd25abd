// buildApp({ config, database }) → a Fastify instance with every module registered.
// Tests call this directly and drive it with app.inject(); main.ts adds listen() and the job runner.
import fs from 'node:fs';
import path from 'node:path';
import { isAscii, isUtf8, transcode } from 'node:buffer';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { z } from 'zod';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import { createKernel, type Actor, type Kernel } from './kernel/index.ts';
import { AppError } from './kernel/errors.ts';
import { cachedTokenActor, resolveActor, SESSION_COOKIE } from './kernel/authenticate.ts';
import { fastCheckOf, fastSerializerOf } from './kernel/schema-fast-path.ts';
import { safeEqual } from './kernel/crypto.ts';
import type { Clock } from './kernel/time.ts';
import { modules } from './modules/index.ts';
import { publicSiteRoutes } from './modules/publishing/publishing.site.routes.ts';
import { getPolicyCached } from './modules/security/security.service.ts';

z.config(z.locales.zhCN());

declare module 'fastify' {
  interface FastifyInstance {
    kernel: Kernel;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export interface BuildOptions {
  config: Readonly<Config>;
  database: Database;
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const API_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin', 'cache-control': 'no-store' };
const PAGE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'",
};
/** Writes that need no CSRF token: they create the session (or there is none yet). */
const CSRF_EXEMPT = new Set(['/api/auth/login']);

/**
 * The access log: one line per request at info when it completes (method, URL, status, time),
 * instead of Fastify's two ("incoming request" with the whole request, then "request completed");
 * errors as before. At FRONTLINE_LOG_LEVEL=warn or above there is no access log at all.
 */
class AccessLog extends LogController {
  override incomingRequest() {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>) {
    if (error) return super.requestCompleted(error, request, reply, metadata);
    reply.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime }, 'request completed');
  }
}

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config, database } = opts;
  const app = Fastify({
    logger: opts.logger ?? {
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'],
    },
    logController: new AccessLog(),
    trustProxy: config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    // Deeply nested or huge query strings are cut off instead of parsed.
    routerOptions: { maxParamLength: 200 },
    // The router's own refusals (undecodable %-escapes, over-long path segments) would otherwise
    // answer in Fastify's default shape; give them the API's error shape like every other 4xx.
    frameworkErrors: ((err: FastifyError, _request: unknown, reply: FastifyReply) => {
      if (err.code === 'FST_ERR_BAD_URL' || err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        return reply.status(400).send({ error: { code: 'invalid_input', message: '请求路径无效：编码错误或参数过长' } });
      }
      return reply.status(500).send({ error: { code: 'internal_error', message: '服务器内部错误，请稍后重试' } });
    }) as FastifyServerOptions['frameworkErrors'],
  });
  const kernel = createKernel(config, database, app.log, opts.clock);
  app.decorate('kernel', kernel);
  app.decorateRequest('actor', null);

  // zod for every route; a schema with a registered fast path (kernel/schema-fast-path.ts) tries it first.
  app.setValidatorCompiler((route) => {
    const zodValidate = validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);
    const check = fastCheckOf(route.schema);
    return check ? (data) => (check(data) ? { value: data } : zodValidate(data)) : zodValidate;
  });
  app.setSerializerCompiler((route) => {
    const zodSerialize = serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
    const fast = fastSerializerOf(route.schema);
    return fast ? (data) => fast(data) ?? zodSerialize(data) : zodSerialize;
  });
  registerJsonParser(app);
  registerErrorHandlers(app);

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Frontline 一线 API', version: '1.0.0', description: '区疫情防控宣传工作平台的 HTTP 接口' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  // The hooks below run on every request, so they are written callback-style (an async hook costs a
  // promise and a microtask per request) and finish synchronously whenever they can: most machine
  // requests carry an API token whose identity is in the token cache.
  const identify = async (request: FastifyRequest, bearer: string | undefined, sessionId: string | undefined) => {
    // The idle timeout only matters for sessions; machine requests skip the policy lookup.
    const sessionIdleMinutes = sessionId ? (await getPolicyCached(kernel)).sessionIdleMinutes : 0;
    request.actor = await resolveActor(kernel.db, kernel.clock, sessionIdleMinutes, { bearer, sessionId, ip: request.ip });
    if (
      request.actor?.via === 'session' &&
      WRITE_METHODS.has(request.method) &&
      !CSRF_EXEMPT.has(request.routeOptions.url ?? '')
    ) {
      const header = request.headers['x-csrf-token'];
      if (typeof header !== 'string' || !safeEqual(header, request.actor.csrfToken ?? '')) {
        throw new AppError('forbidden', 'CSRF 校验失败，请刷新页面后重试');
      }
    }
  };
  app.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith('/api/')) return done();
    const auth = request.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (bearer) {
      const cached = cachedTokenActor(kernel.db, bearer, request.ip);
      if (cached) {
        request.actor = cached;
        return done();
      }
    }
    const sessionId = bearer ? undefined : request.cookies[SESSION_COOKIE];
    if (!bearer && !sessionId) return done();
    identify(request, bearer, sessionId).then(() => done(), done);
  });

  // Anonymous calls to non-public routes are refused before their input is validated, so an
  // unauthenticated caller learns nothing about a route's schema and always gets 401.
  app.addHook('preValidation', (request, _reply, done) => {
    if (!request.url.startsWith('/api/') || request.actor) return done();
    if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return done();
    done(new AppError('unauthenticated', '请先登录'));
  });

  app.addHook('onSend', (request, reply, _payload, done) => {
    if (request.url.startsWith('/api/')) reply.headers(API_HEADERS);
    else reply.headers(PAGE_HEADERS);
    done();
  });

  app.get('/api/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  for (const mod of modules) await app.register(mod.routes, { prefix: '/api' });
  for (const mod of modules) mod.jobs?.(kernel);
  kernel.reportProviders.push(...modules.flatMap((m) => m.reportProviders ?? []).sort((a, b) => a.order - b.order));

  // The public site lives outside /api (server-rendered pages, feed, media).
  await app.register(publicSiteRoutes);
  await registerWeb(app, config.webDir);
  return app;
}

function registerJsonParser(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    if (body.length === 0) return done(null, undefined);
    if (!isUtf8(body)) return done(new AppError('invalid_input', '请求体不是有效的 UTF-8 编码'), undefined);
    try {
      done(null, JSON.parse(utf8Text(body)));
    } catch {
      done(new AppError('invalid_input', '请求体不是有效的 JSON'), undefined);
    }
  });
}

/**
 * A valid UTF-8 body as a string. V8 decodes non-ASCII UTF-8 at about 80 MB/s here (9 ms for a batch
 * of 1,000 Chinese posts, more than parsing its JSON); ICU's transcoding to UTF-16 and a copy take a
 * quarter of that. ASCII is read as it is.
 */
export function utf8Text(body: Buffer): string {
  if (isAscii(body)) return body.toString('latin1');
  try {
    return transcode(body, 'utf8', 'utf16le').toString('utf16le');
  } catch {
    return body.toString('utf8'); // a Node built without ICU
  }
}

const statusCodes: Record<number, AppError['code']> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};
const statusMessages: Record<number, string> = {
  400: '请求无效',
  404: '资源不存在',
  413: '请求体过大',
  415: '不支持的内容类型，请使用 application/json',
  429: '请求过于频繁，请稍后再试',
};

function registerErrorHandlers(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path: [String(err.validationContext ?? ''), ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.'),
        message: v.message,
      }));
      return reply.status(400).send({ error: { code: 'invalid_input', message: `输入有误：${details[0]?.path} ${details[0]?.message}`, details } });
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = statusCodes[status] ?? 'invalid_input';
      return reply.status(status).send({ error: { code, message: statusMessages[status] ?? '请求无效' } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal_error', message: '服务器内部错误，请稍后重试' } });
  });
}

async function registerWeb(app: FastifyInstance, webDir: string) {
  const index = path.join(webDir, 'index.html');
  const hasWeb = fs.existsSync(index);
  if (hasWeb) {
    // wildcard: files built after start (a rebuild while running) are served too.
    await app.register(fastifyStatic, { root: webDir, wildcard: true, index: false, maxAge: '1h', immutable: false });
    // Directory URLs: the static handler refuses them (index: false), so the two apps' entry pages are named here.
    const page = (file: string) => async (_req: unknown, reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile(file);
    app.get('/', { schema: { hide: true } }, page('index.html'));
    if (fs.existsSync(path.join(webDir, 'reporter', 'index.html'))) {
      app.get('/reporter/', { schema: { hide: true } }, page('reporter/index.html'));
    }
  }
  app.setNotFoundHandler((request, reply) => {
    // A missing asset is a 404, never the app shell (which would load as a blank page).
    const isAsset = /^\/(assets|reporter\/assets)\//.test(request.url) || /\.(js|css|map|png|svg|ico|webmanifest|woff2?)(\?|$)/.test(request.url);
    if (request.url.startsWith('/api/') || request.method !== 'GET' || !hasWeb || isAsset) {
      return reply.status(404).send({ error: { code: 'not_found', message: '资源不存在' } });
    }
    // The reporter's phone entry is its own small app under /reporter/; the admin app owns the rest.
    const entry = /^\/reporter(\/|$|\?)/.test(request.url) && fs.existsSync(path.join(webDir, 'reporter', 'index.html')) ? 'reporter/index.html' : 'index.html';
    return reply.header('cache-control', 'no-cache').sendFile(entry);
  });
}
