// 处置工单: a board with one column per status (新建 / 核实中 / 处置中 / 已办结). Open cases are in due
// order with overdue ones in red; "我的" shows the cases assigned to me. A card opens the case drawer
// (?case=ID in the address, so a case can be linked to).
import { ClockCircleOutlined, UserOutlined } from '@ant-design/icons';
import { Badge, Card, Checkbox, Col, Empty, Flex, Row, Segmented, Skeleton, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { CASE_STATUSES, useCases, type Case, type CaseStatus } from './cases.api';
import { CaseDrawer } from './CaseDrawer';
import { CategoryTag, duration, formatTime } from './labels';

const CLOSED_SHOWN = 20;

function CaseCard({ item, onOpen }: { item: Case; onOpen: () => void }) {
  const { t } = useTranslation();
  const overdue = item.overdue;
  return (
    <Card
      size="small"
      hoverable
      onClick={onOpen}
      className={overdue ? 'op-case op-case-overdue' : 'op-case'}
      data-testid="case-card"
      data-case-id={item.id}
      data-overdue={overdue ? 'true' : 'false'}
    >
      <Flex vertical gap={6}>
        <Typography.Text className="op-clamp-2" strong>
          {item.title}
        </Typography.Text>
        <Flex justify="space-between" align="center" gap={6} wrap>
          <CategoryTag category={item.category} />
          <Typography.Text type="secondary" className="op-meta">
            <UserOutlined /> {item.assignee?.displayName ?? t('opinion.cases.unassigned')}
          </Typography.Text>
        </Flex>
        {item.status === 'closed' ? (
          <Typography.Text type="secondary" className="op-meta">
            {item.outcome ? t(`opinion.actionKinds.${item.outcome as 'no_action'}`, item.outcome) : ''} · {formatTime(item.closedAt)}
          </Typography.Text>
        ) : (
          <Typography.Text type={overdue ? 'danger' : 'secondary'} className="op-meta" data-testid="case-due">
            <ClockCircleOutlined />{' '}
            {overdue ? t('opinion.cases.overdueBy', { time: duration(t, Date.now() - Date.parse(item.dueAt)) }) : t('opinion.cases.dueAt', { time: formatTime(item.dueAt) })}
          </Typography.Text>
        )}
      </Flex>
    </Card>
  );
}

export function CaseBoard() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const mine = params.get('mine') === '1';
  const overdueOnly = params.get('overdue') === '1';
  const openId = params.get('case');
  const open = useCases({ open: 'true', assignee: mine ? 'me' : undefined, overdue: overdueOnly ? 'true' : undefined });
  const closed = useCases({ status: 'closed', assignee: mine ? 'me' : undefined });

  const set = (key: string, value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set(key, value);
      else next.delete(key);
      return next;
    });

  const columns = useMemo(() => {
    const by: Record<CaseStatus, Case[]> = { new: [], verifying: [], responding: [], closed: [] };
    for (const c of open.data?.cases ?? []) by[c.status].push(c);
    if (!overdueOnly) {
      by.closed = [...(closed.data?.cases ?? [])].sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? '')).slice(0, CLOSED_SHOWN);
    }
    return by;
  }, [open.data, closed.data, overdueOnly]);

  return (
    <>
      <PageHeader
        title={t('opinion.cases.title')}
        extra={
          <Flex gap={12} align="center" wrap>
            <Segmented
              value={mine ? 'mine' : 'all'}
              onChange={(v) => set('mine', v === 'mine' ? '1' : null)}
              options={[
                { value: 'all', label: t('opinion.cases.all') },
                { value: 'mine', label: t('opinion.cases.mine') },
              ]}
              data-testid="cases-mine"
            />
            <Checkbox checked={overdueOnly} onChange={(e) => set('overdue', e.target.checked ? '1' : null)}>
              {t('opinion.cases.overdueOnly')}
            </Checkbox>
          </Flex>
        }
      />
      <Row gutter={[12, 12]} className="op-board" data-testid="case-board">
        {CASE_STATUSES.map((status) => {
          const items = columns[status];
          const loading = status === 'closed' ? closed.isPending : open.isPending;
          const overdueCount = items.filter((c) => c.overdue).length;
          return (
            <Col key={status} xs={24} md={12} xl={6}>
              <div className="op-board-col" data-testid={`case-column-${status}`}>
                <Flex justify="space-between" align="center" className="op-board-head">
                  <Typography.Text strong>{t(`opinion.caseStatuses.${status}`)}</Typography.Text>
                  <Flex gap={6} align="center">
                    {overdueCount ? <Badge count={overdueCount} color="#f5222d" title={t('opinion.cases.overdue')} /> : null}
                    <Badge count={items.length} color="#8c8c8c" showZero overflowCount={999} />
                  </Flex>
                </Flex>
                {status === 'closed' && items.length ? (
                  <Typography.Text type="secondary" className="op-meta">
                    {t('opinion.cases.closedHint', { count: items.length })}
                  </Typography.Text>
                ) : null}
                <Flex vertical gap={8}>
                  {loading ? <Skeleton active paragraph={{ rows: 3 }} /> : null}
                  {!loading && items.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opinion.cases.empty')} /> : null}
                  {items.map((c) => (
                    <CaseCard key={c.id} item={c} onOpen={() => set('case', c.id)} />
                  ))}
                </Flex>
              </div>
            </Col>
          );
        })}
      </Row>
      <CaseDrawer id={openId} onClose={() => set('case', null)} />
    </>
  );
}
