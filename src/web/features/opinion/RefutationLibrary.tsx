// 辟谣库: each false claim with the facts and the published refutation; posts that repeat a claim
// carry its refutation, and the count links to them. A draft can be handed over to news publishing,
// where it becomes a draft article; once that is published, so is the entry.
import { EditOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Flex, Input, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { RefutationModal } from './RefutationModal';
import { formatTime, useCanHandle } from './labels';
import { HandOverModal } from './HandOverModal';
import { useRefutations, type Refutation } from './config.api';

const STATUS_COLOR: Record<string, string> = { published: 'success', handed_over: 'processing', draft: 'default' };

export function RefutationLibrary() {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const list = useRefutations(q || undefined);
  const [editing, setEditing] = useState<Refutation | null | undefined>(undefined);
  const [handing, setHanding] = useState<Refutation | null>(null);

  const columns: ColumnsType<Refutation> = [
    {
      key: 'claim',
      title: t('opinion.refutations.claim'),
      dataIndex: 'claim',
      width: '28%',
      render: (v: string) => (
        <Typography.Text strong data-testid="refutation-claim-cell">
          {v}
        </Typography.Text>
      ),
    },
    {
      key: 'facts',
      title: t('opinion.refutations.facts'),
      dataIndex: 'facts',
      render: (v: string, r) => (
        <Flex vertical gap={2}>
          <Typography.Paragraph ellipsis={{ rows: 3, expandable: 'collapsible' }} style={{ margin: 0 }}>
            {v}
          </Typography.Paragraph>
          {r.url ? (
            <Typography.Link href={r.url} target="_blank" rel="noopener noreferrer" className="op-meta" ellipsis>
              {r.url}
            </Typography.Link>
          ) : null}
        </Flex>
      ),
    },
    {
      key: 'status',
      title: t('opinion.refutations.status'),
      dataIndex: 'status',
      width: 100,
      render: (s: string) => {
        const tag = (
          <Tag color={STATUS_COLOR[s] ?? 'default'} data-testid="refutation-status">
            {s in STATUS_COLOR ? t(`opinion.refutations.statuses.${s as 'draft' | 'handed_over' | 'published'}`) : s}
          </Tag>
        );
        return s === 'handed_over' ? <Tooltip title={t('opinion.refutations.handedOverHint')}>{tag}</Tooltip> : tag;
      },
    },
    {
      key: 'posts',
      title: t('opinion.refutations.posts'),
      dataIndex: 'posts',
      width: 90,
      align: 'right',
      render: (n: number, r) => (n ? <Link to={`/opinion/posts?refutationId=${r.id}`}>{n}</Link> : 0),
    },
    { key: 'updated', title: t('opinion.refutations.updatedAt'), dataIndex: 'updatedAt', width: 120, render: formatTime },
    ...(canHandle
      ? [
          {
            key: 'edit',
            title: t('common.actions'),
            width: 190,
            render: (_: unknown, r: Refutation) => (
              <Flex gap={0} wrap>
                <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(r)}>
                  {t('common.edit')}
                </Button>
                {r.status === 'draft' ? (
                  <Button type="link" size="small" icon={<SendOutlined />} onClick={() => setHanding(r)} data-testid="refutation-handover">
                    {t('opinion.refutations.handOver')}
                  </Button>
                ) : null}
              </Flex>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <PageHeader
        title={t('opinion.refutations.title')}
        extra={
          canHandle ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="refutation-new">
              {t('opinion.refutations.create')}
            </Button>
          ) : null
        }
      />
      <Card size="small">
        <Flex vertical gap={12}>
          <Input.Search
            allowClear
            defaultValue={q}
            placeholder={t('opinion.refutations.search')}
            onSearch={(v) => setParams(v.trim() ? { q: v.trim() } : {}, { replace: true })}
            style={{ maxWidth: 360 }}
            data-testid="refutation-search"
          />
          <Table<Refutation>
            rowKey="id"
            size="middle"
            loading={list.isPending}
            columns={columns}
            dataSource={list.data?.refutations ?? []}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={q ? t('common.empty') : t('opinion.refutations.empty')} /> }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 900 }}
            data-testid="refutation-table"
          />
        </Flex>
      </Card>
      <RefutationModal open={editing !== undefined} refutation={editing} onClose={() => setEditing(undefined)} />
      <HandOverModal refutation={handing} onClose={() => setHanding(null)} />
    </>
  );
}
