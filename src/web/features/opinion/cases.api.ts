// Case endpoints (/api/opinion/cases, assignees, referral sheet): the handling of a cluster or a
// post, from 新建 to 已办结, with every action kept in its history.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { downloadFile, http } from '../../lib/http';
import type { Category } from './opinion.api';

export const CASE_STATUSES = ['new', 'verifying', 'responding', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** Actions an analyst records (the form's choices). */
export const ACTION_KINDS = ['publish_refutation', 'answer_concern', 'refer_regulator', 'request_removal', 'no_action', 'note'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
/** Entries of a case's history: the recorded actions plus what the server logs itself. */
export type HistoryKind = ActionKind | 'created' | 'status' | 'assign';

/** The moves the server allows (opinion.cases.ts TRANSITIONS); the status picker offers only these. */
export const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  new: ['verifying', 'responding', 'closed'],
  verifying: ['responding', 'closed', 'new'],
  responding: ['closed', 'verifying'],
  closed: ['verifying'],
};

export type Case = {
  id: string;
  title: string;
  category: Category;
  status: CaseStatus;
  assignee: { id: string; displayName: string } | null;
  dueAt: string;
  overdue: boolean;
  clusterId: string | null;
  postId: string | null;
  refutationId: string | null;
  outcome: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
};
export type CaseHistoryEntry = { id: string; kind: HistoryKind; note: string | null; detail: Record<string, unknown> | null; by: string; at: string };
export type CaseDetail = { case: Case; actions: CaseHistoryEntry[] };
export type Assignee = { id: string; displayName: string };

export type CaseActionInput = {
  kind: ActionKind;
  note?: string;
  refutationId?: string;
  claim?: string;
  facts?: string;
  regulator?: string;
  platform?: string;
  reason?: string;
  close?: boolean;
};

export type CaseQuery = { status?: CaseStatus; open?: 'true' | 'false'; assignee?: 'me'; overdue?: 'true'; limit?: number };

const keys = {
  list: (q: CaseQuery) => ['opinion', 'cases', q] as const,
  item: (id: string) => ['opinion', 'case', id] as const,
};

export function useCases(q: CaseQuery) {
  return useQuery({
    queryKey: keys.list(q),
    queryFn: () => http.get<{ cases: Case[] }>('/opinion/cases', { query: { limit: 200, ...q } }),
    refetchInterval: 60_000,
  });
}

export function useCase(id: string | undefined) {
  return useQuery({ queryKey: keys.item(id ?? ''), queryFn: () => http.get<CaseDetail>(`/opinion/cases/${id}`), enabled: !!id });
}

export function useAssignees() {
  return useQuery({ queryKey: ['opinion', 'assignees'], queryFn: () => http.get<{ users: Assignee[] }>('/opinion/assignees'), staleTime: 5 * 60_000 });
}

export type NewCase = { title?: string; clusterId?: string; postId?: string; category?: Category; assigneeId?: string };

/** Every case write returns the case with its history; the board, overview and clusters follow. */
function useCaseWrite<V>(fn: (v: V) => Promise<CaseDetail>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (detail) => {
      client.setQueryData(keys.item(detail.case.id), detail);
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] === 'opinion' && q.queryKey[1] !== 'case' && q.queryKey[1] !== 'posts' });
    },
  });
}

export const useCreateCase = () => useCaseWrite((body: NewCase) => http.post<CaseDetail>('/opinion/cases', body));

export const useUpdateCase = (id: string) =>
  useCaseWrite((body: { status?: CaseStatus; assigneeId?: string | null; dueAt?: string; title?: string }) => http.patch<CaseDetail>(`/opinion/cases/${id}`, body));

export const useCaseAction = (id: string) => useCaseWrite((body: CaseActionInput) => http.post<CaseDetail>(`/opinion/cases/${id}/actions`, body));

/** 价格违法线索移交单 (.docx) for a case with a 移交市场监管部门 action. */
export const downloadReferral = (id: string) => downloadFile(`/opinion/cases/${id}/referral`, undefined, `价格违法线索移交单-${id.slice(0, 8)}.docx`);
