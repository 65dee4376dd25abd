// Session and account endpoints (/api/auth/*).
import { http, isHttpError, setCsrfToken } from '../../lib/http';
import type { RoleCode } from '../../lib/labels';

export type SessionUser = {
  id: string;
  username: string;
  displayName: string;
  orgId: string;
  orgName?: string;
  roles: string[];
};

export type Session = { user: SessionUser; csrfToken: string | null };

export type ApiToken = { id: string; name: string; createdAt: string; lastUsedAt: string | null };

export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await http.get<Session>('/auth/me', { allowUnauthenticated: true });
    setCsrfToken(session.csrfToken ?? null);
    return session;
  } catch (error) {
    if (isHttpError(error, 401)) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export async function login(input: { username: string; password: string }): Promise<Session> {
  const session = await http.post<Session & { csrfToken: string }>('/auth/login', input, { allowUnauthenticated: true });
  setCsrfToken(session.csrfToken);
  return session;
}

export async function logout(): Promise<void> {
  try {
    await http.post<void>('/auth/logout', undefined, { allowUnauthenticated: true });
  } finally {
    setCsrfToken(null);
  }
}

export const changePassword = (input: { currentPassword: string; newPassword: string }) =>
  http.post<void>('/auth/password', input);

export const listTokens = () => http.get<{ tokens: ApiToken[] }>('/auth/tokens').then((r) => r.tokens);

export const createToken = (name: string) => http.post<{ id: string; token: string }>('/auth/tokens', { name });

export const revokeToken = (id: string) => http.delete(`/auth/tokens/${encodeURIComponent(id)}`);

export function hasRole(user: SessionUser | null | undefined, role: RoleCode): boolean {
  return !!user && user.roles.includes(role);
}
