// Organisation endpoints (/api/orgs) and the queries over them.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../lib/http';

export type Org = {
  id: string;
  parentId: string | null;
  name: string;
  kind: string;
  code: string | null;
};

export type NewOrg = { parentId: string; name: string; kind: string; code?: string };
export type OrgChanges = { name?: string; code?: string | null };

export const orgsKey = ['orgs'] as const;

export const listOrgs = () => http.get<{ orgs: Org[] }>('/orgs').then((r) => r.orgs);

export function useOrgs() {
  return useQuery({ queryKey: orgsKey, queryFn: listOrgs });
}

export function useCreateOrg() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewOrg) => http.post<{ org: Org }>('/orgs', input).then((r) => r.org),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: orgsKey }),
  });
}

export function useUpdateOrg() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: OrgChanges }) =>
      http.patch<{ org: Org }>(`/orgs/${encodeURIComponent(id)}`, changes).then((r) => r.org),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: orgsKey }),
  });
}
