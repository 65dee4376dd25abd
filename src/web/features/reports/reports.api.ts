// Report endpoints (/api/reports/*): stage summaries and daily briefs generated on demand (and
// archived by the server), the archive, and the versioned stage-summary template.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { downloadFile, http, postForBlob, saveBlob } from '../../lib/http';

export type ReportFormat = 'markdown' | 'html' | 'docx';
export type ArchiveItem = {
  id: string;
  kind: string;
  orgId: string;
  from: string;
  to: string;
  format: string;
  templateVersion: number | null;
  asOf: string;
  contentHash: string;
  size: number;
  createdAt: string;
  createdBy: string | null;
};
export type Template = {
  name: string;
  version: number;
  parts: Record<string, string>;
  defaults: Record<string, string>;
  versions: Array<{ version: number; note: string | null; createdAt: string; createdBy: string | null }>;
};

const EXT: Record<ReportFormat, string> = { markdown: 'md', html: 'html', docx: 'docx' };

/** Generates a document; HTML comes back as text for the preview, the others are downloaded. */
export async function generate(path: string, body: Record<string, unknown>, format: ReportFormat): Promise<string | null> {
  const { blob, fileName } = await postForBlob(path, { ...body, format });
  if (format === 'html') return blob.text();
  saveBlob(blob, fileName ?? `report.${EXT[format]}`);
  return null;
}

export const downloadArchived = (item: ArchiveItem) =>
  downloadFile(`/reports/${item.id}/content`, undefined, `${item.kind}-${item.from}-${item.to}.${EXT[item.format as ReportFormat] ?? 'txt'}`);

export function useArchive() {
  return useQuery({ queryKey: ['reports', 'archive'], queryFn: () => http.get<{ reports: ArchiveItem[] }>('/reports', { query: { limit: 100 } }) });
}

export function useTemplate(name: 'stage-summary' | 'daily-brief') {
  return useQuery({ queryKey: ['reports', 'template', name], queryFn: () => http.get<Template>(`/reports/templates/${name}`) });
}

export function useSaveTemplate(name: 'stage-summary' | 'daily-brief') {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { parts: Record<string, string>; note?: string }) => http.put<{ name: string; version: number }>(`/reports/templates/${name}`, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['reports'] }),
  });
}

/**
 * The generated HTML for a sandboxed iframe: links open in the top window (the figures link to the
 * records behind them), since the sandbox lets the frame navigate the top only on a click.
 */
export function framed(html: string): string {
  const base = '<base target="_top">';
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => `${m}${base}`) : `${base}${html}`;
}
