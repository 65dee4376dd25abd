// 渠道预览: one tab per selected channel, showing what will go out — the public page (网站; 客户端
// and 手机报 link to it), WeChat's inline-styled article, Weibo's text with its length against the
// 2,000-character limit, the TV script with its reading time. Rendered by the server's own export
// code (POST /api/content/preview) from what is on screen, saved or not, half a second after typing
// stops. HTML previews sit in sandboxed iframes (no scripts), like the sanitised body they show.
import { Alert, Empty, Flex, Progress, Skeleton, Space, Tabs, Tag, Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/notify';
import { fetchPreview, type Channel, type Preview, type PreviewInput } from './publishing.api';

const FOLD = 140;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

export function ChannelPreview({ input, channels }: { input: Omit<PreviewInput, 'channel'>; channels: Channel[] }) {
  const { t } = useTranslation();
  const [active, setActive] = useState<Channel | undefined>(channels[0]);
  const channel = active && channels.includes(active) ? active : channels[0];
  const debounced = useDebounced(input, 500);
  const ready = !!debounced.title?.trim();
  const preview = useQuery({
    queryKey: ['publishing-preview', channel, debounced],
    queryFn: ({ signal }) => fetchPreview({ ...debounced, channel: channel! }, signal),
    enabled: !!channel && ready,
    placeholderData: (prev) => (prev?.channel === channel ? prev : undefined),
    staleTime: 30_000,
  });

  if (!channels.length) return <Empty description={t('publishing.preview.noChannels')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  const body = !ready ? (
    <Empty description={t('publishing.preview.needTitle')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
  ) : preview.isError ? (
    <Alert type="error" showIcon title={errorText(preview.error)} />
  ) : !preview.data ? (
    <Skeleton active paragraph={{ rows: 6 }} />
  ) : (
    <PreviewBody preview={preview.data} />
  );
  return (
    <Tabs
      size="small"
      activeKey={channel}
      onChange={(k) => setActive(k as Channel)}
      data-testid="channel-preview"
      items={channels.map((c) => ({ key: c, label: <span data-testid={`preview-tab-${c}`}>{t(`publishing.channelNames.${c}`)}</span>, children: c === channel ? body : null }))}
    />
  );
}

function PreviewBody({ preview }: { preview: Preview }) {
  const { t } = useTranslation();
  const { channel } = preview;
  if (channel === 'website') {
    return (
      <Flex vertical gap={6}>
        <Typography.Text type="secondary">{t('publishing.preview.website')}</Typography.Text>
        <iframe title={t('publishing.channelNames.website')} className="preview-frame" sandbox="" srcDoc={preview.body} style={{ height: 560 }} data-testid="preview-website" />
      </Flex>
    );
  }
  if (channel === 'wechat') {
    return (
      <Flex vertical gap={6}>
        <Typography.Text type="secondary">{t('publishing.preview.wechat')}</Typography.Text>
        <div className="preview-phone">
          <iframe
            title={t('publishing.channelNames.wechat')}
            sandbox=""
            srcDoc={`<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><body style="margin:0;padding:16px 12px;background:#fff">${preview.body}</body>`}
            style={{ width: '100%', height: 560, border: 0, display: 'block' }}
            data-testid="preview-wechat"
          />
        </div>
      </Flex>
    );
  }
  if (channel === 'weibo') {
    const limit = preview.limit ?? 2000;
    const chars = [...preview.body];
    return (
      <Flex vertical gap={8} data-testid="preview-weibo">
        <Flex align="center" gap={12} wrap>
          <Typography.Text strong data-testid="weibo-count">
            {t('publishing.preview.weiboCount', { count: preview.length, limit })}
          </Typography.Text>
          <Progress percent={Math.min(100, Math.round((preview.length / limit) * 100))} size="small" style={{ width: 160, margin: 0 }} status={preview.truncated ? 'exception' : 'normal'} showInfo={false} />
          {preview.truncated ? <Tag color="warning">{t('publishing.preview.weiboTruncated')}</Tag> : null}
        </Flex>
        <Typography.Text type="secondary">{t('publishing.preview.weiboFold', { fold: FOLD })}</Typography.Text>
        <pre className="preview-text">
          <mark>{chars.slice(0, FOLD).join('')}</mark>
          {chars.slice(FOLD).join('')}
        </pre>
      </Flex>
    );
  }
  return (
    <Flex vertical gap={8} data-testid={`preview-${channel}`}>
      <Space wrap>
        <Typography.Text type="secondary">{t(channel === 'tv' ? 'publishing.preview.tv' : 'publishing.preview.linkOnly')}</Typography.Text>
        {preview.minutes ? <Tag color="blue">{t('publishing.preview.minutes', { count: preview.minutes })}</Tag> : null}
        <Typography.Text type="secondary">{t('publishing.preview.chars', { count: preview.length })}</Typography.Text>
      </Space>
      <pre className="preview-text">{preview.body}</pre>
    </Flex>
  );
}
