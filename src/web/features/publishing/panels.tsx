// The editor's side panels: 审核意见, 版本 (with a unified diff between two versions) and 分发
// (deliveries per channel, 确认已发布, and the per-channel export in a modal with copy).
import { Button, Empty, Flex, Input, List, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, notifyError, notifySuccess } from '../../lib/notify';
import { formatDateTime } from './time';
import { fetchDiff, fetchExport, useConfirmDelivery, useContentAction, useRetryDelivery, useVersions, type Channel, type Comment, type Content, type Delivery } from './publishing.api';
import { DELIVERY_COLORS } from './PublishingChannels';

export function CommentsPanel({ id, comments }: { id: string; comments: Comment[] }) {
  const { t } = useTranslation();
  const action = useContentAction(id);
  const [text, setText] = useState('');
  const add = async () => {
    try {
      await action.mutateAsync({ action: 'comment', body: { body: text } });
      setText('');
    } catch (e) {
      notifyError(e);
    }
  };
  return (
    <Flex vertical gap={8}>
      <List
        size="small"
        dataSource={comments}
        locale={{ emptyText: t('common.empty') }}
        renderItem={(c) => (
          <List.Item>
            <List.Item.Meta title={`${c.author} · ${formatDateTime(c.createdAt)}`} description={<span style={{ whiteSpace: 'pre-wrap' }}>{c.body}</span>} />
          </List.Item>
        )}
      />
      <Input.TextArea value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 2 }} maxLength={2000} placeholder={t('publishing.commentPlaceholder')} />
      <Button onClick={add} disabled={!text.trim()} loading={action.isPending}>
        {t('publishing.addComment')}
      </Button>
    </Flex>
  );
}

export function VersionsPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const versions = useVersions(id);
  const list = versions.data?.versions ?? [];
  const [from, setFrom] = useState<number | undefined>();
  const [to, setTo] = useState<number | undefined>();
  const [diff, setDiff] = useState<string | null>(null);
  const sorted = [...list].sort((a, b) => a.version - b.version);
  const a = from ?? sorted[sorted.length - 2]?.version;
  const b = to ?? sorted[sorted.length - 1]?.version;
  const compare = async () => {
    if (!a || !b) return;
    try {
      setDiff((await fetchDiff(id, a, b)).diff);
    } catch (e) {
      setDiff(errorText(e));
    }
  };
  const options = sorted.map((v) => ({ value: v.version, label: `v${v.version}` }));
  return (
    <Flex vertical gap={8}>
      <List
        size="small"
        loading={versions.isPending}
        dataSource={[...sorted].reverse()}
        renderItem={(v) => (
          <List.Item>
            <Typography.Text strong>v{v.version}</Typography.Text> {v.title}
            <Typography.Text type="secondary">
              {' '}
              · {v.editedBy} · {formatDateTime(v.createdAt)}
              {v.note ? ` · ${v.note}` : ''}
            </Typography.Text>
          </List.Item>
        )}
      />
      {sorted.length >= 2 ? (
        <Space wrap>
          <Select value={a} onChange={setFrom} options={options} style={{ width: 90 }} />
          →
          <Select value={b} onChange={setTo} options={options} style={{ width: 90 }} />
          <Button onClick={compare}>{t('publishing.compare')}</Button>
        </Space>
      ) : null}
      {diff !== null ? (
        <pre className="diff-block" style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 12, background: '#f6f8fa', padding: 8, overflow: 'auto', maxHeight: 400, whiteSpace: 'pre' }} data-testid="version-diff">
          {diff || t('publishing.noDiff')}
        </pre>
      ) : null}
    </Flex>
  );
}


export function DeliveriesPanel({ content, deliveries }: { content: Content; deliveries: Delivery[] }) {
  const { t } = useTranslation();
  const confirm = useConfirmDelivery();
  const retry = useRetryDelivery();
  const canRetry = (d: Delivery) => (d.status === 'failed' || d.status === 'pending') && d.channel !== 'website' && content.status === 'published';
  const [exported, setExported] = useState<{ channel: Channel; body: string } | null>(null);
  const openExport = async (channel: Channel) => {
    try {
      setExported({ channel, body: (await fetchExport(content.id, channel)).body });
    } catch (e) {
      notifyError(e);
    }
  };
  const copy = async () => {
    if (!exported) return;
    try {
      await navigator.clipboard.writeText(exported.body);
      notifySuccess(t('publishing.copied'));
    } catch (e) {
      notifyError(e);
    }
  };
  return (
    <Flex vertical gap={8}>
      {deliveries.length ? (
        <Table<Delivery>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={deliveries}
          columns={[
            { key: 'channel', title: t('publishing.channel'), dataIndex: 'channel', render: (c: Channel) => t(`publishing.channelNames.${c}`) },
            { key: 'version', title: t('publishing.version'), dataIndex: 'version', render: (v: number) => `v${v}` },
            {
              key: 'status',
              title: t('publishing.status'),
              dataIndex: 'status',
              render: (s: Delivery['status'], d) => (
                <Space size={4} wrap>
                  <Tag color={DELIVERY_COLORS[s]}>{t(`publishing.deliveryStatuses.${s}`)}</Tag>
                  {d.lastError ? <Typography.Text type="danger">{d.lastError}</Typography.Text> : null}
                </Space>
              ),
            },
            {
              key: 'actions',
              title: t('common.actions'),
              render: (_: unknown, d) =>
                d.status === 'confirmed' ? (
                  formatDateTime(d.confirmedAt)
                ) : (
                  <Space size={4} wrap>
                    <Button size="small" loading={confirm.isPending && confirm.variables === d.id} onClick={() => confirm.mutate(d.id, { onError: notifyError })}>
                      {t('publishing.confirmDelivery')}
                    </Button>
                    {canRetry(d) ? (
                      <Button
                        size="small"
                        loading={retry.isPending && retry.variables === d.id}
                        onClick={() => retry.mutate(d.id, { onSuccess: (r) => notifySuccess(r.hasEndpoint ? t('publishing.retryQueued') : t('publishing.retryNoEndpoint')), onError: notifyError })}
                        data-testid="delivery-retry"
                      >
                        {t('publishing.retry')}
                      </Button>
                    ) : null}
                  </Space>
                ),
            },
          ]}
        />
      ) : (
        <Empty description={t('publishing.noDeliveries')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      )}
      <Typography.Text type="secondary">{t('publishing.exportHint')}</Typography.Text>
      <Space wrap>
        {content.channels.map((c) => (
          <Button key={c} size="small" onClick={() => openExport(c)}>
            {t('publishing.exportFor', { channel: t(`publishing.channelNames.${c}`) })}
          </Button>
        ))}
      </Space>
      <Modal
        open={!!exported}
        title={exported ? t('publishing.exportFor', { channel: t(`publishing.channelNames.${exported.channel}`) }) : ''}
        onCancel={() => setExported(null)}
        footer={[
          <Button key="copy" type="primary" onClick={copy}>
            {t('publishing.copy')}
          </Button>,
          <Button key="close" onClick={() => setExported(null)}>
            {t('common.cancel')}
          </Button>,
        ]}
        width={720}
      >
        <Input.TextArea readOnly value={exported?.body ?? ''} autoSize={{ minRows: 8, maxRows: 24 }} style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace' }} />
      </Modal>
    </Flex>
  );
}
