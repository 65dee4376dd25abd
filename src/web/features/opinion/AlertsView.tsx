// 舆情预警: hours where a category, keyword group or claim rose well above its usual level (EWMA
// baseline), with the reason, the claim driving it and whether the webhook got it; analysts
// acknowledge them and set where alerts are pushed.
import { CheckOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Flex, Form, Input, Segmented, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { notifySuccess } from '../../lib/notify';
import { formatTime, hourTime, useCanHandle } from './labels';
import { useAckAlert, useAlertSettings, useAlerts, useSaveAlertSettings, type Alert } from './config.api';

const WEBHOOK_COLOR: Record<string, string> = { pending: 'processing', sent: 'success', failed: 'error' };

function WebhookSettings() {
  const { t } = useTranslation();
  const settings = useAlertSettings(true);
  const save = useSaveAlertSettings();
  const [form] = Form.useForm<{ url?: string; secret?: string }>();
  useEffect(() => {
    if (settings.data) form.setFieldsValue({ url: settings.data.alertWebhookUrl ?? '', secret: '' });
  }, [settings.data, form]);

  const submit = async () => {
    const v = await form.validateFields();
    await save.mutateAsync({ alertWebhookUrl: v.url?.trim() || null, ...(v.secret ? { alertWebhookSecret: v.secret } : {}) });
    form.setFieldValue('secret', '');
    notifySuccess(t('common.saved'));
  };

  return (
    <Card size="small" title={t('opinion.alerts.settings')} loading={settings.isPending} data-testid="alert-settings">
      <Typography.Paragraph type="secondary">{t('opinion.alerts.settingsHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" style={{ maxWidth: 560 }}>
        <Form.Item name="url" label={t('opinion.alerts.webhookUrl')} rules={[{ type: 'url' }, { pattern: /^https?:\/\//i }]}>
          <Input placeholder="https://" data-testid="alert-webhook-url" />
        </Form.Item>
        <Form.Item name="secret" label={t('opinion.alerts.webhookSecret')} extra={t('opinion.alerts.secretHint')} rules={[{ min: 16, max: 200 }]}>
          <Input.Password placeholder={settings.data?.hasSecret ? t('opinion.alerts.secretSet') : ''} autoComplete="new-password" />
        </Form.Item>
        <Flex gap={8} wrap>
          <Button type="primary" loading={save.isPending} onClick={() => void submit().catch(() => undefined)} data-testid="alert-settings-save">
            {t('common.save')}
          </Button>
          {settings.data?.hasSecret ? (
            <Button onClick={() => save.mutate({ alertWebhookUrl: settings.data?.alertWebhookUrl ?? null, alertWebhookSecret: null })}>{t('opinion.alerts.clearSecret')}</Button>
          ) : null}
          {settings.data?.alertWebhookUrl ? (
            <Button danger onClick={() => save.mutate({ alertWebhookUrl: null })}>
              {t('opinion.alerts.disable')}
            </Button>
          ) : null}
        </Flex>
      </Form>
    </Card>
  );
}

export function AlertsView() {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') === 'all' ? 'all' : 'open';
  const alerts = useAlerts(status);
  const ack = useAckAlert();

  const columns: ColumnsType<Alert> = [
    { key: 'hour', title: t('opinion.alerts.hour'), dataIndex: 'hour', width: 130, render: (h: string) => hourTime(h).format('MM-DD HH:00') },
    { key: 'series', title: t('opinion.alerts.series'), dataIndex: 'seriesLabel', width: 140, render: (v: string) => <Tag>{v}</Tag> },
    {
      key: 'reason',
      title: t('opinion.alerts.reason'),
      dataIndex: 'reason',
      render: (reason: string, a) => (
        <Flex vertical gap={2}>
          <span data-testid="alert-reason">{reason}</span>
          <Typography.Text type="secondary" className="op-meta">
            {t('opinion.alerts.counts', { count: a.count, baseline: a.baseline.toFixed(1) })}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      key: 'top',
      title: t('opinion.alerts.topCluster'),
      dataIndex: 'topCluster',
      width: '26%',
      render: (c: Alert['topCluster']) =>
        c ? (
          <Link to={`/opinion/clusters/${c.id}`} className="op-clamp-2">
            {t('opinion.common.withCount', { text: c.sampleText, count: c.size })}
          </Link>
        ) : (
          '—'
        ),
    },
    {
      key: 'webhook',
      title: t('opinion.alerts.webhook'),
      dataIndex: 'webhookStatus',
      width: 96,
      render: (s: string | null) => (
        <Tag color={s ? (WEBHOOK_COLOR[s] ?? 'default') : 'default'}>
          {s === 'pending' || s === 'sent' || s === 'failed' ? t(`opinion.alerts.webhookStatuses.${s}`) : s ?? t('opinion.alerts.webhookStatuses.none')}
        </Tag>
      ),
    },
    {
      key: 'ack',
      title: t('common.actions'),
      width: 130,
      render: (_: unknown, a) =>
        a.acknowledgedAt ? (
          <Typography.Text type="secondary" className="op-meta">
            {t('opinion.alerts.acked')} {formatTime(a.acknowledgedAt)}
          </Typography.Text>
        ) : canHandle ? (
          <Button size="small" icon={<CheckOutlined />} loading={ack.isPending && ack.variables === a.id} onClick={() => ack.mutate(a.id, { onSuccess: () => notifySuccess(t('opinion.alerts.ackDone')) })} data-testid="alert-ack">
            {t('opinion.alerts.ack')}
          </Button>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader
        title={t('opinion.alerts.title')}
        extra={
          <Segmented
            value={status}
            onChange={(v) => setParams(v === 'all' ? { status: 'all' } : {}, { replace: true })}
            options={[
              { value: 'open', label: t('opinion.alerts.open') },
              { value: 'all', label: t('opinion.alerts.all') },
            ]}
          />
        }
      />
      <Flex vertical gap={16}>
        <Card size="small">
          <Table<Alert>
            rowKey="id"
            size="middle"
            loading={alerts.isPending}
            columns={columns}
            dataSource={alerts.data?.alerts ?? []}
            locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={status === 'open' ? t('opinion.alerts.empty') : t('opinion.alerts.emptyAll')} /> }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: 960 }}
            data-testid="alert-table"
          />
        </Card>
        {canHandle ? <WebhookSettings /> : null}
      </Flex>
    </>
  );
}
