// 聚类详情: one claim spreading — its posts per hour and in total, where it is seen, the latest
// posts, the refutation it is attached to (pick one from the library, or write one), and its case.
import { ArrowLeftOutlined, ScissorOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Descriptions, Empty, Flex, Popconfirm, Row, Select, Space, Table, Tooltip, Typography } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { DataState } from '../../components/DataState';
import { notifySuccess } from '../../lib/notify';
import { useChart } from './chart';
import { CreateCaseButton } from './CreateCaseButton';
import { PostCard } from './PostCard';
import { RefutationModal } from './RefutationModal';
import { CATEGORY_COLOR, CategoryTag, RefutedBadge, formatTime, hourTime, useCanHandle } from './labels';
import { useKeywordGroups, useRefutations, type Refutation } from './config.api';
import { useAttachRefutation, useCluster, useSplitCluster, type Cluster, type ClusterDetail as Detail } from './opinion.api';

function Timeline({ timeline, color }: { timeline: Detail['timeline']; color: string }) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption>(() => {
    const points = timeline.map((h) => hourTime(h.hour).valueOf());
    return {
      animation: false,
      legend: { top: 0, itemWidth: 12, itemHeight: 12 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time', axisLabel: { hideOverlap: true, formatter: { day: '{MM}-{dd}', hour: '{HH}:{mm}' } } },
      yAxis: [
        { type: 'value', minInterval: 1, name: t('opinion.clusters.perHour'), splitLine: { lineStyle: { type: 'dashed' } } },
        { type: 'value', minInterval: 1, name: t('opinion.clusters.cumulative'), splitLine: { show: false } },
      ],
      series: [
        { name: t('opinion.clusters.perHour'), type: 'bar', barMaxWidth: 18, itemStyle: { color }, data: timeline.map((h, i) => [points[i], h.count]) },
        {
          name: t('opinion.clusters.cumulative'),
          type: 'line',
          yAxisIndex: 1,
          step: 'end',
          showSymbol: timeline.length < 30,
          lineStyle: { color: '#595959', width: 2 },
          itemStyle: { color: '#595959' },
          data: timeline.map((h, i) => [points[i], h.cumulative]),
        },
      ],
    };
  }, [timeline, color, t]);
  const { ref } = useChart(option);
  return <div ref={ref} className="op-chart-small" role="img" aria-label={t('opinion.clusters.timeline')} data-testid="cluster-timeline" />;
}

function RefutationPanel({ cluster }: { cluster: Cluster }) {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const library = useRefutations();
  const attach = useAttachRefutation(cluster.id);
  const [picked, setPicked] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const current = library.data?.refutations.find((r) => r.id === cluster.refutationId);

  const doAttach = (id: string | null) =>
    attach.mutate(id, { onSuccess: () => notifySuccess(id ? t('opinion.clusters.attached') : t('opinion.clusters.detached')) });

  return (
    <Card size="small" title={t('opinion.clusters.refutationTitle')} data-testid="cluster-refutation">
      {cluster.refutationId ? (
        <Flex vertical gap={8}>
          <RefutedBadge refuted />
          {current ? (
            <>
              <Typography.Text strong data-testid="attached-claim">
                {current.claim}
              </Typography.Text>
              <Typography.Paragraph type="secondary" ellipsis={{ rows: 4, expandable: true, symbol: '…' }} style={{ margin: 0 }}>
                {current.facts}
              </Typography.Paragraph>
              {current.url ? (
                <Typography.Link href={current.url} target="_blank" rel="noopener noreferrer">
                  {current.url}
                </Typography.Link>
              ) : null}
            </>
          ) : null}
          {canHandle ? (
            <div>
              <Button danger size="small" onClick={() => doAttach(null)} loading={attach.isPending} data-testid="detach-refutation">
                {t('opinion.clusters.detach')}
              </Button>
            </div>
          ) : null}
        </Flex>
      ) : (
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{t('opinion.clusters.noRefutation')}</Typography.Text>
          {canHandle ? (
            <>
              <Space.Compact style={{ width: '100%' }}>
                <Select
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder={t('opinion.clusters.pickRefutation')}
                  value={picked}
                  onChange={setPicked}
                  loading={library.isPending}
                  options={(library.data?.refutations ?? []).map((r: Refutation) => ({ value: r.id, label: r.claim }))}
                  style={{ flex: 1, minWidth: 0 }}
                  data-testid="pick-refutation"
                />
                <Button type="primary" disabled={!picked} loading={attach.isPending} onClick={() => picked && doAttach(picked)} data-testid="attach-refutation">
                  {t('opinion.clusters.attach')}
                </Button>
              </Space.Compact>
              <div>
                <Button size="small" onClick={() => setCreating(true)} data-testid="new-refutation">
                  {t('opinion.clusters.newRefutation')}
                </Button>
              </div>
              <RefutationModal open={creating} initialClaim={cluster.sampleText.slice(0, 200)} onClose={() => setCreating(false)} onSaved={(r) => setPicked(r.id)} />
            </>
          ) : null}
        </Flex>
      )}
    </Card>
  );
}

/** The chosen posts of a cluster split off together (a wrong merge undone, two claims told apart). */
function SplitButton({ cluster, selected, onDone }: { cluster: Cluster; selected: string[]; onDone: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const split = useSplitCluster(cluster.id);
  const all = selected.length >= cluster.size;
  return (
    <Space size={8}>
      <Typography.Text type="secondary" data-testid="posts-selected">
        {t('opinion.clusters.postsSelected', { count: selected.length })}
      </Typography.Text>
      <Popconfirm
        title={t('opinion.clusters.splitTitle', { count: selected.length })}
        description={<div style={{ maxWidth: 320 }}>{t('opinion.clusters.splitHint')}</div>}
        okText={t('opinion.clusters.split')}
        okButtonProps={{ loading: split.isPending, ...{ 'data-testid': 'split-confirm' } }}
        onConfirm={() =>
          split.mutateAsync(selected).then(({ cluster: fresh }) => {
            notifySuccess(t('opinion.clusters.splitDone'));
            onDone();
            void navigate(`/opinion/clusters/${fresh.id}`);
          })
        }
        disabled={all}
      >
        <Tooltip title={all ? t('opinion.clusters.splitAll') : undefined}>
          <Button size="small" icon={<ScissorOutlined />} disabled={all} data-testid="split-open">
            {t('opinion.clusters.split')}
          </Button>
        </Tooltip>
      </Popconfirm>
    </Space>
  );
}

export function ClusterDetail() {
  const { t } = useTranslation();
  const { id } = useParams();
  const navigate = useNavigate();
  const detail = useCluster(id);
  const groups = useKeywordGroups();
  const groupNames = useMemo(() => new Map((groups.data?.groups ?? []).map((g) => [g.id, g.name])), [groups.data]);
  const canHandle = useCanHandle();
  // Posts picked to split off, per cluster (another cluster's page starts with none).
  const [picked, setPicked] = useState<{ cluster?: string; ids: string[] }>({ ids: [] });
  const selected = picked.cluster === id ? picked.ids : [];
  const pick = (postId: string, on: boolean) =>
    setPicked({ cluster: id, ids: on ? [...selected.filter((x) => x !== postId), postId] : selected.filter((x) => x !== postId) });

  return (
    <>
      <PageHeader
        title={t('opinion.clusters.detailTitle')}
        extra={
          <>
            <Button icon={<ArrowLeftOutlined />} onClick={() => void navigate('/opinion/clusters')}>
              {t('opinion.clusters.back')}
            </Button>
            {detail.data && !detail.data.cluster.mergedInto && (canHandle || detail.data.cluster.caseId) ? (
              <CreateCaseButton
                clusterId={detail.data.cluster.id}
                category={detail.data.cluster.category}
                text={detail.data.cluster.sampleText}
                caseId={detail.data.cluster.caseId}
                type="primary"
                size="middle"
                testId="cluster-create-case"
              />
            ) : null}
          </>
        }
      />
      <DataState query={detail} rows={10}>
        {(d) => (
          <Flex vertical gap={16}>
            {d.cluster.mergedInto ? (
              <Alert
                type="info"
                showIcon
                message={t('opinion.clusters.mergedBanner', { time: formatTime(d.cluster.mergedAt ?? d.cluster.lastSeen) })}
                action={<Link to={`/opinion/clusters/${d.cluster.mergedInto}`}>{t('opinion.clusters.mergedGo')}</Link>}
                data-testid="cluster-merged"
              />
            ) : null}
            <Card size="small">
              <Flex vertical gap={8}>
                <Space size={4} wrap>
                  <CategoryTag category={d.cluster.category} />
                  <RefutedBadge refuted={!!d.cluster.refutationId} showUnrefuted />
                </Space>
                <Typography.Paragraph className="op-post-text" style={{ margin: 0 }} data-testid="cluster-sample">
                  {d.cluster.sampleText}
                </Typography.Paragraph>
                <Descriptions
                  size="small"
                  column={{ xs: 2, sm: 2, md: 4 }}
                  items={[
                    { key: 'size', label: t('opinion.clusters.size'), children: <strong data-testid="cluster-detail-size">{d.cluster.size}</strong> },
                    {
                      key: 'spreaders',
                      label: <Tooltip title={t('opinion.clusters.spreadersHint')}>{t('opinion.clusters.spreaders')}</Tooltip>,
                      children: d.cluster.spreaders,
                    },
                    { key: 'first', label: t('opinion.clusters.firstSeen'), children: formatTime(d.cluster.firstSeen) },
                    { key: 'last', label: t('opinion.clusters.lastSeen'), children: formatTime(d.cluster.lastSeen) },
                  ]}
                />
              </Flex>
            </Card>
            {d.cluster.mergedInto ? null : (
              <>
                <Row gutter={[16, 16]}>
                  <Col xs={24} xl={16}>
                    <Card size="small" title={t('opinion.clusters.timeline')}>
                      {d.timeline.length ? <Timeline timeline={d.timeline} color={CATEGORY_COLOR[d.cluster.category]} /> : <Empty />}
                    </Card>
                  </Col>
                  <Col xs={24} xl={8}>
                    <Flex vertical gap={16}>
                      <RefutationPanel cluster={d.cluster} />
                      <Card size="small" title={t('opinion.clusters.sources')} styles={{ body: { padding: 0 } }}>
                        <Table
                          rowKey="source"
                          size="small"
                          pagination={false}
                          dataSource={d.sources}
                          columns={[
                            { key: 'source', title: t('opinion.common.source'), dataIndex: 'source' },
                            { key: 'count', title: t('opinion.clusters.size'), dataIndex: 'count', align: 'right', width: 90 },
                          ]}
                        />
                      </Card>
                    </Flex>
                  </Col>
                </Row>
                <Card
                  size="small"
                  title={t('opinion.clusters.latestPosts')}
                  extra={
                    <Space size={12} wrap>
                      {selected.length ? <SplitButton cluster={d.cluster} selected={selected} onDone={() => setPicked({ ids: [] })} /> : null}
                      <Link to={`/opinion/posts?clusterId=${d.cluster.id}`}>{t('opinion.clusters.allPosts')}</Link>
                    </Space>
                  }
                >
                  <Flex vertical gap={10} data-testid="cluster-posts">
                    {d.posts.map((p) => (
                      <PostCard
                        key={p.id}
                        post={p}
                        groupNames={groupNames}
                        inCluster
                        {...(canHandle && d.cluster.size > 1 ? { onSelect: (on: boolean) => pick(p.id, on), selected: selected.includes(p.id) } : {})}
                      />
                    ))}
                  </Flex>
                </Card>
              </>
            )}
          </Flex>
        )}
      </DataState>
    </>
  );
}
