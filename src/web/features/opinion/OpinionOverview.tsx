// 舆情概览: the period's volume (all, epidemic-related, by category), open alerts and cases, posts
// already refuted, posts per hour by category, and the claims spreading most — each a way into the
// posts, clusters, alerts or cases behind it. The daily brief is generated from here.
import { Card, Col, Flex, List, Row, Segmented, Skeleton, Statistic, Typography } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { DataState } from '../../components/DataState';
import { BriefButton } from './BriefButton';
import { HourlyChart } from './HourlyChart';
import { CATEGORY_COLOR, CategoryTag, RefutedBadge, formatTime } from './labels';
import { CATEGORIES, useOverview, type Cluster } from './opinion.api';
import { PERIOD_LABEL, isPeriod, periodStart, type PeriodKey } from './periods';

const OVERVIEW_PERIODS: PeriodKey[] = ['24h', '72h', '7d'];

function StatCard({ title, value, to, extra, accent, testId, loading }: { title: string; value: number; to: string; extra?: ReactNode; accent?: string; testId: string; loading: boolean }) {
  return (
    <Col flex="1 1 140px">
      <Link to={to} className="op-stat-link" data-testid={testId}>
        <Card size="small" hoverable className="op-stat" style={accent ? { borderTopColor: accent } : undefined}>
          <Statistic title={title} value={value} loading={loading} />
          <div className="op-stat-extra">{extra ?? '\u00a0'}</div>
        </Card>
      </Link>
    </Col>
  );
}

function TopClusters({ clusters }: { clusters: Cluster[] }) {
  const { t } = useTranslation();
  return (
    <List
      dataSource={clusters}
      locale={{ emptyText: t('opinion.overview.topEmpty') }}
      renderItem={(c, i) => (
        <List.Item className="op-top-item" data-testid="top-cluster">
          <Flex gap={12} align="flex-start" style={{ width: '100%' }}>
            <span className={i < 3 ? 'op-rank op-rank-top' : 'op-rank'}>{i + 1}</span>
            <Flex vertical gap={4} style={{ minWidth: 0, flex: 1 }}>
              <Link to={`/opinion/clusters/${c.id}`} className="op-clamp-2">
                {c.sampleText}
              </Link>
              <Flex gap={4} wrap align="center">
                <CategoryTag category={c.category} />
                <RefutedBadge refuted={!!c.refutationId} showUnrefuted={c.category === 'rumor'} />
                <Typography.Text type="secondary" className="op-meta">
                  {t('opinion.common.clusterSize', { count: c.size })} · {t('opinion.overview.spreaders', { count: c.spreaders })} · {formatTime(c.lastSeen)}
                </Typography.Text>
              </Flex>
            </Flex>
          </Flex>
        </List.Item>
      )}
    />
  );
}

export function OpinionOverview() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const period: PeriodKey = isPeriod(params.get('period')) && OVERVIEW_PERIODS.includes(params.get('period') as PeriodKey) ? (params.get('period') as PeriodKey) : '24h';
  const from = useMemo(() => periodStart(period), [period]);
  const overview = useOverview(from);
  const d = overview.data;
  const loading = overview.isPending;
  const postsLink = (extra = '') => `/opinion/posts?from=${encodeURIComponent(from)}${extra}`;

  return (
    <>
      <PageHeader
        title={t('opinion.overview.title')}
        description={t('opinion.common.privacy')}
        extra={
          <>
            <Segmented<PeriodKey>
              value={period}
              onChange={(v) => setParams({ period: v }, { replace: true })}
              options={OVERVIEW_PERIODS.map((p) => ({ value: p, label: t(PERIOD_LABEL[p]) }))}
              data-testid="overview-period"
            />
            <BriefButton />
          </>
        }
      />
      <Flex vertical gap={16}>
        <Row gutter={[12, 12]} data-testid="overview-cards">
          <StatCard testId="card-total" title={t('opinion.overview.total')} value={d?.total ?? 0} to={postsLink()} loading={loading} />
          <StatCard testId="card-relevant" title={t('opinion.overview.relevant')} value={d?.relevant ?? 0} to={postsLink('&relevant=true')} accent="#c41d1d" loading={loading} />
          <StatCard testId="card-alerts" title={t('opinion.overview.openAlerts')} value={d?.openAlerts ?? 0} to="/opinion/alerts" loading={loading} />
          <StatCard
            testId="card-cases"
            title={t('opinion.overview.openCases')}
            value={d?.openCases ?? 0}
            to="/opinion/cases"
            loading={loading}
            extra={
              d?.overdueCases ? (
                <Typography.Text type="danger">{t('opinion.overview.overdue', { count: d.overdueCases })}</Typography.Text>
              ) : (
                <Typography.Text type="secondary">{t('opinion.overview.noOverdue')}</Typography.Text>
              )
            }
          />
          <StatCard testId="card-refuted" title={t('opinion.overview.refuted')} value={d?.refuted ?? 0} to="/opinion/refutations" loading={loading} />
        </Row>
        <Row gutter={[12, 12]}>
          {CATEGORIES.map((c) => (
            <StatCard
              key={c}
              testId={`card-cat-${c}`}
              title={t(`opinion.categories.${c}`)}
              value={d?.byCategory[c] ?? 0}
              to={postsLink(`&category=${c}`)}
              accent={CATEGORY_COLOR[c]}
              loading={loading}
            />
          ))}
        </Row>
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <Card size="small" title={t('opinion.overview.hourly')}>
              {d ? <HourlyChart data={d} /> : <Skeleton active paragraph={{ rows: 6 }} />}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card size="small" title={t('opinion.overview.topClusters')} extra={<Link to="/opinion/clusters">{t('opinion.clusters.title')}</Link>}>
              <DataState query={overview} rows={6}>
                {(data) => <TopClusters clusters={data.topClusters} />}
              </DataState>
            </Card>
          </Col>
        </Row>
      </Flex>
    </>
  );
}
