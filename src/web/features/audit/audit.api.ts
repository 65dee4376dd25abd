// Audit log endpoints (/api/audit).
import { useMutation, useQuery } from '@tanstack/react-query';
import { http } from '../../lib/http';

export type AuditEvent = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  ip: string | null;
  detail?: unknown;
};

export type AuditFilter = { limit: number; action?: string; actor?: string };

export type VerifyResult = { ok: true; count: number } | { ok: false; count: number; brokenAt: number };

export function useAuditEvents(filter: AuditFilter) {
  return useQuery({
    queryKey: ['audit', filter],
    queryFn: () => http.get<{ events: AuditEvent[] }>('/audit', { query: filter }).then((r) => r.events),
    placeholderData: (previous) => previous,
  });
}

export function useVerifyAudit() {
  return useMutation({ mutationFn: () => http.get<VerifyResult>('/audit/verify') });
}
