// 待核实: records held back from the totals because they look far out of line (above an indicator's
// per-record limit, or ten times a unit's usual value). Someone confirms them into the totals or
// sends them back, with a comment that goes into the audit trail.
import { CheckOutlined, RollbackOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Empty, Flex, Input, List, Modal, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime, formatNumber } from '../../lib/format';
import { notifySuccess } from '../../lib/notify';
import { useCurrentUser } from '../auth/session';
import { PENDING_LIMIT, indicatorLookup, useIndicators, usePendingReview, useReviewRecord, type OutreachRecord } from './outreach.api';

type Decision = { record: OutreachRecord; decision: 'confirm' | 'reject' };

export function ReviewQueue() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const pending = usePendingReview(user.orgId);
  const indicators = useIndicators(true);
  const lookup = indicatorLookup(indicators.data);
  const review = useReviewRecord();
  const [deciding, setDeciding] = useState<Decision | null>(null);
  const [comment, setComment] = useState('');

  const open = (d: Decision) => {
    setComment('');
    setDeciding(d);
  };
  const submit = () => {
    if (!deciding) return;
    review.mutate(
      { id: deciding.record.id, decision: deciding.decision, comment: comment.trim() || undefined },
      {
        onSuccess: () => {
          notifySuccess(t(deciding.decision === 'confirm' ? 'outreach.review.confirmed' : 'outreach.review.rejected'));
          setDeciding(null);
        },
      },
    );
  };

  const records = pending.data?.records ?? [];
  return (
    <>
      <PageHeader title={t('outreach.review.title')} description={t('outreach.review.intro')} />
      <Card size="small">
        {pending.isPending ? (
          <Skeleton active paragraph={{ rows: 6 }} />
        ) : pending.isError ? (
          <Alert type="warning" showIcon title={t('common.loadFailed')} />
        ) : records.length === 0 ? (
          <Empty description={t('outreach.review.empty')} data-testid="review-empty" />
        ) : (
          <>
            {pending.data?.nextBefore ? (
              <Alert type="info" showIcon title={t('outreach.review.more', { count: PENDING_LIMIT })} style={{ marginBottom: 12 }} />
            ) : null}
            <List<OutreachRecord>
              dataSource={records}
              data-testid="review-list"
              renderItem={(r) => {
                const ind = lookup(r.indicator);
                return (
                  <List.Item
                    key={r.id}
                    className="review-item"
                    actions={[
                      <Button key="confirm" type="primary" icon={<CheckOutlined />} onClick={() => open({ record: r, decision: 'confirm' })} data-testid={`review-confirm-${r.id}`}>
                        {t('outreach.review.confirm')}
                      </Button>,
                      <Button key="reject" danger icon={<RollbackOutlined />} onClick={() => open({ record: r, decision: 'reject' })} data-testid={`review-reject-${r.id}`}>
                        {t('outreach.review.reject')}
                      </Button>,
                    ]}
                  >
                    <List.Item.Meta
                      title={
                        <Flex gap={8} wrap align="baseline">
                          <span>{r.orgName}</span>
                          <Typography.Text strong className="review-value">
                            {ind.name} {formatNumber(r.value)} {ind.unit}
                          </Typography.Text>
                          <span className="muted">{r.date}</span>
                        </Flex>
                      }
                      description={
                        <>
                          <Typography.Text type="danger">{r.reviewReason ?? t('outreach.review.noReason')}</Typography.Text>
                          <div className="muted review-meta">
                            {t('outreach.review.by', { name: r.createdBy || t('common.unknown'), at: formatDateTime(r.createdAt) })}
                            {r.note ? ` · ${r.note}` : ''}
                          </div>
                        </>
                      }
                    />
                  </List.Item>
                );
              }}
            />
          </>
        )}
      </Card>
      <Modal
        open={!!deciding}
        title={deciding?.decision === 'confirm' ? t('outreach.review.confirmTitle') : t('outreach.review.rejectTitle')}
        onCancel={() => setDeciding(null)}
        onOk={submit}
        okText={deciding?.decision === 'confirm' ? t('outreach.review.confirm') : t('outreach.review.reject')}
        okButtonProps={{ danger: deciding?.decision === 'reject', 'data-testid': 'review-submit' }}
        confirmLoading={review.isPending}
        destroyOnHidden
      >
        {deciding ? (
          <Descriptions size="small" column={1} style={{ marginBottom: 12 }}>
            <Descriptions.Item label={t('outreach.unit')}>{deciding.record.orgName}</Descriptions.Item>
            <Descriptions.Item label={t('outreach.value')}>
              {lookup(deciding.record.indicator).name} {formatNumber(deciding.record.value)} {lookup(deciding.record.indicator).unit}（{deciding.record.date}）
            </Descriptions.Item>
            <Descriptions.Item label={t('outreach.review.reason')}>{deciding.record.reviewReason ?? '—'}</Descriptions.Item>
          </Descriptions>
        ) : null}
        <Input.TextArea
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          maxLength={500}
          showCount
          autoSize={{ minRows: 2, maxRows: 5 }}
          placeholder={deciding?.decision === 'reject' ? t('outreach.review.rejectPlaceholder') : t('outreach.review.commentPlaceholder')}
          data-testid="review-comment"
        />
      </Modal>
    </>
  );
}
