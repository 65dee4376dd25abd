// What analysts keep up to date: the refutation library, keyword groups, sources (with file upload),
// alerts and the alert webhook (/api/opinion/refutations, keyword-groups, sources, alerts, settings).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http, uploadRaw } from '../../lib/http';
import type { Category } from './opinion.api';

export type Refutation = {
  id: string;
  claim: string;
  facts: string;
  url: string | null;
  status: string;
  contentId: string | null;
  posts: number;
  createdAt: string;
  updatedAt: string;
};
export type RefutationInput = { claim: string; facts: string; url?: string | null };

export type KeywordGroup = { id: string; name: string; rule: string; enabled: boolean; builtin: boolean; updatedAt: string };

export const SOURCE_KINDS = ['push', 'rss', 'upload'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type Source = {
  id: string;
  name: string;
  kind: SourceKind;
  url: string | null;
  paused: boolean;
  pollMinutes: number;
  lastPolledAt: string | null;
  lastOkAt: string | null;
  nextPollAt: string | null;
  lastError: string | null;
  failures: number;
  posts: number;
};
export type PollResult = { status: 'ok' | 'not_modified' | 'failed' | 'skipped'; created?: number; error?: string };
export type UploadResult = {
  created: number;
  duplicates: number;
  results: Array<{ externalId: string; id: string; status: 'created' | 'duplicate'; relevant: boolean; category: Category; clusterId: string; refutationId: string | null }>;
};

export type Alert = {
  id: string;
  series: string;
  seriesLabel: string;
  hour: string;
  count: number;
  baseline: number;
  reason: string;
  topCluster: { id: string; sampleText: string; size: number } | null;
  webhookStatus: string | null;
  acknowledgedAt: string | null;
  createdAt: string;
};
export type AlertSettings = { alertWebhookUrl: string | null; hasSecret: boolean };

const invalidateOpinion = (client: ReturnType<typeof useQueryClient>, what: string) =>
  client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'opinion' && (q.queryKey[1] === what || q.queryKey[1] === 'overview') });

// ---- refutations

export function useRefutations(q?: string) {
  return useQuery({
    queryKey: ['opinion', 'refutations', q ?? ''],
    queryFn: () => http.get<{ refutations: Refutation[] }>('/opinion/refutations', { query: { q, limit: 500 } }),
  });
}

export function useSaveRefutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: RefutationInput & { id?: string }) =>
      id
        ? http.patch<{ refutation: Refutation }>(`/opinion/refutations/${id}`, body)
        : http.post<{ refutation: Refutation }>('/opinion/refutations', { claim: body.claim, facts: body.facts, ...(body.url ? { url: body.url } : {}) }),
    // A new refutation may attach recent clusters that repeat its claim: everything is read again.
    onSuccess: () => client.invalidateQueries({ queryKey: ['opinion'] }),
  });
}

/** Units a refutation can be handed over to (the district's units with content writers). */
export function useHandoverTargets(enabled: boolean) {
  return useQuery({
    queryKey: ['opinion', 'handover-targets'],
    queryFn: () => http.get<{ targets: Array<{ id: string; name: string; kind: string }> }>('/opinion/handover-targets'),
    enabled,
    staleTime: 60_000,
  });
}

/** Hands a refutation over to news publishing: a draft article in the receiving unit, published by its workflow. */
export function useHandOverRefutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, orgId }: { id: string; orgId: string }) => http.post<{ refutation: Refutation }>(`/opinion/refutations/${id}/handover`, { orgId }),
    onSuccess: () => invalidateOpinion(client, 'refutations'),
  });
}

// ---- keyword groups

export function useKeywordGroups() {
  return useQuery({ queryKey: ['opinion', 'groups'], queryFn: () => http.get<{ groups: KeywordGroup[] }>('/opinion/keyword-groups'), staleTime: 60_000 });
}

export function useSaveGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id?: string; name?: string; rule?: string; enabled?: boolean }) =>
      id ? http.patch<{ group: KeywordGroup }>(`/opinion/keyword-groups/${id}`, body) : http.post<{ group: KeywordGroup }>('/opinion/keyword-groups', body),
    // The editor shows rule errors inline, next to the rule.
    meta: { quiet: true },
    onSuccess: () => invalidateOpinion(client, 'groups'),
  });
}

export function useDeleteGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.delete(`/opinion/keyword-groups/${id}`),
    onSuccess: () => invalidateOpinion(client, 'groups'),
  });
}

export function useTestRule() {
  return useMutation({
    mutationFn: (body: { rule: string; text: string }) => http.post<{ matches: boolean; normalized: string }>('/opinion/keyword-groups/test', body),
    meta: { quiet: true },
  });
}

// ---- sources

export function useSources() {
  return useQuery({ queryKey: ['opinion', 'sources'], queryFn: () => http.get<{ sources: Source[] }>('/opinion/sources'), refetchInterval: 30_000 });
}

export function useSaveSource() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id?: string; name?: string; kind?: SourceKind; url?: string; pollMinutes?: number; paused?: boolean }) =>
      id ? http.patch<{ source: Source }>(`/opinion/sources/${id}`, body) : http.post<{ source: Source }>('/opinion/sources', body),
    onSuccess: () => invalidateOpinion(client, 'sources'),
  });
}

export function usePollSource() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.post<PollResult>(`/opinion/sources/${id}/poll`, {}),
    onSettled: () => client.invalidateQueries({ queryKey: ['opinion'] }),
  });
}

export function useUploadPosts() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, source }: { file: File; source: string }) => uploadRaw<UploadResult>('/opinion/posts/upload', file, uploadType(file), { source }),
    // Row-level problems are shown beside the upload, not as a toast.
    meta: { quiet: true },
    onSuccess: () => client.invalidateQueries({ queryKey: ['opinion'] }),
  });
}

/** CSV or JSON lines, by the file's name (browsers give .jsonl no type of their own). */
export function uploadType(file: File): string {
  return /\.(jsonl|ndjson|json)$/i.test(file.name) ? 'application/x-ndjson' : 'text/csv';
}

// ---- alerts and settings

export function useAlerts(status: 'open' | 'all') {
  return useQuery({
    queryKey: ['opinion', 'alerts', status],
    queryFn: () => http.get<{ alerts: Alert[] }>('/opinion/alerts', { query: { status, limit: 200 } }),
    refetchInterval: 30_000,
  });
}

export function useAckAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.post<{ alert: Alert }>(`/opinion/alerts/${id}/ack`, {}),
    onSuccess: () => invalidateOpinion(client, 'alerts'),
  });
}

export function useAlertSettings(enabled: boolean) {
  return useQuery({ queryKey: ['opinion', 'settings'], queryFn: () => http.get<AlertSettings>('/opinion/settings'), enabled });
}

export function useSaveAlertSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { alertWebhookUrl: string | null; alertWebhookSecret?: string | null }) => http.put<AlertSettings>('/opinion/settings', body),
    onSuccess: (data) => client.setQueryData(['opinion', 'settings'], data),
  });
}
