// 宣传总览: totals of the selected org's subtree for a period, the day-by-day trend of one indicator,
// and the ranking of its child orgs, which drills down level by level to the records.
import { Card, Flex, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { ChildRanking } from './ChildRanking';
import { ExportButtons } from './ExportButtons';
import { FilterBar, OrgTrail, filterSearch, useOutreachFilters } from './filters';
import { useIndicators, useTotals } from './outreach.api';
import { TotalsCards } from './TotalsCards';
import { TrendChart } from './TrendChart';

const LEAF_KINDS = ['village', 'community'];

export function OutreachOverview() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [filters, setFilters] = useOutreachFilters();
  const { orgId, from, to } = filters;
  const indicators = useIndicators();
  const list = indicators.data ?? [];
  const byChild = useTotals({ orgId, from, to, groupBy: 'child' });
  const byDay = useTotals({ orgId, from, to, groupBy: 'day' });

  // The indicator for the trend and the ranking: the one picked, else the first with any activity.
  const totals = byChild.data?.totals;
  const selectedCode =
    filters.indicator && list.some((i) => i.code === filters.indicator)
      ? filters.indicator
      : (list.find((i) => (totals?.[i.code] ?? 0) > 0) ?? list[0])?.code;
  const selected = list.find((i) => i.code === selectedCode);

  const openRecords = (target: string) => navigate(`/outreach/records${filterSearch({ orgId: target, from, to })}`);

  return (
    <>
      <PageHeader title={t('outreach.overview.title')} extra={<ExportButtons orgId={orgId} from={from} to={to} />} />
      <Flex vertical gap={16}>
        <Card size="small">
          <FilterBar filters={filters} onChange={setFilters} />
          <OrgTrail orgId={orgId} onSelect={(id) => setFilters({ orgId: id })} />
        </Card>

        <TotalsCards
          indicators={list}
          totals={byChild.data?.totals}
          loading={indicators.isPending || byChild.isPending}
          selected={selectedCode}
          onSelect={(code) => setFilters({ indicator: code })}
        />

        <Card
          size="small"
          title={selected ? t('outreach.trendTitle', { name: selected.name }) : t('outreach.trend')}
          extra={
            <Select
              size="small"
              value={selectedCode}
              options={list.map((i) => ({ value: i.code, label: i.name }))}
              onChange={(code) => setFilters({ indicator: code })}
              style={{ width: 150 }}
              aria-label={t('outreach.indicator')}
              data-testid="trend-indicator"
            />
          }
        >
          <TrendChart days={byDay.data?.days} indicator={selected} loading={byDay.isPending} />
        </Card>

        <Card
          size="small"
          title={t('outreach.rankingTitle')}
          extra={
            <Typography.Link onClick={() => void openRecords(orgId)} data-testid="open-records">
              {t('outreach.viewRecords')}
            </Typography.Link>
          }
          styles={{ body: { padding: 0 } }}
        >
          <Typography.Paragraph type="secondary" className="ranking-hint">
            {t('outreach.rankingHint')}
          </Typography.Paragraph>
          <ChildRanking
            rows={byChild.data?.children}
            indicators={list}
            selected={selectedCode}
            loading={byChild.isFetching && !byChild.data}
            onOpen={(child) => (LEAF_KINDS.includes(child.kind) ? void openRecords(child.orgId) : setFilters({ orgId: child.orgId }))}
          />
        </Card>
      </Flex>
    </>
  );
}
