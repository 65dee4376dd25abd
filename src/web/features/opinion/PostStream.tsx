// 帖文流: posts as they arrive, newest first, under the filters in the address bar. While no end time
// is set, the page asks every 12 s for posts newer than the newest shown and offers "N 条新帖文";
// older posts come page by page ("加载更多", cursor paging).
import { ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Flex, Skeleton, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { DataState } from '../../components/DataState';
import { PostCard } from './PostCard';
import { PostFilterBar, usePostFilters } from './PostFilters';
import { useKeywordGroups } from './config.api';
import { useClusters, useNewerPosts, usePostStream } from './opinion.api';
import { periodStart } from './periods';

export function PostStream() {
  const { t } = useTranslation();
  const [filters, setFilters] = usePostFilters();
  const stream = usePostStream(filters);
  const posts = useMemo(() => stream.data?.pages.flatMap((p) => p.posts) ?? [], [stream.data]);
  const live = !filters.to;
  const newest = posts[0]?.publishedAt;
  const newer = useNewerPosts(filters, newest, live && stream.isSuccess);
  const shown = useMemo(() => new Set(posts.map((p) => p.id)), [posts]);
  const fresh = (newer.data?.posts ?? []).filter((p) => !shown.has(p.id));
  // Posts that arrived since the reader last asked, highlighted once shown.
  const [highlight, setHighlight] = useState<Set<string>>(new Set());

  const groups = useKeywordGroups();
  const groupNames = useMemo(() => new Map((groups.data?.groups ?? []).map((g) => [g.id, g.name])), [groups.data]);
  // Cluster sizes for the posts on screen (the post view does not carry them yet).
  const needSizes = posts.some((p) => p.clusterSize === undefined);
  const clusterFrom = useMemo(() => filters.from ?? periodStart('30d'), [filters.from]);
  const clusters = useClusters({ from: clusterFrom, minSize: 2, limit: 200 }, needSizes && posts.length > 0);
  const sizes = useMemo(() => new Map((clusters.data?.clusters ?? []).map((c) => [c.id, c.size])), [clusters.data]);

  const showFresh = () => {
    setHighlight(new Set(fresh.map((p) => p.id)));
    window.scrollTo({ top: 0, behavior: 'smooth' });
    void stream.refetch();
  };

  return (
    <>
      <PageHeader
        title={t('opinion.posts.title')}
        description={t('opinion.common.privacy')}
        extra={
          <Typography.Text type="secondary" className="op-live" data-testid="stream-live">
            {live ? <SyncOutlined spin={newer.isFetching} /> : null} {live ? t('opinion.posts.live') : t('opinion.posts.paused')}
          </Typography.Text>
        }
      />
      <Flex vertical gap={12}>
        <Card size="small">
          <PostFilterBar filters={filters} onChange={setFilters} />
        </Card>
        {fresh.length > 0 ? (
          <Alert
            type="info"
            showIcon
            className="op-new-banner"
            title={t('opinion.posts.newPosts', { count: fresh.length >= 200 ? 200 : fresh.length })}
            action={
              <Button size="small" type="primary" icon={<ReloadOutlined />} onClick={showFresh} data-testid="show-new-posts">
                {t('opinion.posts.showNew')}
              </Button>
            }
            data-testid="new-posts-banner"
          />
        ) : null}
        <DataState query={stream} rows={8} isEmpty={() => posts.length === 0} empty={<Card><Empty description={t('opinion.posts.empty')} /></Card>}>
          {() => (
            <Flex vertical gap={10} data-testid="post-stream" style={stream.isPlaceholderData ? { opacity: 0.5 } : undefined}>
              {posts.map((p) => (
                <PostCard key={p.id} post={p} groupNames={groupNames} clusterSize={sizes.get(p.clusterId)} fresh={highlight.has(p.id)} />
              ))}
              <Flex justify="center" align="center" gap={12} className="op-more">
                <Typography.Text type="secondary">{t('opinion.posts.shown', { count: posts.length })}</Typography.Text>
                {stream.hasNextPage ? (
                  <Button onClick={() => void stream.fetchNextPage()} loading={stream.isFetchingNextPage} data-testid="load-more">
                    {t('opinion.posts.loadMore')}
                  </Button>
                ) : (
                  <Typography.Text type="secondary">{t('opinion.posts.noMore')}</Typography.Text>
                )}
              </Flex>
              {stream.isFetchingNextPage ? <Skeleton active /> : null}
            </Flex>
          )}
        </DataState>
      </Flex>
    </>
  );
}
