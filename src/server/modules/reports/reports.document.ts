// The document model every output format is rendered from. Text may hold figure tokens
// (⟦n⟧ → figures[n]); each serializer formats them in the official number style and, in HTML,
// links them to the records they sum.
import type { ChartSpec, Figure, TableSpec } from '../../kernel/reports.ts';

export type Block =
  | { type: 'title'; text: string }
  | { type: 'subtitle'; text: string }
  | { type: 'h1'; text: string }
  | { type: 'h2'; text: string }
  | { type: 'p'; text: string }
  | { type: 'note'; text: string }
  | { type: 'chart'; chart: ChartSpec }
  | { type: 'table'; table: TableSpec };

export interface DocModel {
  title: string;
  blocks: Block[];
  figures: Figure[];
  meta: { orgName: string; from: string; to: string; asOf: string };
}

const TOKEN = /⟦(\d+)⟧/g;

export function isFigure(v: unknown): v is Figure {
  return !!v && typeof v === 'object' && typeof (v as Figure).value === 'number' && typeof (v as Figure).unit === 'string';
}

/** Replace Figure objects anywhere in a view by tokens, registering them in `figures`. */
export function tokenizeView(view: unknown, figures: Figure[]): unknown {
  if (isFigure(view)) {
    figures.push(view);
    return `⟦${figures.length - 1}⟧`;
  }
  if (Array.isArray(view)) return view.map((v) => tokenizeView(v, figures));
  if (view && typeof view === 'object') {
    return Object.fromEntries(Object.entries(view).map(([k, v]) => [k, tokenizeView(v, figures)]));
  }
  return view;
}

/** Split text into plain strings and figure references, for serializers. */
export function splitFigures(text: string): Array<string | number> {
  const out: Array<string | number> = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push(Number(m[1]));
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
