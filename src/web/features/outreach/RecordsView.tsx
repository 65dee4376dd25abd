// 明细记录: the records behind every total, filtered by org, period, indicator and status, newest
// first, paged by cursor (nextBefore). Corrections (delete, replace) leave a trace on the server.
import { DeleteOutlined, EditOutlined, LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Grid, Popconfirm, Select, Skeleton, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime, formatNumber } from '../../lib/format';
import { notifySuccess } from '../../lib/notify';
import { hasRole, type SessionUser } from '../auth/auth.api';
import { useCurrentUser } from '../auth/session';
import { ExportButtons } from './ExportButtons';
import { FilterBar, OrgTrail, useOutreachFilters } from './filters';
import { RECORD_STATUSES, indicatorLookup, useDeleteRecord, useIndicators, useRecords, type OutreachRecord } from './outreach.api';
import { RecordEditModal } from './RecordEditModal';
import { RecordStatusTag } from './RecordStatusTag';

const PAGE_SIZE = 50;
const CORRECTION_WINDOW_MS = 7 * 24 * 3600_000;

/** Mirrors the server's rule: publicity staff correct anything in scope; others their own recent records. */
export function mayCorrect(user: SessionUser, record: OutreachRecord): boolean {
  if (record.status === 'deleted') return false;
  if (hasRole(user, 'publicity')) return true;
  return record.createdBy === user.displayName && Date.now() - Date.parse(record.createdAt) < CORRECTION_WINDOW_MS;
}

export function RecordsView() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const compact = Grid.useBreakpoint().md === false;
  const [filters, setFilters] = useOutreachFilters();
  // Cursor paging: the `before` of each page visited, so 上一页 goes back without guessing.
  const [cursors, setCursors] = useState<Array<number | undefined>>([undefined]);
  const before = cursors[cursors.length - 1];
  const records = useRecords({ orgId: filters.orgId, from: filters.from, to: filters.to, indicator: filters.indicator, status: filters.status, limit: PAGE_SIZE, before });
  const indicators = useIndicators(true);
  const lookup = indicatorLookup(indicators.data);
  const remove = useDeleteRecord();
  const [editing, setEditing] = useState<OutreachRecord | null>(null);

  const change = (patch: Parameters<typeof setFilters>[0]) => {
    setCursors([undefined]);
    setFilters(patch);
  };

  const columns: TableColumnsType<OutreachRecord> = [
    { key: 'date', title: t('outreach.date'), dataIndex: 'date', width: 108 },
    { key: 'org', title: t('outreach.unit'), dataIndex: 'orgName' },
    { key: 'indicator', title: t('outreach.indicator'), dataIndex: 'indicator', render: (code: string) => lookup(code).name },
    {
      key: 'value',
      title: t('outreach.value'),
      dataIndex: 'value',
      align: 'right',
      render: (v: number, r) => (
        <span className={r.status === 'deleted' || r.status === 'rejected' ? 'value-void' : undefined}>
          {formatNumber(v)} {lookup(r.indicator).unit}
        </span>
      ),
    },
    {
      key: 'status',
      title: t('outreach.status'),
      dataIndex: 'status',
      render: (s: OutreachRecord['status'], r) =>
        r.reviewReason && s !== 'counted' ? (
          <Tooltip title={r.reviewReason}>
            <span>
              <RecordStatusTag status={s} />
            </span>
          </Tooltip>
        ) : (
          <RecordStatusTag status={s} />
        ),
    },
    { key: 'note', title: t('outreach.note'), dataIndex: 'note', responsive: ['lg'], ellipsis: true, render: (v: string | null) => v ?? '' },
    {
      key: 'source',
      title: t('outreach.records.source'),
      dataIndex: 'source',
      responsive: ['xl'],
      render: (v: string) => <Tag>{t(`outreach.sources.${v as 'entry'}`, { defaultValue: v })}</Tag>,
    },
    { key: 'createdBy', title: t('outreach.records.createdBy'), dataIndex: 'createdBy', responsive: ['md'] },
    { key: 'createdAt', title: t('outreach.records.createdAt'), dataIndex: 'createdAt', responsive: ['xl'], render: (v: string) => formatDateTime(v) },
    {
      key: 'actions',
      title: compact ? undefined : t('common.actions'),
      fixed: 'right',
      width: compact ? 72 : 132,
      render: (_, r) =>
        mayCorrect(user, r) ? (
          <Flex gap={0}>
            <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(r)} aria-label={t('common.edit')} data-testid={`record-edit-${r.id}`}>
              {compact ? null : t('outreach.records.correct')}
            </Button>
            <Popconfirm
              title={t('outreach.records.deleteTitle')}
              description={t('outreach.records.traceNotice')}
              okText={t('outreach.records.delete')}
              okButtonProps={{ danger: true, loading: remove.isPending }}
              onConfirm={() => remove.mutateAsync(r.id).then(() => notifySuccess(t('outreach.records.deleted')))}
            >
              <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label={t('outreach.records.delete')} data-testid={`record-delete-${r.id}`}>
                {compact ? null : t('outreach.records.delete')}
              </Button>
            </Popconfirm>
          </Flex>
        ) : null,
    },
  ];

  // On a phone one column tells the whole record, so nothing important scrolls out of sight.
  const phoneColumns: TableColumnsType<OutreachRecord> = [
    {
      key: 'record',
      title: t('outreach.records.record'),
      render: (_, r) => (
        <div className="record-cell">
          <div>
            <strong className={r.status === 'deleted' || r.status === 'rejected' ? 'value-void' : undefined}>
              {lookup(r.indicator).name} {formatNumber(r.value)} {lookup(r.indicator).unit}
            </strong>{' '}
            <RecordStatusTag status={r.status} />
          </div>
          <div className="muted">
            {r.orgName} · {r.date}
            {r.createdBy ? ` · ${r.createdBy}` : ''}
          </div>
          {r.reviewReason && r.status !== 'counted' ? <Typography.Text type="danger">{r.reviewReason}</Typography.Text> : null}
          {r.note ? <div className="muted record-note">{r.note}</div> : null}
        </div>
      ),
    },
    columns[columns.length - 1]!,
  ];

  const page = records.data;
  return (
    <>
      <PageHeader
        title={t('outreach.records.title')}
        extra={<ExportButtons orgId={filters.orgId} from={filters.from} to={filters.to} defaultView="records" />}
      />
      <Flex vertical gap={16}>
        <Card size="small">
          <FilterBar filters={filters} onChange={change}>
            <Select
              allowClear
              value={filters.indicator}
              onChange={(indicator) => change({ indicator })}
              options={(indicators.data ?? []).map((i) => ({ value: i.code, label: i.name }))}
              placeholder={t('outreach.records.allIndicators')}
              style={{ minWidth: 150 }}
              data-testid="records-indicator"
            />
            <Select
              allowClear
              value={filters.status}
              onChange={(status) => change({ status })}
              options={RECORD_STATUSES.map((s) => ({ value: s, label: t(`outreach.statuses.${s}`) }))}
              placeholder={t('outreach.records.allStatuses')}
              style={{ minWidth: 120 }}
              data-testid="records-status"
            />
          </FilterBar>
          <OrgTrail orgId={filters.orgId} onSelect={(orgId) => change({ orgId })} />
        </Card>
        <Card size="small" styles={{ body: { padding: 0 } }}>
          {records.isPending ? (
            <div style={{ padding: 16 }}>
              <Skeleton active paragraph={{ rows: 6 }} />
            </div>
          ) : (
          <Table<OutreachRecord>
            rowKey="id"
            size="middle"
            columns={compact ? phoneColumns : columns}
            dataSource={page?.records ?? []}
            loading={records.isFetching}
            pagination={false}
            scroll={{ x: 'max-content' }}
            rowClassName={(r) => (r.status === 'pending_review' ? 'row-pending' : r.status === 'deleted' || r.status === 'rejected' ? 'row-void' : '')}
            data-testid="records-table"
          />
          )}
          <Flex justify="space-between" align="center" className="records-pager">
            <Typography.Text type="secondary">
              {t('outreach.records.pageInfo', { page: cursors.length, count: page?.records.length ?? 0 })}
            </Typography.Text>
            <Flex gap={8}>
              <Button icon={<LeftOutlined />} disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))} data-testid="records-prev">
                {t('outreach.records.prev')}
              </Button>
              <Button disabled={!page?.nextBefore} onClick={() => page?.nextBefore && setCursors((c) => [...c, page.nextBefore!])} data-testid="records-next">
                {t('outreach.records.next')}
                <RightOutlined />
              </Button>
            </Flex>
          </Flex>
        </Card>
      </Flex>
      <RecordEditModal record={editing} onClose={() => setEditing(null)} />
    </>
  );
}
