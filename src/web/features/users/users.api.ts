// User endpoints (/api/users), shared by user management and the security console.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../lib/http';
import { sessionKey } from '../auth/session';

export type User = {
  id: string;
  username: string;
  displayName: string;
  orgId: string;
  roles: string[];
  status: 'active' | 'locked' | 'disabled';
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
};

export type NewUser = { username: string; password: string; displayName: string; orgId: string; roles: string[] };
export type UserChanges = { displayName?: string; orgId?: string; roles?: string[]; disabled?: boolean };

export const usersKey = ['users'] as const;

export const listUsers = () => http.get<{ users: User[] }>('/users').then((r) => r.users);

export function useUsers(options: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: usersKey, queryFn: listUsers, enabled: options.enabled ?? true });
}

function useUserMutation<TInput, TOutput>(fn: (input: TInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: usersKey }),
        // Appointing a security admin or auditor hands the role over from its holder (三员分立),
        // who may be the person at this screen: re-read our own roles too.
        queryClient.invalidateQueries({ queryKey: sessionKey }),
      ]),
  });
}

const userPath = (id: string) => `/users/${encodeURIComponent(id)}`;

export const useCreateUser = () =>
  useUserMutation((input: NewUser) => http.post<{ user: User }>('/users', input).then((r) => r.user));

export const useUpdateUser = () =>
  useUserMutation(({ id, changes }: { id: string; changes: UserChanges }) =>
    http.patch<{ user: User }>(userPath(id), changes).then((r) => r.user),
  );

export const useLockUser = () =>
  useUserMutation((id: string) => http.post<{ user: User }>(`${userPath(id)}/lock`).then((r) => r.user));

export const useUnlockUser = () =>
  useUserMutation((id: string) => http.post<{ user: User }>(`${userPath(id)}/unlock`).then((r) => r.user));

export const useResetPassword = () =>
  useUserMutation(({ id, password }: { id: string; password: string }) =>
    http.post<void>(`${userPath(id)}/password`, { password }),
  );
