// Publishing endpoints (/api/content, /api/publishing/*, /api/media): the editorial workflow,
// versions and diffs, per-channel deliveries and exports, and the records behind the statistics.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http, uploadRawWithProgress } from '../../lib/http';

export const KINDS = ['notice', 'news', 'explainer', 'press_release', 'live'] as const;
export const THEMES = ['central_policy', 'local_arrangement', 'progress', 'frontline_units', 'science', 'opinion_response'] as const;
export const CHANNELS = ['tv', 'website', 'mobile_paper', 'wechat', 'weibo', 'app'] as const;
export const STATUSES = ['draft', 'in_review', 'approved', 'scheduled', 'published', 'unpublished'] as const;
export const COVERAGE_LEVELS = ['central', 'provincial', 'municipal', 'district'] as const;

export type Kind = (typeof KINDS)[number];
export type Theme = (typeof THEMES)[number];
export type Channel = (typeof CHANNELS)[number];
export type ContentStatus = (typeof STATUSES)[number];

export type Content = {
  id: string;
  orgId: string;
  kind: Kind;
  theme: Theme;
  title: string;
  summary: string | null;
  body: string;
  channels: Channel[];
  isRepost: boolean;
  sourceName: string | null;
  sourceUrl: string | null;
  eventId: string | null;
  status: ContentStatus;
  version: number;
  authorId: string;
  authorName: string | null;
  approverId: string | null;
  scheduledAt: string | null;
  publishedAt: string | null;
  correctionNote: string | null;
  createdAt: string;
  updatedAt: string;
};

export type Delivery = {
  id: string;
  channel: Channel;
  version: number;
  status: 'pending' | 'sent' | 'failed' | 'confirmed';
  attempts: number;
  lastError: string | null;
  externalId: string | null;
  sentAt: string | null;
  confirmedAt: string | null;
};

export type Comment = { id: string; body: string; createdAt: string; author: string };
export type ContentDetail = { content: Content; deliveries: Delivery[]; comments: Comment[] };
export type Version = { version: number; title: string; note: string | null; createdAt: string; editedBy: string };

export type ContentInput = {
  kind: Kind;
  title: string;
  body: string;
  theme: Theme;
  channels: Channel[];
  summary?: string;
  isRepost?: boolean;
  sourceName?: string;
  sourceUrl?: string;
};

export type Counts = {
  from: string;
  to: string;
  items: number;
  placements: number;
  originals: number;
  reposts: number;
  byChannel: Record<string, number>;
  byKind: Record<string, number>;
  byTheme: Record<string, number>;
  pressConferences: number;
};

export type PressConference = { id: string; title: string; heldAt: string; place: string; speakers: string[]; topics: string[] };
export type CoverageItem = { id: string; outlet: string; level: string; title: string; url: string | null; publishedOn: string; topic: string | null };
export type CoverageReport = { total: number; byLevel: Record<string, number>; byOutlet: Record<string, number>; items: CoverageItem[] };
export type FirstRelease = {
  id: string;
  title: string;
  occurredAt: string;
  channels: Array<{ channel: string; firstAt: string; minutes: number }>;
  firstMinutes: number | null;
};

const keys = {
  all: ['publishing'] as const,
  list: (q: object) => ['publishing', 'list', q] as const,
  item: (id: string) => ['publishing', 'item', id] as const,
  versions: (id: string) => ['publishing', 'versions', id] as const,
};

export function useContentList(q: { status?: string; kind?: string; q?: string }) {
  return useQuery({ queryKey: keys.list(q), queryFn: () => http.get<{ items: Content[] }>('/content', { query: { ...q, limit: 200 } }) });
}

export function useContent(id: string | undefined) {
  return useQuery({ queryKey: keys.item(id ?? ''), queryFn: () => http.get<ContentDetail>(`/content/${id}`), enabled: !!id });
}

export function useVersions(id: string | undefined) {
  return useQuery({
    queryKey: keys.versions(id ?? ''),
    queryFn: () => http.get<{ versions: Version[] }>(`/content/${id}/versions`),
    enabled: !!id,
  });
}

export const fetchDiff = (id: string, from: number, to: number) => http.get<{ diff: string }>(`/content/${id}/diff`, { query: { from, to } });
export const fetchExport = (id: string, channel: Channel) => http.get<{ format: string; body: string }>(`/content/${id}/export/${channel}`);
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** POST /api/media with the file as the body; the server checks type (by content) and size again. */
export const uploadImage = (file: File, onProgress: (fraction: number) => void = () => undefined) =>
  uploadRawWithProgress<{ id: string; url: string }>('/media', file, file.type || 'application/octet-stream', onProgress);

export type PreviewInput = { channel: Channel; kind: Kind; title: string; body: string; theme?: Theme; summary?: string; isRepost?: boolean; sourceName?: string; id?: string };
export type Preview = { channel: Channel; format: 'html' | 'text'; body: string; length: number; limit: number | null; truncated: boolean; minutes: number | null };
export const fetchPreview = (input: PreviewInput, signal?: AbortSignal) => http.post<Preview>('/content/preview', input, { signal });

export type LiveEntry = { id: string; at: string; body: string; authorName: string | null };
export function useLiveEntries(id: string | undefined, enabled = true) {
  return useQuery({ queryKey: ['publishing', 'live', id ?? ''], queryFn: () => http.get<{ entries: LiveEntry[] }>(`/content/${id}/live`), enabled: !!id && enabled });
}
export function useAddLiveEntry(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { body: string; at?: string }) => http.post<{ id: string; at: string }>(`/content/${id}/live`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['publishing', 'live', id] }),
  });
}

export type DeliveryListItem = Delivery & { updatedAt: string; contentId: string; contentTitle: string; contentStatus: ContentStatus };
export function useDeliveries(q: { status?: string; channel?: string }) {
  return useQuery({ queryKey: ['publishing', 'deliveries', q], queryFn: () => http.get<{ items: DeliveryListItem[] }>('/publishing/deliveries', { query: { ...q, limit: 200 } }) });
}
export function useRetryDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) => http.post<{ delivery: Delivery; hasEndpoint: boolean }>(`/publishing/deliveries/${deliveryId}/retry`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}

export type Webhook = { id: string; url: string; channels: Channel[]; paused: boolean; hasSecret: boolean; createdAt: string; updatedAt: string };
export function useWebhooks(enabled: boolean) {
  return useQuery({ queryKey: ['publishing', 'webhooks'], queryFn: () => http.get<{ webhooks: Webhook[] }>('/publishing/webhooks'), enabled });
}
export function useWebhookAction() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (a: { kind: 'create'; url: string; channels: Channel[] } | { kind: 'update'; id: string; paused?: boolean } | { kind: 'delete'; id: string }) => {
      if (a.kind === 'create') return http.post<{ webhook: Webhook; secret: string }>('/publishing/webhooks', { url: a.url, channels: a.channels });
      if (a.kind === 'update') return http.patch<{ webhook: Webhook }>(`/publishing/webhooks/${a.id}`, { paused: a.paused });
      await http.delete(`/publishing/webhooks/${a.id}`);
      return {};
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['publishing', 'webhooks'] }),
  });
}

/** Every write on one item: after it the item, its versions and the list are read again. */
export function useContentAction(id: string | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ action, body }: { action: string; body?: unknown }): Promise<{ content: Content }> => {
      if (action === 'create') return http.post<{ content: Content }>('/content', body);
      if (action === 'update') return http.patch<{ content: Content }>(`/content/${id}`, body);
      if (action === 'comment') {
        await http.post(`/content/${id}/comments`, body);
        return http.get<ContentDetail>(`/content/${id}`);
      }
      return http.post<{ content: Content }>(`/content/${id}/${action}`, body);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}

export function useConfirmDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) => http.post<void>(`/publishing/deliveries/${deliveryId}/confirm`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}

export function useCounts(from: string, to: string) {
  return useQuery({ queryKey: ['publishing', 'counts', from, to], queryFn: () => http.get<Counts>('/publishing/counts', { query: { from, to } }) });
}

export function useCoverage(from: string, to: string) {
  return useQuery({ queryKey: ['publishing', 'coverage', from, to], queryFn: () => http.get<CoverageReport>('/publishing/coverage', { query: { from, to } }) });
}

export function usePressConferences() {
  return useQuery({ queryKey: ['publishing', 'press'], queryFn: () => http.get<{ pressConferences: PressConference[] }>('/publishing/press-conferences') });
}

export function useFirstRelease() {
  return useQuery({ queryKey: ['publishing', 'first-release'], queryFn: () => http.get<{ events: FirstRelease[] }>('/publishing/first-release') });
}

/** POST to a records endpoint (press conferences, coverage, events), then refresh the statistics. */
export function useRecordCreate(path: '/publishing/press-conferences' | '/publishing/coverage' | '/publishing/events') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) => http.post<{ id: string }>(path, body),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.all }),
  });
}
