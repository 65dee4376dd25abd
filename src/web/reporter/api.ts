// The reporter page's HTTP client: same-origin cookies, the CSRF token (kept with the session in
// localStorage so it survives a reload), a timeout so a weak network fails instead of hanging.
export type User = { id: string; username: string; displayName: string; orgId: string; roles: string[] };
export type Session = { user: User; csrfToken: string };
export type Org = { id: string; parentId: string | null; name: string; kind: string; code: string | null };
export type Indicator = { code: string; name: string; unit: string; decimals: number; maxPerRecord: number | null };
export type RecordInput = { clientId: string; orgId: string; date: string; indicator: string; value: number; note?: string | null };
export type SubmitResult = { clientId: string; id: number; status: 'created' | 'duplicate'; review: boolean };
export type ServerRecord = {
  id: number;
  clientId: string;
  orgId: string;
  orgName: string;
  date: string;
  indicator: string;
  value: number;
  note: string | null;
  status: 'counted' | 'pending_review' | 'rejected' | 'deleted';
  reviewReason: string | null;
  createdAt: string;
};

/** An answer that is not 2xx (status 0: no answer at all — offline, timeout). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const SESSION_KEY = 'fl.reporter.session';
const TIMEOUT_MS = 20_000;

let session: Session | null = (() => {
  try {
    return JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
  } catch {
    return null;
  }
})();

export const currentSession = () => session;

export function saveSession(next: Session | null) {
  session = next;
  try {
    if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
    else localStorage.removeItem(SESSION_KEY);
  } catch {
    // private mode: the session lives for this visit only
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session?.csrfToken) headers['x-csrf-token'] = session.csrfToken;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: abort.signal,
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', '');
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 204) return undefined as T;
  let payload: unknown;
  try {
    payload = await res.json();
  } catch {
    payload = undefined;
  }
  if (!res.ok) {
    const err = (payload as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? '', err?.details);
  }
  return payload as T;
}

export const api = {
  login: (username: string, password: string) => call<Session>('POST', '/api/auth/login', { username, password }),
  me: () => call<{ user: User; csrfToken?: string | null }>('GET', '/api/auth/me'),
  logout: () => call<void>('POST', '/api/auth/logout', {}),
  orgs: () => call<{ orgs: Org[] }>('GET', '/api/orgs').then((r) => r.orgs),
  indicators: () => call<{ indicators: Indicator[] }>('GET', '/api/outreach/indicators').then((r) => r.indicators),
  submit: (records: RecordInput[]) => call<{ results: SubmitResult[] }>('POST', '/api/outreach/records', { records }).then((r) => r.results),
  mine: () => call<{ records: ServerRecord[] }>('GET', '/api/outreach/records?mine=1&limit=50').then((r) => r.records),
  remove: (id: number) => call<void>('DELETE', `/api/outreach/records/${id}`),
};
