// Background job endpoints (/api/jobs).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../lib/http';

export type Job = {
  id: string;
  type: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'dead';
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
};

export function useJobs(status: string | undefined) {
  return useQuery({
    queryKey: ['jobs', status ?? 'all'],
    queryFn: () => http.get<{ jobs: Job[] }>('/jobs', { query: { status } }).then((r) => r.jobs),
    refetchInterval: 10_000,
    placeholderData: (previous) => previous,
  });
}

export function useRetryJob() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.post<{ job: Job }>(`/jobs/${encodeURIComponent(id)}/retry`).then((r) => r.job),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
}
