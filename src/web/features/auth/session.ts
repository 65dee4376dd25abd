// The signed-in user, as the rest of the app sees it: one cached query over /api/auth/me, filled
// directly by login and cleared by logout.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

/** For components under the authenticated layout, where a session is guaranteed. */
export function useCurrentUser(): SessionUser {
  const { data } = useSessionQuery();
  if (!data) throw new Error('useCurrentUser outside an authenticated route');
  return data.user;
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    meta: { quiet: true },
    onSuccess: (session: Session) => {
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
      queryClient.clear();
      queryClient.setQueryData(sessionKey, null);
    },
  });
}
