// 稿件管理: every item the caller can read, filtered by status, kind and a title search.
import { PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatDateTime } from './time';
import { ContentStatusTag } from './labels';
import { KINDS, STATUSES, useContentList, type Content } from './publishing.api';

export function ContentList() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [status, setStatus] = useState<string | undefined>();
  const [kind, setKind] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const list = useContentList({ status, kind, q: q || undefined });

  const columns: ColumnsType<Content> = [
    {
      key: 'title',
      title: t('publishing.title'),
      dataIndex: 'title',
      render: (title: string, r) => (
        <Link to={`/publishing/${r.id}`} data-testid="content-link">
          {title}
        </Link>
      ),
    },
    { key: 'kind', title: t('publishing.kind'), dataIndex: 'kind', render: (k: Content['kind']) => t(`publishing.kinds.${k}`) },
    { key: 'theme', title: t('publishing.theme'), dataIndex: 'theme', render: (k: Content['theme']) => t(`publishing.themes.${k}`) },
    {
      key: 'channels',
      title: t('publishing.channels'),
      dataIndex: 'channels',
      render: (cs: Content['channels']) => cs.map((c) => <Tag key={c}>{t(`publishing.channelNames.${c}`)}</Tag>),
    },
    { key: 'status', title: t('publishing.status'), dataIndex: 'status', render: (s: Content['status']) => <ContentStatusTag status={s} /> },
    { key: 'author', title: t('publishing.author'), dataIndex: 'authorName' },
    { key: 'updatedAt', title: t('publishing.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => formatDateTime(v) },
  ];

  return (
    <Card
      title={t('publishing.listTitle')}
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/publishing/new')} data-testid="content-new">
          {t('publishing.newItem')}
        </Button>
      }
    >
      <Flex vertical gap={16}>
        <Space wrap>
          <Select
            allowClear
            placeholder={t('publishing.status')}
            style={{ width: 140 }}
            value={status}
            onChange={setStatus}
            options={STATUSES.map((s) => ({ value: s, label: t(`publishing.statuses.${s}`) }))}
          />
          <Select
            allowClear
            placeholder={t('publishing.kind')}
            style={{ width: 140 }}
            value={kind}
            onChange={setKind}
            options={KINDS.map((k) => ({ value: k, label: t(`publishing.kinds.${k}`) }))}
          />
          <Input.Search allowClear placeholder={t('publishing.searchTitle')} onSearch={setQ} style={{ width: 240 }} />
        </Space>
        {list.isError ? <Typography.Text type="danger">{t('common.loadFailed')}</Typography.Text> : null}
        <Table<Content>
          rowKey="id"
          size="middle"
          loading={list.isPending}
          columns={columns}
          dataSource={list.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          data-testid="content-table"
        />
      </Flex>
    </Card>
  );
}
