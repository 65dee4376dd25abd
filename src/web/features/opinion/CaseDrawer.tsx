// One case in a drawer beside the board: what it is about, status, assignee and due time (analysts can
// change them), the action form, the referral sheet once a lead went to the regulator, and the full
// history of what was done, by whom and when.
import { DownloadOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Descriptions, Drawer, Flex, Grid, Select, Space, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Link } from 'react-router';
import { DataState } from '../../components/DataState';
import { notifyError, notifySuccess } from '../../lib/notify';
import { CaseActionForm } from './CaseActionForm';
import { TRANSITIONS, downloadReferral, useAssignees, useCase, useUpdateCase, type CaseDetail, type CaseHistoryEntry, type CaseStatus } from './cases.api';
import { useRefutations } from './config.api';
import { CaseStatusTag, CategoryTag, duration, formatTime, useCanHandle } from './labels';

const HISTORY_COLOR: Partial<Record<CaseHistoryEntry['kind'], string>> = {
  created: 'gray',
  status: 'blue',
  assign: 'blue',
  publish_refutation: 'green',
  answer_concern: 'green',
  refer_regulator: 'orange',
  request_removal: 'red',
  no_action: 'gray',
};

function statusName(t: TFunction, s: unknown): string {
  return typeof s === 'string' && ['new', 'verifying', 'responding', 'closed'].includes(s) ? t(`opinion.caseStatuses.${s as CaseStatus}`) : String(s ?? '');
}

function HistoryEntry({ entry, names, claims }: { entry: CaseHistoryEntry; names: Map<string, string>; claims: Map<string, string> }) {
  const { t } = useTranslation();
  const d = entry.detail ?? {};
  const lines: string[] = [];
  if (entry.kind === 'status') lines.push(t('opinion.cases.from', { from: statusName(t, d.from), to: statusName(t, d.to) }));
  if (entry.kind === 'assign') lines.push(d.to ? t('opinion.cases.assignedTo', { name: names.get(String(d.to)) ?? '' }) : t('opinion.cases.unassigned'));
  if (typeof d.refutationId === 'string') lines.push(t('opinion.common.field', { label: t('opinion.cases.claim'), value: claims.get(d.refutationId) ?? d.refutationId.slice(0, 8) }));
  if (typeof d.regulator === 'string') lines.push(t('opinion.common.field', { label: t('opinion.cases.regulator'), value: d.regulator }));
  if (typeof d.platform === 'string') lines.push(t('opinion.common.field', { label: t('opinion.cases.platform'), value: d.platform }));
  if (typeof d.reason === 'string') lines.push(t('opinion.common.field', { label: t('opinion.cases.reason'), value: d.reason }));
  return (
    <div data-testid="case-history-entry" data-kind={entry.kind}>
      <Typography.Text strong>{t(`opinion.actionKinds.${entry.kind}`)}</Typography.Text>
      <Typography.Text type="secondary" className="op-meta" style={{ marginInlineStart: 8 }}>
        {entry.by} · {formatTime(entry.at)}
      </Typography.Text>
      {lines.map((l) => (
        <div key={l} className="op-history-line">
          {l}
        </div>
      ))}
      {entry.note ? <div className="op-history-note">{entry.note}</div> : null}
    </div>
  );
}

function CaseBody({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const item = detail.case;
  const assignees = useAssignees();
  const refutations = useRefutations();
  const update = useUpdateCase(item.id);
  const names = useMemo(() => new Map((assignees.data?.users ?? []).map((u) => [u.id, u.displayName])), [assignees.data]);
  const claims = useMemo(() => new Map((refutations.data?.refutations ?? []).map((r) => [r.id, r.claim])), [refutations.data]);
  const referred = detail.actions.some((a) => a.kind === 'refer_regulator');
  const refutation = item.refutationId ? claims.get(item.refutationId) : undefined;

  const patch = (body: Parameters<typeof update.mutate>[0], done?: string) => update.mutate(body, { onSuccess: () => done && notifySuccess(done) });
  const referral = () => downloadReferral(item.id).catch(notifyError);

  return (
    <Flex vertical gap={16}>
      <Flex vertical gap={6}>
        <Space size={4} wrap>
          <CaseStatusTag status={item.status} />
          <CategoryTag category={item.category} />
          {item.overdue ? (
            <Tag color="error" data-testid="case-overdue">
              {t('opinion.cases.overdueBy', { time: duration(t, Date.now() - Date.parse(item.dueAt)) })}
            </Tag>
          ) : null}
        </Space>
        <Typography.Title level={5} style={{ margin: 0 }} data-testid="case-title-text">
          {item.title}
        </Typography.Title>
      </Flex>

      <Descriptions
        size="small"
        column={1}
        bordered
        items={[
          {
            key: 'status',
            label: t('opinion.cases.status'),
            children: canHandle ? (
              <Select<CaseStatus>
                value={item.status}
                style={{ width: 180 }}
                onChange={(status) => patch({ status })}
                loading={update.isPending}
                options={[item.status, ...TRANSITIONS[item.status]].map((s) => ({ value: s, label: s === item.status ? t(`opinion.caseStatuses.${s}`) : `${t('opinion.cases.changeStatus')} ${t(`opinion.caseStatuses.${s}`)}` }))}
                data-testid="case-status-select"
              />
            ) : (
              <CaseStatusTag status={item.status} />
            ),
          },
          {
            key: 'assignee',
            label: t('opinion.cases.assignee'),
            children: canHandle ? (
              <Select
                allowClear
                value={item.assignee?.id}
                placeholder={t('opinion.cases.unassigned')}
                style={{ width: 180 }}
                onChange={(v?: string) => patch({ assigneeId: v ?? null })}
                options={(assignees.data?.users ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
                data-testid="case-assignee"
              />
            ) : (
              (item.assignee?.displayName ?? t('opinion.cases.unassigned'))
            ),
          },
          {
            key: 'due',
            label: t('opinion.cases.due'),
            children: canHandle && item.status !== 'closed' ? (
              <DatePicker
                showTime={{ format: 'HH:mm' }}
                format="YYYY-MM-DD HH:mm"
                allowClear={false}
                value={dayjs(item.dueAt)}
                status={item.overdue ? 'error' : undefined}
                onChange={(d) => d && patch({ dueAt: d.toISOString() }, t('opinion.cases.dueSaved'))}
              />
            ) : (
              formatTime(item.dueAt)
            ),
          },
          {
            key: 'linked',
            label: t('opinion.cases.linked'),
            children: (
              <Space wrap>
                {item.clusterId ? <Link to={`/opinion/clusters/${item.clusterId}`} data-testid="case-cluster-link">{t('opinion.common.cluster')}</Link> : null}
                {item.postId ? <Link to={`/opinion/posts?clusterId=${item.clusterId ?? ''}`}>{t('opinion.cases.post')}</Link> : null}
                {!item.clusterId && !item.postId ? '—' : null}
              </Space>
            ),
          },
          ...(item.refutationId ? [{ key: 'ref', label: t('opinion.clusters.refutation'), children: refutation ?? '—' }] : []),
          ...(item.outcome ? [{ key: 'outcome', label: t('opinion.cases.outcome'), children: t(`opinion.actionKinds.${item.outcome as 'no_action'}`, item.outcome) }] : []),
        ]}
      />

      {referred ? (
        <Button icon={<DownloadOutlined />} onClick={() => void referral()} data-testid="download-referral">
          {t('opinion.cases.downloadReferral')}
        </Button>
      ) : null}

      <Card size="small" title={t('opinion.cases.history')}>
        <Timeline
          data-testid="case-history"
          items={[...detail.actions].reverse().map((a) => ({ key: a.id, color: HISTORY_COLOR[a.kind] ?? 'blue', content: <HistoryEntry entry={a} names={names} claims={claims} /> }))}
        />
      </Card>

      {canHandle ? (
        <Card size="small" title={t('opinion.cases.recordAction')}>
          <Alert type="info" showIcon title={t('opinion.cases.contentOnly')} style={{ marginBottom: 12 }} />
          <CaseActionForm item={item} />
        </Card>
      ) : null}

    </Flex>
  );
}

export function CaseDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const detail = useCase(id ?? undefined);
  return (
    <Drawer open={!!id} onClose={onClose} title={t('opinion.cases.detail')} size={screens.md ? 640 : '100%'} destroyOnHidden data-testid="case-drawer">
      {id ? <DataState query={detail}>{(d) => <CaseBody detail={d} />}</DataState> : null}
    </Drawer>
  );
}
