// Opinion endpoints for reading and judging posts (/api/opinion/posts, clusters, overview, model,
// brief). Posts carry what was said, where and when — never who said it: there is no author here.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { http, postForBlob, saveBlob } from '../../lib/http';

export const CATEGORIES = ['rumor', 'price_gouging', 'concern', 'positive', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export type Post = {
  id: string;
  source: string;
  externalId: string;
  text: string;
  url: string | null;
  publishedAt: string;
  ingestedAt: string;
  relevant: boolean;
  relevanceScore: number;
  category: Category;
  groups: string[];
  clusterId: string;
  /** Not in the contract yet (see the UI's server requests); shown when the server sends it. */
  clusterSize?: number;
  refutationId: string | null;
  label: { relevant: boolean; category: Category; at: string } | null;
};
export type PostPage = { posts: Post[]; nextCursor: string | null };

export type Cluster = {
  id: string;
  size: number;
  category: Category;
  relevant: boolean;
  sampleText: string;
  firstSeen: string;
  lastSeen: string;
  refutationId: string | null;
  /** How many accounts spread it (counted by keyed hash; never who). */
  spreaders: number;
  caseId: string | null;
  /** The cluster an analyst merged this one into, and when (null: a live cluster). */
  mergedInto: string | null;
  mergedAt: string | null;
};
export type ClusterDetail = {
  cluster: Cluster;
  timeline: Array<{ hour: string; count: number; cumulative: number }>;
  sources: Array<{ source: string; count: number }>;
  posts: Post[];
};

export type Overview = {
  from: string;
  to: string;
  total: number;
  relevant: number;
  byCategory: Record<string, number>;
  hours: Array<{ hour: string; total: number; byCategory: Record<string, number> }>;
  topClusters: Cluster[];
  openCases: number;
  overdueCases: number;
  openAlerts: number;
  refuted: number;
};

export type Metrics = {
  n: number;
  relevanceAccuracy: number;
  relevance: { precision: number; recall: number };
  categories: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  macroF1: number;
};
export type ModelQuality = { trainExamples: number; heldOutExamples: number; labels: number; before: Metrics; after: Metrics; labelAgreement: number | null };

/** The stream's filters, as they stand in the address bar (strings, or absent). */
export type PostFilters = {
  from?: string;
  to?: string;
  category?: Category;
  relevant?: 'true' | 'false';
  group?: string;
  source?: string;
  q?: string;
  labelled?: 'true' | 'false';
  clusterId?: string;
  refutationId?: string;
};

export const opinionKeys = {
  all: ['opinion'] as const,
  posts: (f: PostFilters) => ['opinion', 'posts', f] as const,
  newer: (f: PostFilters, since: string) => ['opinion', 'posts-newer', f, since] as const,
  clusters: (q: object) => ['opinion', 'clusters', q] as const,
  cluster: (id: string) => ['opinion', 'cluster', id] as const,
  overview: (from: string) => ['opinion', 'overview', from] as const,
  model: ['opinion', 'model'] as const,
};

const PAGE = 30;

export function usePostStream(filters: PostFilters) {
  return useInfiniteQuery({
    queryKey: opinionKeys.posts(filters),
    queryFn: ({ pageParam }) => http.get<PostPage>('/opinion/posts', { query: { ...filters, before: pageParam, limit: PAGE } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    staleTime: 10_000,
    // While other filters load, the old list stays (dimmed) instead of a skeleton.
    placeholderData: keepPreviousData,
  });
}

/**
 * Posts newer than the newest one on screen, asked for every 12 s while the stream is live (no end
 * time set). The page shows "N 条新帖文" and merges them only when asked, so nothing jumps under the
 * reader's eyes.
 */
export function useNewerPosts(filters: PostFilters, newest: string | undefined, live: boolean) {
  const since = newest && filters.from && filters.from > newest ? filters.from : newest;
  return useQuery({
    queryKey: opinionKeys.newer(filters, since ?? ''),
    queryFn: () => http.get<PostPage>('/opinion/posts', { query: { ...filters, from: since, limit: 200 } }),
    enabled: live && !!since,
    refetchInterval: 12_000,
    refetchIntervalInBackground: false,
    staleTime: 0,
    meta: { quiet: true },
  });
}

/** Replaces one post wherever it is cached (stream pages, cluster detail), so a label shows at once. */
function patchPost(client: QueryClient, post: Post) {
  client.setQueriesData<InfiniteData<PostPage>>({ queryKey: ['opinion', 'posts'] }, (data) =>
    data ? { ...data, pages: data.pages.map((p) => ({ ...p, posts: p.posts.map((x) => (x.id === post.id ? { ...x, ...post } : x)) })) } : data,
  );
  client.setQueriesData<ClusterDetail>({ queryKey: ['opinion', 'cluster'] }, (data) =>
    data ? { ...data, posts: data.posts.map((x) => (x.id === post.id ? { ...x, ...post } : x)) } : data,
  );
}

export function useLabelPost() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, relevant, category }: { id: string; relevant: boolean; category: Category }) =>
      http.post<{ post: Post }>(`/opinion/posts/${id}/label`, { relevant, category }),
    onSuccess: ({ post }) => {
      patchPost(client, post);
      void client.invalidateQueries({ queryKey: opinionKeys.model });
      void client.invalidateQueries({ queryKey: ['opinion', 'clusters'] });
    },
  });
}

/** Takes a post out of its cluster into a cluster of its own. */
export function useDetachPost() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.post<{ post: Post; cluster: Cluster }>(`/opinion/posts/${id}/detach`),
    onSuccess: () => client.invalidateQueries({ queryKey: opinionKeys.all }),
  });
}

/** Splits posts of a cluster off together, as one new cluster. */
export function useSplitCluster(clusterId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (postIds: string[]) => http.post<{ cluster: Cluster }>(`/opinion/clusters/${clusterId}/split`, { postIds }),
    onSuccess: () => client.invalidateQueries({ queryKey: opinionKeys.all }),
  });
}

export type ClusterQuery = { from?: string; category?: Category; minSize: number; relevant?: 'true' | 'false'; limit?: number };

export function useClusters(q: ClusterQuery, enabled = true) {
  return useQuery({
    queryKey: opinionKeys.clusters(q),
    queryFn: () => http.get<{ clusters: Cluster[] }>('/opinion/clusters', { query: { limit: 100, ...q } }),
    enabled,
  });
}

export function useCluster(id: string | undefined) {
  return useQuery({
    queryKey: opinionKeys.cluster(id ?? ''),
    queryFn: () => http.get<ClusterDetail>(`/opinion/clusters/${id}`),
    enabled: !!id,
    refetchInterval: 30_000,
  });
}

export function useAttachRefutation(clusterId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (refutationId: string | null) => http.post<{ cluster: Cluster }>(`/opinion/clusters/${clusterId}/refutation`, { refutationId }),
    onSuccess: () => client.invalidateQueries({ queryKey: opinionKeys.all }),
  });
}

/** Merges clusters (the same claim in other words) into `into`. */
export function useMergeClusters() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ into, from }: { into: string; from: string[] }) => http.post<{ cluster: Cluster }>(`/opinion/clusters/${into}/merge`, { from }),
    onSuccess: () => client.invalidateQueries({ queryKey: opinionKeys.all }),
  });
}

export function useOverview(from: string) {
  return useQuery({
    queryKey: opinionKeys.overview(from),
    queryFn: () => http.get<Overview>('/opinion/overview', { query: { from } }),
    refetchInterval: 60_000,
  });
}

export function useModelQuality() {
  return useQuery({ queryKey: opinionKeys.model, queryFn: () => http.get<ModelQuality>('/opinion/model') });
}

export type BriefFormat = 'docx' | 'markdown' | 'html';
const BRIEF_EXT: Record<BriefFormat, string> = { docx: 'docx', markdown: 'md', html: 'html' };

/** 舆情日报 for a day (default: yesterday, as the server decides), handed to the browser as a file. */
export async function downloadBrief(format: BriefFormat, date?: string): Promise<void> {
  const { blob, fileName } = await postForBlob('/opinion/brief', date ? { format, date } : { format });
  saveBlob(blob, fileName ?? `舆情日报${date ? `-${date}` : ''}.${BRIEF_EXT[format]}`);
}
