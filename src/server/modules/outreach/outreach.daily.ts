// Data for the outreach daily brief (社会宣传工作日报): the day's totals, the last 30 days'
// cumulative totals, who reported that day and who has gone quiet, and a 14-day trend.
import type { Kernel } from '../../kernel/index.ts';
import type { ChartSpec, Figure } from '../../kernel/reports.ts';
import { indicatorMap } from './outreach.service.ts';
import { lastReportDates, totalsByDay, totalsFor } from './outreach.queries.ts';

const SILENT_DAYS = 3;
const LIST_SILENT = 10;
const day = (d: string, offset: number) => new Date(Date.parse(`${d}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

export async function dailyBriefData(kernel: Kernel, orgId: string, date: string) {
  const indicators = [...(await indicatorMap(kernel)).values()].filter((i) => i.active).sort((a, b) => a.sort - b.sort);
  const since = day(date, -29);
  const link = (from: string, code: string) => `/outreach/records?orgId=${orgId}&from=${from}&to=${date}&status=counted&indicator=${code}`;
  const figuresOf = async (from: string) => {
    const rows = new Map((await totalsFor(kernel.db, orgId, from, date)).map((r) => [r.indicator, Number(r.total_c ?? 0)]));
    const present = indicators.filter((i) => (rows.get(i.code) ?? 0) > 0);
    return present.map((i, n) => ({
      label: i.name,
      name: i.name,
      figure: { value: rows.get(i.code)! / 100, unit: i.unit, decimals: i.decimals, link: link(from, i.code) } satisfies Figure,
      last: n === present.length - 1,
    }));
  };
  const items = await figuresOf(date);
  const cumulative = await figuresOf(since);

  const units = await lastReportDates(kernel.db, orgId, date);
  const silentSince = day(date, -(SILENT_DAYS - 1));
  const reportingToday = units.filter((u) => u.last_date === date).length;
  const silentUnits = units
    .filter((u) => !u.last_date || (u.last_date as string) < silentSince)
    .sort((a, b) => String(a.last_date ?? '').localeCompare(String(b.last_date ?? '')) || a.name.localeCompare(b.name, 'zh-CN'));

  const trendFrom = day(date, -13);
  const trendCode = indicators.find((i) => i.code === 'household_visits') ?? indicators[0];
  let chart: ChartSpec | undefined;
  if (trendCode && cumulative.length) {
    const rows = await totalsByDay(kernel.db, orgId, trendFrom, date);
    const byDate = new Map(rows.filter((r) => r.indicator === trendCode.code).map((r) => [r.date, Number(r.total_c) / 100]));
    const dates = Array.from({ length: 14 }, (_, i) => day(trendFrom, i));
    chart = { title: `近14日${trendCode.name}`, categories: dates.map((d) => d.slice(5)), series: [{ name: trendCode.name, data: dates.map((d) => byDate.get(d) ?? 0) }] };
  }
  return {
    since,
    hasCumulative: cumulative.length > 0,
    hasUnits: units.length > 0,
    hasSilent: silentUnits.length > 0,
    chart,
    view: {
      items,
      cumulative,
      units: units.length,
      reportingToday,
      silent: silentUnits.length,
      silentDays: SILENT_DAYS,
      silentUnits: silentUnits.slice(0, LIST_SILENT).map((u, i, arr) => ({ name: u.name, parentName: u.parent_name ?? '', last: i === arr.length - 1 })),
      more: silentUnits.length > LIST_SILENT,
    },
  };
}
