// The only reader of process.env. Parsed and validated once at start, then frozen.
// A bad value ends the process with one line naming the setting (see main.ts).
import path from 'node:path';
import { z } from 'zod';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: '应为 true 或 false' })
    .default(def ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (def: number, min: number, max: number) =>
  z.coerce
    .number({ message: '应为整数' })
    .int({ message: '应为整数' })
    .min(min, { message: `不能小于 ${min}` })
    .max(max, { message: `不能大于 ${max}` })
    .default(def);

const envSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).default('0.0.0.0'),
  FRONTLINE_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, { message: '应为 postgres:// 开头的连接串' })
    .optional(),
  FRONTLINE_ADMIN_PASSWORD: z.string().min(1).optional(),
  FRONTLINE_DISTRICT_NAME: z.string().min(1).max(50).default('示例区'),
  FRONTLINE_TZ: z
    .string()
    .default('Asia/Shanghai')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, { message: '不是有效的 IANA 时区' }),
  FRONTLINE_CRYPTO: z.enum(['sha256', 'sm'], { message: '应为 sha256 或 sm' }).default('sha256'),
  FRONTLINE_SESSION_IDLE_MINUTES: int(30, 1, 24 * 60),
  FRONTLINE_SECURE_COOKIES: bool(false),
  FRONTLINE_TRUST_PROXY: bool(false),
  FRONTLINE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FRONTLINE_JOBS: bool(true),
  FRONTLINE_SQLITE_SYNC: z.enum(['normal', 'full']).default('normal'),
  FRONTLINE_LOGIN_RATE_PER_MINUTE: int(60, 30, 100000),
  FRONTLINE_WEB_DIR: z.string().optional(),
  FRONTLINE_PASSWORD_HASH_COST: int(15, 10, 18),
  FRONTLINE_PUBLIC_URL: z.string().url({ message: '应为 http(s):// 开头的网址' }).optional(),
  FRONTLINE_AUTHOR_KEY: z.string().min(32, { message: '至少 32 个字符' }).optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminPassword: string | undefined;
  districtName: string;
  timeZone: string;
  crypto: 'sha256' | 'sm';
  sessionIdleMinutes: number;
  secureCookies: boolean;
  trustProxy: boolean;
  logLevel: string;
  runJobs: boolean;
  sqliteSync: 'normal' | 'full';
  loginRatePerMinute: number;
  webDir: string;
  passwordHashCost: number;
  /** Absolute base URL of the public site (feed links, sharing tags). */
  publicUrl: string;
  /**
   * Key of the keyed hash that stands in for post authors (opinion monitoring). Unset: a random key
   * is kept in <data>/keys/author.key; instances sharing one PostgreSQL must share the key.
   */
  authorKey: string | undefined;
}

export class ConfigError extends Error {
  constructor(public setting: string, reason: string) {
    super(`配置错误：${setting} ${reason}`);
  }
}

/** Parse settings from an environment map (process.env in production, a plain object in tests). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  // Empty strings count as unset, as shells and .env files often leave them.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const setting = String(issue.path[0] ?? '?');
    throw new ConfigError(setting, `的值无效（${JSON.stringify(cleaned[setting] ?? '')}）：${issue.message}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.FRONTLINE_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    adminPassword: e.FRONTLINE_ADMIN_PASSWORD,
    districtName: e.FRONTLINE_DISTRICT_NAME,
    timeZone: e.FRONTLINE_TZ,
    crypto: e.FRONTLINE_CRYPTO,
    sessionIdleMinutes: e.FRONTLINE_SESSION_IDLE_MINUTES,
    secureCookies: e.FRONTLINE_SECURE_COOKIES,
    trustProxy: e.FRONTLINE_TRUST_PROXY,
    logLevel: e.FRONTLINE_LOG_LEVEL,
    runJobs: e.FRONTLINE_JOBS,
    sqliteSync: e.FRONTLINE_SQLITE_SYNC,
    loginRatePerMinute: e.FRONTLINE_LOGIN_RATE_PER_MINUTE,
    webDir: path.resolve(e.FRONTLINE_WEB_DIR ?? 'dist/web'),
    passwordHashCost: e.FRONTLINE_PASSWORD_HASH_COST,
    publicUrl: (e.FRONTLINE_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    authorKey: e.FRONTLINE_AUTHOR_KEY,
  });
}
