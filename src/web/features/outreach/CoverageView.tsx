// 填报覆盖: which villages and communities have reported in the last N days, and which have gone
// quiet ("最后一公里") — silent ones first and in red, each opening its records.
import { Card, Checkbox, Col, Empty, Flex, Progress, Row, Segmented, Select, Statistic, Table, Tag, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { DataState } from '../../components/DataState';
import { PageHeader } from '../../components/PageHeader';
import { daysAgo, today } from '../../lib/dates';
import { FilterBar, filterSearch, useOutreachFilters } from './filters';
import { useCoverage, type CoverageUnit } from './outreach.api';

const DAY_OPTIONS = [3, 7, 14, 30];

export function SilenceTag({ unit }: { unit: Pick<CoverageUnit, 'silent' | 'lastDate' | 'daysSilent'> }) {
  const { t } = useTranslation();
  if (!unit.silent) return <Tag color="success">{t('outreach.coverage.reporting')}</Tag>;
  if (!unit.lastDate) return <Tag color="error">{t('outreach.coverage.never')}</Tag>;
  return <Tag color="error">{t('outreach.coverage.silentDays', { count: unit.daysSilent ?? 0 })}</Tag>;
}

export function CoverageView() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [filters, setFilters] = useOutreachFilters();
  const [days, setDays] = useState(7);
  const [township, setTownship] = useState<string | undefined>();
  const [silentOnly, setSilentOnly] = useState(false);
  const coverage = useCoverage({ orgId: filters.orgId, days });

  const parents = useMemo(() => {
    const seen = new Map<string, string>();
    for (const u of coverage.data?.units ?? []) if (u.parentId && u.parentName) seen.set(u.parentId, u.parentName);
    return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'));
  }, [coverage.data]);
  const inTownship = useMemo(
    () => (coverage.data?.units ?? []).filter((u) => !township || u.parentId === township),
    [coverage.data, township],
  );
  const units = useMemo(() => (silentOnly ? inTownship.filter((u) => u.silent) : inTownship), [inTownship, silentOnly]);
  const shown = useMemo(() => {
    const silent = inTownship.filter((u) => u.silent).length;
    return { total: inTownship.length, silent, reporting: inTownship.length - silent };
  }, [inTownship]);
  const rate = shown.total ? Math.round((shown.reporting / shown.total) * 1000) / 10 : 0;

  const columns: TableColumnsType<CoverageUnit> = [
    { key: 'name', title: t('outreach.unit'), dataIndex: 'name', render: (name: string) => <a>{name}</a> },
    { key: 'parent', title: t('outreach.coverage.parent'), dataIndex: 'parentName', responsive: ['sm'], render: (v: string | null) => v ?? '—' },
    {
      key: 'lastDate',
      title: t('outreach.coverage.lastDate'),
      dataIndex: 'lastDate',
      render: (v: string | null) => v ?? <span className="muted">{t('outreach.coverage.noRecord')}</span>,
    },
    { key: 'state', title: t('outreach.coverage.state'), render: (_, u) => <SilenceTag unit={u} /> },
  ];

  return (
    <>
      <PageHeader title={t('outreach.coverage.title')} description={t('outreach.coverage.intro')} />
      <Flex vertical gap={16}>
        <Card size="small">
          <FilterBar filters={filters} onChange={(patch) => {
              if (!patch.orgId) return;
              setTownship(undefined);
              setFilters({ orgId: patch.orgId });
            }} withPeriod={false}>
            <Segmented<number>
              value={days}
              options={DAY_OPTIONS.map((d) => ({ value: d, label: t('outreach.coverage.days', { count: d }) }))}
              onChange={setDays}
              data-testid="coverage-days"
            />
            {parents.length > 1 ? (
              <Select
                allowClear
                value={township}
                onChange={setTownship}
                options={parents}
                placeholder={t('outreach.coverage.allTownships')}
                style={{ minWidth: 160 }}
                data-testid="coverage-township"
              />
            ) : null}
            <Checkbox checked={silentOnly} onChange={(e) => setSilentOnly(e.target.checked)} data-testid="coverage-silent-only">
              {t('outreach.coverage.silentOnly')}
            </Checkbox>
          </FilterBar>
        </Card>
        <DataState query={coverage} rows={6}>
          {(data) => (
            <>
              <Card size="small">
                <Row gutter={[16, 12]} align="middle">
                  <Col xs={8} md={5}>
                    <Statistic title={t('outreach.coverage.total')} value={shown.total} suffix={t('outreach.coverage.unitSuffix')} />
                  </Col>
                  <Col xs={8} md={5}>
                    <Statistic title={t('outreach.coverage.reportingCount')} value={shown.reporting} suffix={t('outreach.coverage.unitSuffix')} />
                  </Col>
                  <Col xs={8} md={5}>
                    <Statistic
                      title={t('outreach.coverage.silentCount')}
                      value={shown.silent}
                      suffix={t('outreach.coverage.unitSuffix')}
                      styles={{ content: { color: shown.silent ? '#cf1322' : undefined } }}
                      data-testid="coverage-silent"
                    />
                  </Col>
                  <Col xs={24} md={9}>
                    <div className="muted" style={{ marginBottom: 4 }}>
                      {t('outreach.coverage.rate', { since: data.since, asOf: data.asOf })}
                    </div>
                    <Progress
                      percent={rate}
                      status="normal"
                      strokeColor={rate >= 90 ? '#389e0d' : rate >= 70 ? '#d48806' : '#cf1322'}
                      format={(p) => `${p}%`}
                      data-testid="coverage-rate"
                    />
                  </Col>
                </Row>
              </Card>
              <Card size="small" styles={{ body: { padding: 0 } }}>
                <Table<CoverageUnit>
                  rowKey="orgId"
                  size="middle"
                  columns={columns}
                  dataSource={units}
                  pagination={units.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
                  rowClassName={(u) => (u.silent ? 'row-silent' : '')}
                  onRow={(u) => ({
                    onClick: () => void navigate(`/outreach/records${filterSearch({ orgId: u.orgId, from: daysAgo(29), to: today() })}`),
                    className: 'ranking-row',
                  })}
                  locale={{ emptyText: <Empty description={t('outreach.coverage.noUnits')} /> }}
                  data-testid="coverage-table"
                />
              </Card>
            </>
          )}
        </DataState>
      </Flex>
    </>
  );
}
