// 渠道分发 (/publishing/channels): the delivery records of every item in the caller's units, with
// status, error text and 重试 (editors, reviewers, publicity staff); and, for system admins, the
// outbound webhook endpoints (对接地址): list, add (the signing secret is shown once), pause,
// resume, delete. A page shows the tabs its roles may use; the server has the last word.
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Empty, Flex, Form, Input, Modal, Popconfirm, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorText, notifyError, notifySuccess } from '../../lib/notify';
import { useCurrentUser } from '../auth/session';
import { formatDateTime } from './time';
import { CHANNELS, useDeliveries, useRetryDelivery, useWebhookAction, useWebhooks, type Channel, type Delivery, type DeliveryListItem, type Webhook } from './publishing.api';

const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'confirmed'] as const;
export const DELIVERY_COLORS: Record<Delivery['status'], string> = { pending: 'default', sent: 'processing', failed: 'error', confirmed: 'success' };

export function PublishingChannels() {
  const { t } = useTranslation();
  const roles = useCurrentUser().roles as string[];
  const readsContent = roles.some((r) => ['editor', 'reviewer', 'publicity'].includes(r));
  const admin = roles.includes('admin');
  const items = [
    ...(readsContent ? [{ key: 'deliveries', label: t('publishing.channelsPage.deliveries'), children: <DeliveryList /> }] : []),
    ...(admin ? [{ key: 'webhooks', label: t('publishing.channelsPage.webhooks'), children: <WebhookList /> }] : []),
  ];
  return (
    <Card title={t('publishing.channelsPage.title')}>
      <Tabs items={items} data-testid="channels-tabs" />
    </Card>
  );
}

function DeliveryList() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | undefined>();
  const [channel, setChannel] = useState<string | undefined>();
  const list = useDeliveries({ status, channel });
  const retry = useRetryDelivery();
  const doRetry = (d: DeliveryListItem) =>
    retry.mutate(d.id, {
      onSuccess: (r) => notifySuccess(r.hasEndpoint ? t('publishing.retryQueued') : t('publishing.retryNoEndpoint')),
      onError: notifyError,
    });
  const columns: ColumnsType<DeliveryListItem> = [
    {
      key: 'content',
      title: t('publishing.title'),
      dataIndex: 'contentTitle',
      render: (title: string, d) => <Link to={`/publishing/${d.contentId}`}>{title}</Link>,
    },
    { key: 'channel', title: t('publishing.channel'), dataIndex: 'channel', width: 90, render: (c: Channel) => t(`publishing.channelNames.${c}`) },
    { key: 'version', title: t('publishing.version'), dataIndex: 'version', width: 70, render: (v: number) => `v${v}` },
    {
      key: 'status',
      title: t('publishing.status'),
      dataIndex: 'status',
      width: 100,
      render: (s: Delivery['status']) => <Tag color={DELIVERY_COLORS[s]}>{t(`publishing.deliveryStatuses.${s}`)}</Tag>,
    },
    { key: 'attempts', title: t('publishing.attempts'), dataIndex: 'attempts', width: 80, align: 'right' },
    {
      key: 'error',
      title: t('publishing.lastError'),
      dataIndex: 'lastError',
      ellipsis: true,
      render: (e: string | null) => (e ? <Typography.Text type="danger">{e}</Typography.Text> : <Typography.Text type="secondary">—</Typography.Text>),
    },
    { key: 'updated', title: t('publishing.updatedAt'), dataIndex: 'updatedAt', width: 150, render: formatDateTime },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 90,
      render: (_: unknown, d) =>
        (d.status === 'failed' || d.status === 'pending') && d.channel !== 'website' && d.contentStatus === 'published' ? (
          <Button size="small" icon={<ReloadOutlined />} loading={retry.isPending && retry.variables === d.id} onClick={() => doRetry(d)} data-testid="delivery-retry">
            {t('publishing.retry')}
          </Button>
        ) : null,
    },
  ];
  return (
    <Flex vertical gap={12}>
      <Space wrap>
        <Select
          allowClear
          placeholder={t('publishing.status')}
          style={{ width: 140 }}
          value={status}
          onChange={setStatus}
          options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`publishing.deliveryStatuses.${s}`) }))}
          data-testid="delivery-status-filter"
        />
        <Select
          allowClear
          placeholder={t('publishing.channel')}
          style={{ width: 140 }}
          value={channel}
          onChange={setChannel}
          options={CHANNELS.map((c) => ({ value: c, label: t(`publishing.channelNames.${c}`) }))}
        />
      </Space>
      {list.isError ? <Alert type="error" showIcon title={errorText(list.error)} /> : null}
      <Table<DeliveryListItem>
        rowKey="id"
        size="small"
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        columns={columns}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        locale={{ emptyText: <Empty description={t('publishing.noDeliveriesYet')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
        data-testid="delivery-table"
      />
    </Flex>
  );
}

function WebhookList() {
  const { t } = useTranslation();
  const hooks = useWebhooks(true);
  const action = useWebhookAction();
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<{ url: string; channels: Channel[] }>();
  const [error, setError] = useState<string | null>(null);

  const create = async () => {
    const v = await form.validateFields();
    setError(null);
    try {
      const r = (await action.mutateAsync({ kind: 'create', url: v.url.trim(), channels: v.channels })) as { secret: string };
      setAdding(false);
      form.resetFields();
      setSecret(r.secret);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const run = (a: Parameters<typeof action.mutate>[0], done: string) => action.mutate(a, { onSuccess: () => notifySuccess(done), onError: notifyError });

  const columns: ColumnsType<Webhook> = [
    { key: 'url', title: t('publishing.webhook.url'), dataIndex: 'url', render: (u: string) => <Typography.Text code copyable>{u}</Typography.Text> },
    {
      key: 'channels',
      title: t('publishing.channels'),
      dataIndex: 'channels',
      render: (cs: Channel[]) => cs.map((c) => <Tag key={c}>{t(`publishing.channelNames.${c}`)}</Tag>),
    },
    {
      key: 'state',
      title: t('publishing.status'),
      dataIndex: 'paused',
      width: 90,
      render: (p: boolean) => <Tag color={p ? 'default' : 'success'}>{p ? t('publishing.webhook.paused') : t('publishing.webhook.active')}</Tag>,
    },
    { key: 'secret', title: t('publishing.webhook.secret'), dataIndex: 'hasSecret', width: 110, render: (s: boolean) => (s ? t('publishing.webhook.signed') : t('publishing.webhook.unsigned')) },
    { key: 'created', title: t('publishing.webhook.createdAt'), dataIndex: 'createdAt', width: 150, render: formatDateTime },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 170,
      render: (_: unknown, w) => (
        <Space size={4}>
          <Button size="small" onClick={() => run({ kind: 'update', id: w.id, paused: !w.paused }, w.paused ? t('publishing.webhook.resumed') : t('publishing.webhook.pausedDone'))} data-testid="webhook-toggle">
            {w.paused ? t('publishing.webhook.resume') : t('publishing.webhook.pause')}
          </Button>
          <Popconfirm title={t('publishing.webhook.deleteConfirm')} onConfirm={() => run({ kind: 'delete', id: w.id }, t('publishing.webhook.deleted'))}>
            <Button size="small" danger>
              {t('publishing.webhook.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ];

  return (
    <Flex vertical gap={12}>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('publishing.webhook.intro')}
      </Typography.Paragraph>
      <div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="webhook-add">
          {t('publishing.webhook.add')}
        </Button>
      </div>
      {hooks.isError ? <Alert type="error" showIcon title={errorText(hooks.error)} /> : null}
      <Table<Webhook>
        rowKey="id"
        size="small"
        loading={hooks.isPending}
        dataSource={hooks.data?.webhooks ?? []}
        columns={columns}
        pagination={false}
        scroll={{ x: 800 }}
        locale={{ emptyText: <Empty description={t('publishing.webhook.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
        data-testid="webhook-table"
      />
      <Modal open={adding} title={t('publishing.webhook.add')} onCancel={() => setAdding(false)} onOk={create} confirmLoading={action.isPending} okButtonProps={{ 'data-testid': 'webhook-ok' } as never} forceRender>
        <Form form={form} layout="vertical" initialValues={{ channels: [] }}>
          <Form.Item name="url" label={t('publishing.webhook.url')} rules={[{ required: true, type: 'url', message: t('publishing.webhook.urlInvalid') }]}>
            <Input placeholder="https://" data-testid="webhook-url" />
          </Form.Item>
          <Form.Item name="channels" label={t('publishing.channels')} rules={[{ required: true, type: 'array', min: 1, message: t('publishing.webhook.channelsRequired') }]} extra={t('publishing.webhook.oneActive')}>
            <Checkbox.Group options={CHANNELS.filter((c) => c !== 'website').map((c) => ({ value: c, label: t(`publishing.channelNames.${c}`) }))} />
          </Form.Item>
        </Form>
        {error ? <Alert type="error" showIcon title={error} /> : null}
      </Modal>
      <Modal
        open={!!secret}
        title={t('publishing.webhook.secretTitle')}
        onCancel={() => setSecret(null)}
        footer={
          <Button type="primary" onClick={() => setSecret(null)} data-testid="secret-done">
            {t('publishing.webhook.secretDone')}
          </Button>
        }
        maskClosable={false}
        destroyOnHidden
      >
        <Flex vertical gap={12}>
          <Alert type="warning" showIcon title={t('publishing.webhook.secretOnce')} />
          {secret ? (
            <Typography.Paragraph copyable={{ text: secret }} code style={{ wordBreak: 'break-all', margin: 0 }} data-testid="webhook-secret">
              {secret}
            </Typography.Paragraph>
          ) : null}
          <Typography.Text type="secondary">{t('publishing.webhook.secretHow')}</Typography.Text>
        </Flex>
      </Modal>
    </Flex>
  );
}
