// The signed-in user, as the rest of the app sees it: one cached query over /api/auth/me, filled
// directly by login and cleared by logout. Pages read the user from SessionContext, which only the
// session guard provides, so a page never renders without a user — even mid-logout.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { fetchSession, login, logout, type Session, type SessionUser } from './auth.api';

export const sessionKey = ['auth', 'session'] as const;

export function useSessionQuery() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: fetchSession,
    staleTime: Infinity,
    retry: false,
    meta: { quiet: true },
  });
}

export const SessionContext = createContext<SessionUser | null>(null);

/** For components under the authenticated layout, where a session is guaranteed. */
export function useCurrentUser(): SessionUser {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useCurrentUser outside an authenticated route');
  return user;
}

let loggedOutOnPurpose = false;

/** After a deliberate logout the guard sends you to a plain /login, without `next`. Reset by login. */
export function loggedOutDeliberately(): boolean {
  return loggedOutOnPurpose;
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    meta: { quiet: true },
    onSuccess: (session: Session) => {
      loggedOutOnPurpose = false;
      // Another user may have used this tab before: drop everything cached for them.
      queryClient.clear();
      queryClient.setQueryData(sessionKey, session);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    meta: { quiet: true },
    onSettled: () => {
      loggedOutOnPurpose = true;
      // Forget everything the previous user loaded; the guard then redirects to /login.
      queryClient.removeQueries({ predicate: (query) => query.queryKey.join('/') !== sessionKey.join('/') });
      queryClient.setQueryData(sessionKey, null);
    },
  });
}
