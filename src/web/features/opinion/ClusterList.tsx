// 聚类: the claims spreading in a period, largest first — how many posts, how many accounts (a count,
// never who), when first and last seen, whether refuted, and the case handling it.
import { MergeCellsOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Flex, Segmented, Select, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { CreateCaseButton } from './CreateCaseButton';
import { MergeClustersModal } from './MergeClustersModal';
import { CategoryTag, RefutedBadge, formatTime, useCanHandle } from './labels';
import { CATEGORIES, useClusters, type Category, type Cluster } from './opinion.api';
import { PERIOD_LABEL, isPeriod, periodStart, type PeriodKey } from './periods';

const LIST_PERIODS: PeriodKey[] = ['24h', '72h', '7d', '30d'];
const SIZES = [1, 2, 3, 5, 10];

export function ClusterList() {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const [params, setParams] = useSearchParams();
  const period: PeriodKey = isPeriod(params.get('period')) ? (params.get('period') as PeriodKey) : '7d';
  const category = (CATEGORIES as readonly string[]).includes(params.get('category') ?? '') ? (params.get('category') as Category) : undefined;
  const minSize = SIZES.includes(Number(params.get('minSize'))) ? Number(params.get('minSize')) : 2;
  const from = useMemo(() => periodStart(period), [period]);
  const clusters = useClusters({ from, category, minSize, relevant: 'true', limit: 200 });
  const [selected, setSelected] = useState<string[]>([]);
  const [merging, setMerging] = useState(false);
  const rows = clusters.data?.clusters ?? [];
  const selectedRows = rows.filter((c) => selected.includes(c.id));

  const set = (key: string, value: string | undefined) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });

  const columns: ColumnsType<Cluster> = [
    {
      key: 'sample',
      title: t('opinion.clusters.sample'),
      dataIndex: 'sampleText',
      render: (text: string, c) => (
        <Link to={`/opinion/clusters/${c.id}`} className="op-clamp-2" data-testid="cluster-link">
          {text}
        </Link>
      ),
    },
    { key: 'category', title: t('opinion.common.category'), dataIndex: 'category', width: 100, render: (v: Category) => <CategoryTag category={v} /> },
    { key: 'size', title: t('opinion.clusters.size'), dataIndex: 'size', width: 80, align: 'right', render: (v: number) => <strong data-testid="cluster-size">{v}</strong> },
    {
      key: 'spreaders',
      title: <Tooltip title={t('opinion.clusters.spreadersHint')}>{t('opinion.clusters.spreaders')}</Tooltip>,
      dataIndex: 'spreaders',
      width: 90,
      align: 'right',
    },
    { key: 'first', title: t('opinion.clusters.firstSeen'), dataIndex: 'firstSeen', width: 120, render: formatTime },
    { key: 'last', title: t('opinion.clusters.lastSeen'), dataIndex: 'lastSeen', width: 120, render: formatTime },
    { key: 'ref', title: t('opinion.clusters.refutation'), dataIndex: 'refutationId', width: 96, render: (v: string | null, c) => (v || c.category === 'rumor' ? <RefutedBadge refuted={!!v} showUnrefuted /> : <Typography.Text type="secondary">—</Typography.Text>) },
    {
      key: 'case',
      title: t('opinion.clusters.case'),
      width: 120,
      render: (_: unknown, c) =>
        c.caseId ? (
          <Link to={`/opinion/cases?case=${c.caseId}`}>{t('opinion.common.openCase')}</Link>
        ) : canHandle ? (
          <CreateCaseButton clusterId={c.id} category={c.category} text={c.sampleText} type="link" />
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  return (
    <>
      <PageHeader title={t('opinion.clusters.title')} description={t('opinion.clusters.hint')} />
      <Card size="small">
        <Flex vertical gap={12}>
          <Flex gap={8} wrap align="center">
            <Segmented<PeriodKey> value={period} onChange={(v) => set('period', v)} options={LIST_PERIODS.map((p) => ({ value: p, label: t(PERIOD_LABEL[p]) }))} />
            <Select
              allowClear
              placeholder={t('opinion.posts.anyCategory')}
              value={category}
              onChange={(v) => set('category', v)}
              options={CATEGORIES.map((c) => ({ value: c, label: t(`opinion.categories.${c}`) }))}
              style={{ width: 130 }}
            />
            <Select
              value={minSize}
              onChange={(v) => set('minSize', String(v))}
              options={SIZES.map((n) => ({ value: n, label: t('opinion.clusters.minSize', { count: n }) }))}
              style={{ width: 120 }}
              data-testid="cluster-min-size"
            />
            {canHandle ? (
              <Flex gap={8} align="center" style={{ marginInlineStart: 'auto' }}>
                {selectedRows.length ? <Typography.Text type="secondary">{t('opinion.clusters.selected', { count: selectedRows.length })}</Typography.Text> : null}
                <Tooltip title={t('opinion.clusters.mergeHint')}>
                  <Button icon={<MergeCellsOutlined />} disabled={selectedRows.length < 2} onClick={() => setMerging(true)} data-testid="merge-clusters">
                    {t('opinion.clusters.merge')}
                  </Button>
                </Tooltip>
              </Flex>
            ) : null}
          </Flex>
          <MergeClustersModal
            clusters={selectedRows}
            open={merging}
            onClose={() => setMerging(false)}
            onMerged={() => {
              setMerging(false);
              setSelected([]);
            }}
          />
          <Table<Cluster>
            rowKey="id"
            size="middle"
            loading={clusters.isPending}
            columns={columns}
            dataSource={rows}
            rowSelection={canHandle ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]), columnWidth: 40 } : undefined}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opinion.clusters.empty')} /> }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 980 }}
            data-testid="cluster-table"
          />
        </Flex>
      </Card>
    </>
  );
}
