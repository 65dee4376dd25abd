// The contract between generated reports and the modules that feed them. A module that has
// something to say in the stage summary registers a ReportProvider; the reports module numbers
// the sections it gets (一是、二是…), leaves out those with no data, and never invents a figure.
import type { Kernel } from './index.ts';

export interface ReportScope {
  orgId: string;
  orgName: string;
  from: string;
  to: string;
}

/** A number in a report, with where it came from so the HTML can link to the records behind it. */
export interface Figure {
  value: number;
  unit: string;
  decimals?: number;
  /** Path in the web app listing the records this figure sums (drill-down). */
  link?: string;
}

export interface ChartSpec {
  title: string;
  /** x-axis labels (dates) and one series per indicator. */
  categories: string[];
  series: Array<{ name: string; data: number[] }>;
}

export interface TableSpec {
  caption: string;
  header: string[];
  /** Cells are text or figures. */
  rows: Array<Array<string | Figure>>;
}

export interface ProvidedSection {
  /** Mustache view for this section's template parts `<id>.heading` and `<id>.body`. Figures are `Figure` objects anywhere in it. */
  view: Record<string, unknown>;
  chart?: ChartSpec;
  table?: TableSpec;
}

export interface ReportProvider {
  /** Also the prefix of its template parts, e.g. "outreach" → "outreach.heading", "outreach.body". */
  id: string;
  /** Position among the points of 二、突出重点 (social outreach first, as in the seed). */
  order: number;
  /** Default wording (Mustache) for this section's template parts. */
  defaultParts: Record<string, string>;
  /** Null when the module has no data for the scope: the section is then left out. */
  collect(kernel: Kernel, scope: ReportScope): Promise<ProvidedSection | null>;
}
