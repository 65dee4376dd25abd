// Background jobs for an administrator: status, attempts, next run, last error, and retry.
import { ReloadOutlined, RedoOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Select, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { JobStatusTag } from '../../components/Tags';
import { formatDateTime } from '../../lib/format';
import { jobStatusLabel, jobTypeLabel } from '../../lib/labels';
import { notifySuccess } from '../../lib/notify';
import { useJobs, useRetryJob, type Job } from './jobs.api';

const STATUSES = ['queued', 'running', 'done', 'failed', 'dead'] as const;

export function JobsTable() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<string | undefined>(undefined);
  const jobs = useJobs(status);
  const retry = useRetryJob();

  const columns: TableColumnsType<Job> = [
    {
      key: 'type',
      title: t('jobs.type'),
      dataIndex: 'type',
      render: (v: string) => {
        const label = jobTypeLabel(t, v);
        return label ? (
          <span className="code-label">
            {label}
            <span className="muted mono">{v}</span>
          </span>
        ) : (
          <span className="mono">{v}</span>
        );
      },
    },
    { key: 'status', title: t('jobs.status'), dataIndex: 'status', width: 100, render: (v: string) => <JobStatusTag status={v} /> },
    {
      key: 'attempts',
      title: t('jobs.attempts'),
      width: 100,
      render: (_, job) => `${job.attempts} / ${job.maxAttempts}`,
    },
    {
      key: 'runAt',
      title: t('jobs.nextRun'),
      dataIndex: 'runAt',
      responsive: ['md'],
      render: (at: string, job) => (job.status === 'queued' || job.status === 'failed' ? formatDateTime(at) : <span className="muted">—</span>),
    },
    {
      key: 'lastError',
      title: t('jobs.lastError'),
      dataIndex: 'lastError',
      responsive: ['lg'],
      render: (v: string | null) =>
        v ? (
          <Typography.Text type="danger" ellipsis={{ tooltip: v }} style={{ maxWidth: 320 }} className="mono">
            {v}
          </Typography.Text>
        ) : null,
    },
    { key: 'updatedAt', title: t('jobs.updatedAt'), dataIndex: 'updatedAt', responsive: ['xl'], render: (at: string) => formatDateTime(at) },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 90,
      render: (_, job) =>
        job.status === 'failed' || job.status === 'dead' ? (
          <Button
            type="link"
            size="small"
            icon={<RedoOutlined />}
            loading={retry.isPending && retry.variables === job.id}
            onClick={() => retry.mutate(job.id, { onSuccess: () => notifySuccess(t('jobs.retried')) })}
            data-testid={`job-retry-${job.id}`}
          >
            {t('jobs.retry')}
          </Button>
        ) : null,
    },
  ];

  return (
    <>
      <PageHeader title={t('jobs.title')} description={t('jobs.autoRefresh')} />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Select
            value={status ?? ''}
            onChange={(value) => setStatus(value || undefined)}
            options={[
              { value: '', label: t('jobs.allStatuses') },
              ...STATUSES.map((s) => ({ value: s, label: jobStatusLabel(t, s) })),
            ]}
            style={{ width: 160 }}
            aria-label={t('jobs.status')}
          />
          <Button icon={<ReloadOutlined />} onClick={() => void jobs.refetch()} loading={jobs.isFetching}>
            {t('common.refresh')}
          </Button>
        </Flex>
        <Table<Job>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={jobs.data ?? []}
          loading={jobs.isPending}
          pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="jobs-table"
        />
      </Card>
    </>
  );
}
