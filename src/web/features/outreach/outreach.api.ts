// Outreach ledger endpoints (/api/outreach/*): the indicator catalogue, totals, coverage, records
// with their corrections and review, the Excel round-trip, and the queries over them.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { downloadFile, http, uploadRaw } from '../../lib/http';

export type Indicator = {
  code: string;
  name: string;
  unit: string;
  decimals: number;
  maxPerRecord: number | null;
  builtin: boolean;
  active: boolean;
};

export type TotalsMap = Record<string, number>;

export type Totals = {
  orgId: string;
  from: string;
  to: string;
  totals: TotalsMap;
  children?: Array<{ orgId: string; name: string; kind: string; totals: TotalsMap }>;
  days?: Array<{ date: string; totals: TotalsMap }>;
};

export type CoverageUnit = {
  orgId: string;
  name: string;
  kind: string;
  parentId: string | null;
  parentName: string | null;
  lastDate: string | null;
  daysSilent: number | null;
  silent: boolean;
};

export type Coverage = {
  orgId: string;
  days: number;
  since: string;
  asOf: string;
  total: number;
  reporting: number;
  silent: number;
  units: CoverageUnit[];
};

export const RECORD_STATUSES = ['counted', 'pending_review', 'rejected', 'deleted'] as const;
export type RecordStatus = (typeof RECORD_STATUSES)[number];

export type OutreachRecord = {
  id: number;
  clientId: string;
  orgId: string;
  orgName: string;
  date: string;
  indicator: string;
  value: number;
  note: string | null;
  status: RecordStatus;
  reviewReason: string | null;
  source: string;
  createdBy: string;
  createdAt: string;
};

export type RecordsQuery = {
  orgId?: string;
  from?: string;
  to?: string;
  indicator?: string;
  status?: RecordStatus;
  mine?: '1';
  limit?: number;
  before?: number;
};

export type RecordsPage = { records: OutreachRecord[]; nextBefore: number | null };

export type ImportRow = {
  row: number;
  orgCode: string;
  orgName: string;
  date: string;
  values: Record<string, number>;
  errors: Array<{ column: string; cell?: string; reason: string }>;
};

export type ImportPreview = {
  id: string;
  orgId: string;
  status: 'preview' | 'confirmed';
  fileName: string | null;
  createdAt: string;
  confirmedAt: string | null;
  summary: { rows: number; records: number; errors: number; duplicates: number };
  rows: ImportRow[];
};

export type ImportResult = { created: number; duplicates: number; review: number };

export type ExportView = 'children' | 'days' | 'records';
export type ExportFormat = 'xlsx' | 'csv';

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const outreachKey = ['outreach'] as const;
export const indicatorsKey = (all: boolean) => [...outreachKey, 'indicators', all] as const;

export const listIndicators = (all = false) =>
  http.get<{ indicators: Indicator[] }>('/outreach/indicators', { query: { all: all ? '1' : undefined } }).then((r) => r.indicators);

/** The catalogue; `all` includes switched-off indicators (labels for old records, the admin page). */
export function useIndicators(all = false) {
  return useQuery({ queryKey: indicatorsKey(all), queryFn: () => listIndicators(all), staleTime: 5 * 60_000 });
}

export function useTotals(q: { orgId: string; from: string; to: string; groupBy?: 'child' | 'day' }, enabled = true) {
  return useQuery({
    queryKey: [...outreachKey, 'totals', q],
    queryFn: () => http.get<Totals>('/outreach/totals', { query: q }),
    enabled: enabled && !!q.orgId,
    placeholderData: keepPreviousData,
  });
}

export function useCoverage(q: { orgId: string; days: number }) {
  return useQuery({
    queryKey: [...outreachKey, 'coverage', q],
    queryFn: () => http.get<Coverage>('/outreach/coverage', { query: q }),
    enabled: !!q.orgId,
    placeholderData: keepPreviousData,
  });
}

export const listRecords = (q: RecordsQuery) => http.get<RecordsPage>('/outreach/records', { query: q });

export function useRecords(q: RecordsQuery, enabled = true) {
  return useQuery({
    queryKey: [...outreachKey, 'records', q],
    queryFn: () => listRecords(q),
    enabled,
    placeholderData: keepPreviousData,
  });
}

/** Records awaiting review in the caller's scope: the menu badge and the review page. */
export const PENDING_LIMIT = 100;
export function usePendingReview(orgId: string | undefined, enabled = true) {
  return useQuery({
    queryKey: [...outreachKey, 'records', 'pending', orgId],
    queryFn: () => listRecords({ orgId, status: 'pending_review', limit: PENDING_LIMIT }),
    enabled: enabled && !!orgId,
    refetchInterval: 60_000,
    meta: { quiet: true },
  });
}

function useOutreachMutation<TInput, TOutput>(fn: (input: TInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    // Any write changes totals, coverage and record lists alike.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: outreachKey }),
  });
}

export const useDeleteRecord = () => useOutreachMutation((id: number) => http.delete(`/outreach/records/${id}`));

export type Replacement = { clientId: string; date: string; indicator: string; value: number; note?: string | null };
export const useReplaceRecord = () =>
  useOutreachMutation(({ id, input }: { id: number; input: Replacement }) =>
    http.put<{ record: OutreachRecord }>(`/outreach/records/${id}`, input).then((r) => r.record),
  );

export const useReviewRecord = () =>
  useOutreachMutation(({ id, decision, comment }: { id: number; decision: 'confirm' | 'reject'; comment?: string }) =>
    http.post<{ record: OutreachRecord }>(`/outreach/records/${id}/review`, comment ? { decision, comment } : { decision }).then((r) => r.record),
  );

export type NewIndicator = { code: string; name: string; unit: string; decimals: number; maxPerRecord?: number | null };
export const useCreateIndicator = () =>
  useOutreachMutation((input: NewIndicator) => http.post<{ indicator: Indicator }>('/outreach/indicators', input).then((r) => r.indicator));

export const useUpdateIndicator = () =>
  useOutreachMutation(({ code, changes }: { code: string; changes: Partial<Pick<Indicator, 'name' | 'unit' | 'maxPerRecord' | 'active'>> }) =>
    http.patch<{ indicator: Indicator }>(`/outreach/indicators/${encodeURIComponent(code)}`, changes).then((r) => r.indicator),
  );

export const downloadTemplate = (orgId: string) => downloadFile('/outreach/template', { orgId }, '宣传台账填报模板.xlsx');

export const downloadExport = (q: { orgId: string; from: string; to: string; view: ExportView; format: ExportFormat }) =>
  downloadFile('/outreach/export', q, `宣传台账-${q.from}-${q.to}.${q.format}`);

export const useUploadImport = () =>
  useMutation({
    mutationFn: ({ orgId, file }: { orgId: string; file: File }) =>
      uploadRaw<{ import: ImportPreview }>('/outreach/imports', file, XLSX_MIME, { orgId, fileName: file.name }).then((r) => r.import),
    meta: { quiet: true },
  });

export const useConfirmImport = () =>
  useOutreachMutation((id: string) => http.post<ImportResult>(`/outreach/imports/${encodeURIComponent(id)}/confirm`));

/** Name and unit of an indicator code, falling back to the code for one the catalogue lacks. */
export function indicatorLookup(list: Indicator[] | undefined) {
  const byCode = new Map((list ?? []).map((i) => [i.code, i]));
  return (code: string): Pick<Indicator, 'name' | 'unit' | 'decimals'> => byCode.get(code) ?? { name: code, unit: '', decimals: 0 };
}
