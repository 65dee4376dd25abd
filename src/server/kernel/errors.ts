// One error type for every expected failure. The error handler in app.ts turns it into
// { error: { code, message, details? } }; codes are stable snake_case, messages zh-CN.
export const httpStatusOf = {
  invalid_input: 400,
  weak_password: 400,
  role_conflict: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  account_locked: 423,
  rate_limited: 429,
} as const;

export type ErrorCode = keyof typeof httpStatusOf;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = httpStatusOf[code];
  }
}

export const notFound = (what = '资源') => new AppError('not_found', `${what}不存在`);
export const forbidden = (message = '没有权限执行此操作') => new AppError('forbidden', message);
