// One post in the stream or a cluster: its text, source and time, what the model made of it
// (category, relevance, keyword groups), its cluster and refutation, and the analyst's actions —
// label it (the model learns) or open a case. Deliberately nothing about who wrote it.
import { DisconnectOutlined, LinkOutlined, TagOutlined } from '@ant-design/icons';
import { Button, Checkbox, Flex, Popconfirm, Popover, Radio, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { notifySuccess } from '../../lib/notify';
import { CreateCaseButton } from './CreateCaseButton';
import { CategoryTag, LabelMark, RefutedBadge, RelevanceTag, formatTime, useCanHandle } from './labels';
import { CATEGORIES, useDetachPost, useLabelPost, type Category, type Post } from './opinion.api';

function LabelForm({ post, onDone }: { post: Post; onDone: () => void }) {
  const { t } = useTranslation();
  const current = post.label ?? { relevant: post.relevant, category: post.category };
  const [relevant, setRelevant] = useState(current.relevant);
  const [category, setCategory] = useState<Category>(current.category);
  const label = useLabelPost();
  const save = () =>
    label.mutate(
      { id: post.id, relevant, category: relevant ? category : 'other' },
      {
        onSuccess: () => {
          notifySuccess(t('opinion.posts.labelSaved'));
          onDone();
        },
      },
    );
  return (
    <Flex vertical gap={10} className="op-label-form" data-testid="label-form">
      <Typography.Text type="secondary">{t('opinion.posts.labelHint')}</Typography.Text>
      <div>
        <div className="op-field-label">{t('opinion.posts.labelRelevant')}</div>
        <Radio.Group
          optionType="button"
          size="small"
          value={relevant}
          onChange={(e) => setRelevant(e.target.value as boolean)}
          options={[
            { value: true, label: t('opinion.common.relevant') },
            { value: false, label: t('opinion.common.irrelevant') },
          ]}
          data-testid="label-relevant"
        />
      </div>
      <div>
        <div className="op-field-label">{t('opinion.posts.labelCategory')}</div>
        <Radio.Group
          size="small"
          value={relevant ? category : 'other'}
          disabled={!relevant}
          onChange={(e) => setCategory(e.target.value as Category)}
          options={CATEGORIES.map((c) => ({ value: c, label: t(`opinion.categories.${c}`) }))}
          data-testid="label-category"
        />
      </div>
      <Flex justify="flex-end" gap={8}>
        <Button size="small" onClick={onDone}>
          {t('common.cancel')}
        </Button>
        <Button size="small" type="primary" loading={label.isPending} onClick={save} data-testid="label-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Flex>
  );
}

function LabelButton({ post }: { post: Post }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={setOpen}
      title={t('opinion.posts.labelTitle')}
      content={open ? <LabelForm post={post} onDone={() => setOpen(false)} /> : null}
      placement="bottomRight"
      destroyOnHidden
    >
      <Button size="small" icon={<TagOutlined />} data-testid="label-open">
        {t('opinion.posts.label')}
      </Button>
    </Popover>
  );
}

/** 移出聚类: the post is another claim; it and posts like it get a cluster of their own. */
function DetachButton({ post }: { post: Post }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const detach = useDetachPost();
  return (
    <Popconfirm
      title={t('opinion.posts.detachTitle')}
      description={<div style={{ maxWidth: 300 }}>{t('opinion.posts.detachHint')}</div>}
      okText={t('opinion.posts.detach')}
      okButtonProps={{ loading: detach.isPending, ...{ 'data-testid': 'detach-confirm' } }}
      onConfirm={() =>
        detach.mutateAsync(post.id).then(({ cluster }) => {
          notifySuccess(t('opinion.posts.detached'));
          void navigate(`/opinion/clusters/${cluster.id}`);
        })
      }
    >
      <Button size="small" icon={<DisconnectOutlined />} data-testid="detach-open">
        {t('opinion.posts.detach')}
      </Button>
    </Popconfirm>
  );
}

type Props = {
  post: Post;
  /** Keyword group id → name. */
  groupNames?: Map<string, string>;
  clusterSize?: number;
  /** Hide the cluster link (inside the cluster's own page). */
  inCluster?: boolean;
  fresh?: boolean;
  /** A checkbox to pick the post (a cluster's page: posts to split off), and whether it is picked. */
  onSelect?: (checked: boolean) => void;
  selected?: boolean;
};

export function PostCard({ post, groupNames, clusterSize, inCluster, fresh, onSelect, selected }: Props) {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const size = post.clusterSize ?? clusterSize;
  return (
    <article className={fresh ? 'op-post op-post-fresh' : 'op-post'} data-testid="post-card" data-post-id={post.id}>
      <Flex justify="space-between" gap={8} wrap align="center" className="op-post-head">
        <Space size={4} wrap>
          {onSelect ? (
            <Checkbox checked={!!selected} onChange={(e) => onSelect(e.target.checked)} aria-label={t('opinion.clusters.selectPost')} data-testid="post-select" />
          ) : null}
          <CategoryTag category={post.category} />
          <RelevanceTag relevant={post.relevant} score={post.relevanceScore} />
          <RefutedBadge refuted={!!post.refutationId} />
          {post.label ? <LabelMark label={post.label} /> : null}
        </Space>
        <Typography.Text type="secondary" className="op-meta">
          <span data-testid="post-source">{post.source}</span> · <time dateTime={post.publishedAt}>{formatTime(post.publishedAt)}</time>
        </Typography.Text>
      </Flex>
      <Typography.Paragraph className="op-post-text" data-testid="post-text">
        {post.text}
      </Typography.Paragraph>
      <Flex justify="space-between" gap={8} wrap align="center">
        <Space size={[4, 4]} wrap>
          {post.groups.map((g) => (
            <Tag key={g} variant="filled" className="op-group-tag">
              {groupNames?.get(g) ?? g}
            </Tag>
          ))}
          {inCluster ? null : (
            <Link to={`/opinion/clusters/${post.clusterId}`} className="op-cluster-link" data-testid="post-cluster-link">
              {size && size > 1 ? t('opinion.common.clusterSize', { count: size }) : t('opinion.common.openCluster')}
            </Link>
          )}
          {post.url ? (
            <Typography.Link href={post.url} target="_blank" rel="noopener noreferrer nofollow" className="op-meta">
              <LinkOutlined /> {t('opinion.common.original')}
            </Typography.Link>
          ) : null}
        </Space>
        {canHandle ? (
          <Space size={6}>
            <LabelButton post={post} />
            {inCluster && size && size > 1 ? <DetachButton post={post} /> : null}
            <CreateCaseButton postId={post.id} category={post.category} text={post.text} />
          </Space>
        ) : null}
      </Flex>
    </article>
  );
}
