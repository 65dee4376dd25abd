// 模型质量: how well the classifier does on the held-out split of the built-in corpus — the shipped
// model ("学习前") against the model after learning from analysts' labels ("学习后") — per category
// and for relevance, plus how often analysts agreed with the shipped model.
import { Card, Col, Flex, Row, Statistic, Table, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { DataState } from '../../components/DataState';
import { useChart } from './chart';
import { CATEGORY_COLOR, categoryLabel, percent } from './labels';
import { CATEGORIES, useModelQuality, type Category, type ModelQuality as Quality } from './opinion.api';

type Row = { key: string; name: string; color?: string; support: number; before: { precision: number; recall: number; f1?: number }; after: { precision: number; recall: number; f1?: number } };

function Delta({ before, after }: { before?: number; after?: number }) {
  if (before === undefined || after === undefined) return <>—</>;
  const d = (after - before) * 100;
  if (Math.abs(d) < 0.05) return <Typography.Text type="secondary">±0</Typography.Text>;
  return <Typography.Text type={d > 0 ? 'success' : 'danger'}>{`${d > 0 ? '+' : ''}${d.toFixed(1)}`}</Typography.Text>;
}

function F1Chart({ q }: { q: Quality }) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      animation: false,
      legend: { top: 0, itemWidth: 12, itemHeight: 12 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${(Number(v) * 100).toFixed(1)}%` },
      xAxis: { type: 'category', data: CATEGORIES.map((c) => categoryLabel(t, c)) },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` }, splitLine: { lineStyle: { type: 'dashed' } } },
      series: [
        { name: t('opinion.model.before'), type: 'bar', barMaxWidth: 28, itemStyle: { color: '#bfbfbf' }, data: CATEGORIES.map((c) => q.before.categories[c]?.f1 ?? 0) },
        {
          name: t('opinion.model.after'),
          type: 'bar',
          barMaxWidth: 28,
          data: CATEGORIES.map((c) => ({ value: q.after.categories[c]?.f1 ?? 0, itemStyle: { color: CATEGORY_COLOR[c] } })),
          itemStyle: { color: '#c41d1d' },
        },
      ],
    }),
    [q, t],
  );
  const { ref } = useChart(option);
  return <div ref={ref} className="op-chart-small" role="img" aria-label={t('opinion.model.chart')} data-testid="model-chart" />;
}

function QualityBody({ q }: { q: Quality }) {
  const { t } = useTranslation();
  const rows: Row[] = [
    ...CATEGORIES.map((c: Category) => ({
      key: c,
      name: categoryLabel(t, c),
      color: CATEGORY_COLOR[c],
      support: q.after.categories[c]?.support ?? q.before.categories[c]?.support ?? 0,
      before: q.before.categories[c] ?? { precision: 0, recall: 0, f1: 0 },
      after: q.after.categories[c] ?? { precision: 0, recall: 0, f1: 0 },
    })),
    { key: 'relevance', name: t('opinion.model.relevanceRow'), support: q.after.n, before: q.before.relevance, after: q.after.relevance },
  ];
  const metric = (m: 'precision' | 'recall' | 'f1') => [
    { key: `${m}-b`, title: t('opinion.model.before'), width: 80, align: 'right' as const, render: (_: unknown, r: Row) => percent(r.before[m]) },
    { key: `${m}-a`, title: t('opinion.model.after'), width: 80, align: 'right' as const, render: (_: unknown, r: Row) => <strong>{percent(r.after[m])}</strong> },
    { key: `${m}-d`, title: t('opinion.model.change'), width: 70, align: 'right' as const, render: (_: unknown, r: Row) => <Delta before={r.before[m]} after={r.after[m]} /> },
  ];
  const columns: ColumnsType<Row> = [
    {
      key: 'name',
      title: t('opinion.common.category'),
      dataIndex: 'name',
      fixed: 'left',
      width: 130,
      render: (v: string, r) => (
        <span className="op-legend">
          {r.color ? <i style={{ background: r.color }} /> : null}
          {v}
        </span>
      ),
    },
    { key: 'precision', title: t('opinion.model.precision'), children: metric('precision') },
    { key: 'recall', title: t('opinion.model.recall'), children: metric('recall') },
    { key: 'f1', title: t('opinion.model.f1'), children: metric('f1') },
    { key: 'support', title: t('opinion.model.support'), dataIndex: 'support', width: 80, align: 'right' },
  ];

  const stat = (title: ReactNode, value: string, testId: string, sub?: ReactNode) => (
    <Col flex="1 1 140px">
      <Card size="small" className="op-stat" data-testid={testId}>
        <Statistic title={title} value={value} />
        <div className="op-stat-extra">{sub ?? '\u00a0'}</div>
      </Card>
    </Col>
  );

  return (
    <Flex vertical gap={16}>
      <Row gutter={[12, 12]}>
        {stat(t('opinion.model.relevanceAccuracy'), percent(q.after.relevanceAccuracy), 'model-relevance', <span className="op-meta">{t('opinion.model.before')} {percent(q.before.relevanceAccuracy)}</span>)}
        {stat(t('opinion.model.macroF1'), percent(q.after.macroF1), 'model-macro-f1', <span className="op-meta">{t('opinion.model.before')} {percent(q.before.macroF1)}</span>)}
        {stat(t('opinion.model.labels'), String(q.labels), 'model-labels')}
        {stat(
          <Tooltip title={t('opinion.model.agreementHint')}>{t('opinion.model.agreement')}</Tooltip>,
          q.labelAgreement === null ? t('opinion.model.none') : percent(q.labelAgreement),
          'model-agreement',
        )}
        {stat(t('opinion.model.trainExamples'), String(q.trainExamples), 'model-train', <span className="op-meta">{t('opinion.model.heldOut')} {q.heldOutExamples}</span>)}
      </Row>
      <Card size="small" title={t('opinion.model.chart')}>
        <F1Chart q={q} />
      </Card>
      <Card size="small" title={t('opinion.model.perCategory')} styles={{ body: { padding: 0 } }}>
        <Table<Row> rowKey="key" size="small" bordered pagination={false} columns={columns} dataSource={rows} scroll={{ x: 900 }} data-testid="model-table" />
      </Card>
    </Flex>
  );
}

export function ModelQuality() {
  const { t } = useTranslation();
  const quality = useModelQuality();
  return (
    <>
      <PageHeader title={t('opinion.model.title')} description={t('opinion.model.hint')} />
      <DataState query={quality} rows={8}>
        {(q) => <QualityBody q={q} />}
      </DataState>
    </>
  );
}
