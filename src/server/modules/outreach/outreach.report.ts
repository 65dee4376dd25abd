// The outreach ledger's section of the stage summary: 一是强抓社会宣传 — totals by indicator in the
// seed's sentence style, how many villages reported, a daily trend and a table by child org.
import type { Figure, ReportProvider, TableSpec } from '../../kernel/reports.ts';
import { indicatorMap } from './outreach.service.ts';
import { lastReportDates, totalsByChild, totalsByDay, totalsFor } from './outreach.queries.ts';

/** How the seed phrases each built-in indicator before its figure. */
const PHRASES: Record<string, string> = {
  billboards: '发布户外广告牌',
  screens: '各类电子显示屏',
  banners: '标语横幅',
  leaflets: '印制发布宣传单',
  household_visits: '入户宣传走访',
  group_messages: '以微信群、QQ群发信息',
  vehicle_trips: '出动宣传车',
  loudspeakers: '统筹利用小喇叭、流动音响',
  broadcast_hours: '利用村村通广播宣传累计',
  guides_printed: '印制《新型冠状病毒社区（村）防控行动指南》',
};

const TREND_PREFERENCE = ['household_visits', 'group_messages', 'leaflets'];
const TERRITORIAL = new Set(['township', 'village', 'community']);

export const outreachReportProvider: ReportProvider = {
  id: 'outreach',
  order: 10,
  defaultParts: {
    'outreach.heading': '强抓社会宣传，打通宣传“最后一公里”',
    'outreach.body':
      '共{{#items}}{{label}}{{figure}}{{^last}}，{{/last}}{{/items}}。{{#coverage}}辖区{{units}}个村（社区）中，{{reporting}}个在本期报送了宣传台账{{#silent}}，{{silent}}个未报送，需督促补报{{/silent}}。{{/coverage}}',
  },
  async collect(kernel, scope) {
    const indicators = [...(await indicatorMap(kernel)).values()].sort((a, b) => a.sort - b.sort);
    const rows = await totalsFor(kernel.db, scope.orgId, scope.from, scope.to);
    const totalC = new Map(rows.map((r) => [r.indicator, Number(r.total_c ?? 0)]));
    const present = indicators.filter((i) => (totalC.get(i.code) ?? 0) > 0);
    if (present.length === 0) return null;
    const link = (orgId: string, code?: string) =>
      `/outreach/records?orgId=${orgId}&from=${scope.from}&to=${scope.to}&status=counted${code ? `&indicator=${code}` : ''}`;
    const figure = (code: string, valueC: number, orgId = scope.orgId): Figure => {
      const ind = indicators.find((i) => i.code === code)!;
      return { value: valueC / 100, unit: ind.unit, decimals: ind.decimals, link: link(orgId, code) };
    };
    const items = present.map((i, n) => ({
      code: i.code,
      label: PHRASES[i.code] ?? i.name,
      name: i.name,
      figure: figure(i.code, totalC.get(i.code)!),
      last: n === present.length - 1,
    }));

    const units = await lastReportDates(kernel.db, scope.orgId, scope.to);
    const reporting = units.filter((u) => u.last_date && (u.last_date as string) >= scope.from).length;
    const coverage = units.length ? { units: units.length, reporting, silent: units.length - reporting } : null;

    // Daily trend of the two largest of the preferred indicators.
    const trendCodes = TREND_PREFERENCE.filter((c) => (totalC.get(c) ?? 0) > 0).slice(0, 2);
    const codes = trendCodes.length ? trendCodes : [present[0]!.code];
    const dayRows = await totalsByDay(kernel.db, scope.orgId, scope.from, scope.to);
    const categories: string[] = [];
    for (let t = Date.parse(`${scope.from}T00:00:00Z`); t <= Date.parse(`${scope.to}T00:00:00Z`); t += 86_400_000) {
      categories.push(new Date(t).toISOString().slice(0, 10));
    }
    const byKey = new Map(dayRows.map((r) => [`${r.date}|${r.indicator}`, Number(r.total_c) / 100]));
    const chart = {
      title: `${codes.map((c) => indicators.find((i) => i.code === c)!.name).join('、')}日趋势`,
      categories: categories.map((d) => d.slice(5)),
      series: codes.map((c) => ({ name: indicators.find((i) => i.code === c)!.name, data: categories.map((d) => byKey.get(`${d}|${c}`) ?? 0) })),
    };

    // By child org, the six largest indicators (what fits an A4 page).
    const columns = [...present].sort((a, b) => totalC.get(b.code)! - totalC.get(a.code)!).slice(0, 6).sort((a, b) => a.sort - b.sort);
    const childRows = await totalsByChild(kernel.db, scope.orgId, scope.from, scope.to);
    const children = new Map<string, { name: string; kind: string; totals: Map<string, number> }>();
    for (const r of childRows) {
      if (!children.has(r.id)) children.set(r.id, { name: r.name, kind: r.kind, totals: new Map() });
      if (r.indicator) children.get(r.id)!.totals.set(r.indicator, Number(r.total_c ?? 0));
    }
    const table: TableSpec | undefined = children.size
      ? {
          caption: `各下级单位社会宣传情况（${scope.from} 至 ${scope.to}）`,
          header: ['单位', ...columns.map((c) => `${c.name}（${c.unit}）`)],
          // Territorial units always (a row of zeros is a gap worth seeing); departments and media when they reported.
          rows: [...children.entries()]
            .filter(([, c]) => TERRITORIAL.has(c.kind) || [...c.totals.values()].some((v) => v > 0))
            .map(([id, c]) => [c.name, ...columns.map((col) => ({ ...figure(col.code, c.totals.get(col.code) ?? 0, id), unit: '' }))]),
        }
      : undefined;

    return { view: { items, coverage }, chart, table };
  },
};
