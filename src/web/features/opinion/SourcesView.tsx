// 来源: where posts come from — push connectors, RSS/Atom feeds (polled on a schedule with backoff),
// file uploads — with their health (last poll, last error, failures) and post counts. Analysts add
// sources, pause and resume them, fetch a feed now, and upload files.
import { PauseCircleOutlined, PlayCircleOutlined, PlusOutlined, SyncOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Form, Input, InputNumber, Modal, Radio, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { notifyError, notifySuccess } from '../../lib/notify';
import { formatTime, useCanHandle } from './labels';
import { SOURCE_KINDS, usePollSource, useSaveSource, useSources, type Source, type SourceKind } from './config.api';
import { UploadCard } from './UploadCard';

function NewSourceModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; kind: SourceKind; url?: string; pollMinutes?: number }>();
  const kind = Form.useWatch('kind', form);
  const save = useSaveSource();
  const submit = async () => {
    const v = await form.validateFields();
    await save.mutateAsync({ name: v.name.trim(), kind: v.kind, ...(v.kind === 'rss' ? { url: v.url?.trim(), pollMinutes: v.pollMinutes } : {}) });
    notifySuccess(t('opinion.sources.created'));
    onClose();
  };
  return (
    <Modal title={t('opinion.sources.create')} open={open} onCancel={onClose} onOk={() => void submit().catch(() => undefined)} okButtonProps={{ loading: save.isPending }} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ kind: 'rss', pollMinutes: 15 }} preserve={false}>
        <Form.Item name="name" label={t('opinion.sources.name')} extra={t('opinion.sources.nameHint')} rules={[{ required: true, whitespace: true, max: 60 }, { pattern: /^[^\s/\\]+$/, message: t('opinion.sources.nameHint') }]}>
          <Input maxLength={60} data-testid="source-name" />
        </Form.Item>
        <Form.Item name="kind" label={t('opinion.sources.kind')}>
          <Radio.Group optionType="button" options={SOURCE_KINDS.map((k) => ({ value: k, label: t(`opinion.sourceKinds.${k}`) }))} />
        </Form.Item>
        {kind === 'rss' ? (
          <>
            <Form.Item name="url" label={t('opinion.sources.url')} rules={[{ required: true, type: 'url' }, { pattern: /^https?:\/\//i }]}>
              <Input placeholder="https://" data-testid="source-url" />
            </Form.Item>
            <Form.Item name="pollMinutes" label={t('opinion.sources.pollMinutes')}>
              <InputNumber min={1} max={1440} precision={0} />
            </Form.Item>
          </>
        ) : null}
      </Form>
    </Modal>
  );
}

export function SourcesView() {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const sources = useSources();
  const save = useSaveSource();
  const poll = usePollSource();
  const [creating, setCreating] = useState(false);

  const pollNow = (s: Source) =>
    poll.mutate(s.id, {
      onSuccess: (r) => {
        const text = t(`opinion.sources.pollResult.${r.status}`, { count: r.created ?? 0, error: r.error ?? '' });
        if (r.status === 'failed') notifyError(new Error(text));
        else notifySuccess(text);
      },
    });

  const columns: ColumnsType<Source> = [
    { key: 'name', title: t('opinion.sources.name'), dataIndex: 'name', render: (v: string, s) => <Flex vertical><strong>{v}</strong>{s.url ? <Typography.Text type="secondary" className="op-meta" ellipsis style={{ maxWidth: 280 }}>{s.url}</Typography.Text> : null}</Flex> },
    { key: 'kind', title: t('opinion.sources.kind'), dataIndex: 'kind', width: 130, render: (k: SourceKind) => <Tag>{t(`opinion.sourceKinds.${k}`)}</Tag> },
    {
      key: 'status',
      title: t('opinion.sources.status'),
      dataIndex: 'paused',
      width: 90,
      render: (paused: boolean, s) => (paused ? <Tag color="warning">{t('opinion.sources.paused')}</Tag> : <Tag color={s.failures ? 'error' : 'success'}>{t('opinion.sources.active')}</Tag>),
    },
    { key: 'polled', title: t('opinion.sources.lastPolled'), dataIndex: 'lastPolledAt', width: 120, render: (v: string | null, s) => (s.kind === 'rss' ? formatTime(v) || t('common.never') : '—') },
    {
      key: 'error',
      title: t('opinion.sources.lastError'),
      dataIndex: 'lastError',
      render: (v: string | null, s) =>
        v ? (
          <Tooltip title={v}>
            <Typography.Text type="danger" ellipsis style={{ maxWidth: 220 }}>
              {v}
            </Typography.Text>
            {s.failures ? <Typography.Text type="secondary" className="op-meta">{' '}{t('opinion.sources.failureCount', { count: s.failures })}</Typography.Text> : null}
          </Tooltip>
        ) : (
          '—'
        ),
    },
    { key: 'posts', title: t('opinion.sources.posts'), dataIndex: 'posts', width: 90, align: 'right' },
    ...(canHandle
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            width: 200,
            render: (_: unknown, s: Source) => (
              <Space size={4} wrap>
                <Button
                  size="small"
                  icon={s.paused ? <PlayCircleOutlined /> : <PauseCircleOutlined />}
                  onClick={() => save.mutate({ id: s.id, paused: !s.paused })}
                  data-testid={s.paused ? 'source-resume' : 'source-pause'}
                >
                  {s.paused ? t('opinion.sources.resume') : t('opinion.sources.pause')}
                </Button>
                {s.kind === 'rss' ? (
                  <Button size="small" icon={<SyncOutlined />} disabled={s.paused} loading={poll.isPending && poll.variables === s.id} onClick={() => pollNow(s)} data-testid="source-poll">
                    {t('opinion.sources.pollNow')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <PageHeader
        title={t('opinion.sources.title')}
        extra={
          canHandle ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="source-new">
              {t('opinion.sources.create')}
            </Button>
          ) : null
        }
      />
      <Flex vertical gap={16}>
        <Card size="small">
          <Table<Source>
            rowKey="id"
            size="middle"
            loading={sources.isPending}
            columns={columns}
            dataSource={sources.data?.sources ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 980 }}
            data-testid="source-table"
          />
        </Card>
        {canHandle ? <UploadCard sources={sources.data?.sources ?? []} /> : null}
      </Flex>
      <NewSourceModal open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
