// The one HTTP client for the web app: JSON in and out, same-origin cookies, the CSRF header on
// writes, one error type (HttpError) built from the server's `{ error: { code, message } }` shape,
// and a single place that reacts to 401 (back to the login page).

export type ApiErrorBody = { error: { code: string; message: string; details?: unknown } };

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RequestOptions = {
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
  /** A 401 is an expected answer here (login, the initial session probe): don't redirect. */
  allowUnauthenticated?: boolean;
  signal?: AbortSignal;
};

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;

/** The token comes from login and from /api/auth/me; the server checks it on every cookie write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

function buildUrl(path: string, query?: RequestOptions['query']): string {
  const url = path.startsWith('/api') ? path : `/api${path.startsWith('/') ? '' : '/'}${path}`;
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

export async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new HttpError(0, 'network_error', '');
  }

  if (response.status === 204) return undefined as T;

  const text = await response.text();
  let payload: unknown = undefined;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = undefined;
    }
  }

  if (!response.ok) {
    const body = (payload as Partial<ApiErrorBody> | undefined)?.error;
    const error = new HttpError(
      response.status,
      body?.code ?? `http_${response.status}`,
      body?.message ?? '',
      body?.details,
    );
    if (response.status === 401 && !options.allowUnauthenticated) {
      csrfToken = null;
      onUnauthenticated?.();
    }
    throw error;
  }
  return payload as T;
}

export const http = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>('POST', path, { ...options, body: body ?? {} }),
  put: <T>(path: string, body: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: RequestOptions) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

export function isHttpError(error: unknown, status?: number): error is HttpError {
  return error instanceof HttpError && (status === undefined || error.status === status);
}

/** Turns a non-2xx answer into an HttpError (and reacts to 401), for the raw helpers below. */
async function failure(response: Response): Promise<HttpError> {
  let body: ApiErrorBody['error'] | undefined;
  try {
    body = ((await response.json()) as Partial<ApiErrorBody>).error;
  } catch {
    body = undefined;
  }
  if (response.status === 401) {
    csrfToken = null;
    onUnauthenticated?.();
  }
  return new HttpError(response.status, body?.code ?? `http_${response.status}`, body?.message ?? '', body?.details);
}

/**
 * POSTs a file as the raw request body (not multipart), e.g. an .xlsx upload, with the CSRF header.
 * The answer is JSON.
 */
export async function uploadRaw<T>(path: string, file: Blob, contentType: string, query?: RequestOptions['query']): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': contentType };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), { method: 'POST', headers, credentials: 'same-origin', body: file });
  } catch {
    throw new HttpError(0, 'network_error', '');
  }
  if (!response.ok) throw await failure(response);
  return (await response.json()) as T;
}

/**
 * uploadRaw with upload progress (0–1) through XMLHttpRequest, which fetch cannot report; for large
 * files such as images in the content editor. Same headers, errors and 401 handling as uploadRaw.
 */
export function uploadRawWithProgress<T>(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', buildUrl(path));
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', contentType);
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new HttpError(0, 'network_error', ''));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      const error = (body as Partial<ApiErrorBody> | undefined)?.error;
      if (xhr.status === 401) {
        csrfToken = null;
        onUnauthenticated?.();
      }
      reject(new HttpError(xhr.status, error?.code ?? `http_${xhr.status}`, error?.message ?? '', error?.details));
    };
    xhr.send(file);
  });
}

/** The file name in a Content-Disposition header (RFC 5987 `filename*` first). */
function dispositionName(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="([^"]+)"/i.exec(header)?.[1] ?? null;
}

/**
 * GETs a file and hands it to the browser as a download. Errors come back as HttpError, so a page
 * can say why an export failed instead of opening a JSON error in a new tab.
 */
export async function downloadFile(path: string, query: RequestOptions['query'], fallbackName: string): Promise<{ truncated: boolean }> {
  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), { credentials: 'same-origin' });
  } catch {
    throw new HttpError(0, 'network_error', '');
  }
  if (!response.ok) throw await failure(response);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = dispositionName(response.headers.get('content-disposition')) ?? fallbackName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { truncated: response.headers.get('x-export-truncated') === '1' };
}

/**
 * POSTs JSON and returns the answer as a file (a generated report: HTML, Markdown, Word), with the
 * name from Content-Disposition. Errors come back as HttpError.
 */
export async function postForBlob(path: string, body: unknown): Promise<{ blob: Blob; fileName: string | null; contentType: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(buildUrl(path), { method: 'POST', headers, credentials: 'same-origin', body: JSON.stringify(body) });
  } catch {
    throw new HttpError(0, 'network_error', '');
  }
  if (!response.ok) throw await failure(response);
  return {
    blob: await response.blob(),
    fileName: dispositionName(response.headers.get('content-disposition')),
    contentType: response.headers.get('content-type') ?? '',
  };
}

/** Hands a blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
