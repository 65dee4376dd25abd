// News and publishing's section of the stage summary: 二是实抓新闻宣传 — items published and
// reposted across channels (条次), press conferences, first releases, outside coverage.
import type { Figure, ReportProvider } from '../../kernel/reports.ts';
import { CHANNEL_NAMES, COVERAGE_LEVELS } from './publishing.schema.ts';
import { countsFor, coverageFor } from './publishing.records.ts';

const LEVEL_NAMES: Record<(typeof COVERAGE_LEVELS)[number], string> = { central: '中央', provincial: '省级', municipal: '市级', district: '区级' };
const CHANNEL_ORDER = ['tv', 'website', 'mobile_paper', 'wechat', 'weibo', 'app'] as const;

export const publishingReportProvider: ReportProvider = {
  id: 'publishing',
  order: 20,
  defaultParts: {
    'publishing.heading': '实抓新闻宣传，全面权威报道疫情防控工作',
    'publishing.body':
      '{{#placements}}在{{channelNames}}等平台累计刊发转发相关信息{{placements}}{{#reposts}}，其中转发{{reposts}}{{/reposts}}。{{/placements}}{{#press}}召开新闻发布会{{press}}，权威发声、回应关切。{{/press}}{{#coverage}}对接{{outlets}}等媒体报道{{total}}（{{levels}}）。{{/coverage}}',
  },
  async collect(kernel, scope) {
    const counts = await countsFor(kernel, scope.orgId, scope.from, scope.to);
    const coverage = await coverageFor(kernel, scope.orgId, scope.from, scope.to);
    if (counts.items === 0 && counts.pressConferences === 0 && coverage.total === 0) return null;
    const link = `/publishing/stats?from=${scope.from}&to=${scope.to}`;
    const fig = (value: number, unit: string): Figure => ({ value, unit, link });
    const channels = CHANNEL_ORDER.filter((c) => (counts.byChannel[c] ?? 0) > 0).map((c) => CHANNEL_NAMES[c]);
    const levels = COVERAGE_LEVELS.filter((l) => coverage.byLevel[l]).map((l) => `${LEVEL_NAMES[l]}${coverage.byLevel[l]}条`).join('、');
    const outlets = Object.entries(coverage.byOutlet).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([o]) => o).join('、');
    return {
      view: {
        placements: counts.placements ? fig(counts.placements, '条次') : null,
        channelNames: channels.join('、'),
        reposts: counts.reposts ? fig(counts.reposts, '条') : null,
        press: counts.pressConferences ? fig(counts.pressConferences, '场') : null,
        coverage: coverage.total ? { total: fig(coverage.total, '条'), outlets, levels } : null,
      },
    };
  },
};
