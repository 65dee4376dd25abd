// 图文直播: the timestamped entries of a live blog, newest first (as readers see them on the public
// page), and — for editors — a small editor to add one, at the current time or a chosen one. On a
// published live blog an entry is public at once (the blog itself was reviewed); before that it
// waits for publication with the rest.
import { Alert, Button, DatePicker, Empty, Flex, Skeleton, Timeline, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, notifySuccess } from '../../lib/notify';
import { RichEditor } from './RichEditor';
import { formatDateTime } from './time';
import { useAddLiveEntry, useLiveEntries, type Content } from './publishing.api';

export function LivePanel({ content, canWrite }: { content: Content; canWrite: boolean }) {
  const { t } = useTranslation();
  const entries = useLiveEntries(content.id);
  const add = useAddLiveEntry(content.id);
  const [body, setBody] = useState('');
  const [at, setAt] = useState<Dayjs | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A new editor after each entry, so the composer starts empty.
  const [round, setRound] = useState(0);
  const live = content.status === 'published';

  const submit = async () => {
    setError(null);
    try {
      await add.mutateAsync({ body, ...(at ? { at: at.toISOString() } : {}) });
      setBody('');
      setAt(null);
      setRound((r) => r + 1);
      notifySuccess(live ? t('publishing.live.addedLive') : t('publishing.live.added'));
    } catch (e) {
      setError(errorText(e));
    }
  };

  const list = entries.data?.entries ?? [];
  return (
    <Flex vertical gap={12} data-testid="live-panel">
      <Alert type={live ? 'success' : 'info'} showIcon title={live ? t('publishing.live.hintLive') : t('publishing.live.hintDraft')} />
      {canWrite ? (
        <Flex vertical gap={8}>
          <RichEditor key={round} value={body} onChange={setBody} compact placeholder={t('publishing.live.placeholder')} testId="live-body" />
          {error ? <Alert type="error" showIcon closable title={error} onClose={() => setError(null)} /> : null}
          <Flex gap={8} wrap align="center">
            <DatePicker showTime value={at} onChange={setAt} placeholder={t('publishing.live.atNow')} data-testid="live-at" />
            <Button type="primary" onClick={submit} loading={add.isPending} disabled={!body.trim()} data-testid="live-add">
              {t('publishing.live.add')}
            </Button>
          </Flex>
        </Flex>
      ) : null}
      <Typography.Text type="secondary">{t('publishing.live.count', { count: list.length })}</Typography.Text>
      {entries.isPending ? (
        <Skeleton active />
      ) : entries.isError ? (
        <Alert type="error" showIcon title={errorText(entries.error)} />
      ) : list.length === 0 ? (
        <Empty description={t('publishing.live.empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <Timeline
          data-testid="live-entries"
          items={list.map((e) => ({
            key: e.id,
            color: 'red',
            content: (
              <Flex vertical gap={2}>
                <Typography.Text strong style={{ color: '#b71c1c' }}>
                  {formatDateTime(e.at)}
                  {e.authorName ? <Typography.Text type="secondary"> · {e.authorName}</Typography.Text> : null}
                </Typography.Text>
                <div className="publishing-html" data-testid="live-entry" dangerouslySetInnerHTML={{ __html: e.body }} />
              </Flex>
            ),
          }))}
        />
      )}
    </Flex>
  );
}
