// The audit trail for an auditor: filter by action and actor, and verify the hash chain.
import { SafetyOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Form, Input, Result, Select, Table, Tag, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { hasRole } from '../auth/auth.api';
import { useCurrentUser } from '../auth/session';
import { useOrgs } from '../orgs/orgs.api';
import { useUsers } from '../users/users.api';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { formatDateTime } from '../../lib/format';
import { auditActionLabel, auditOutcomeLabel } from '../../lib/labels';
import { useAuditEvents, useVerifyAudit, type AuditEvent, type AuditFilter } from './audit.api';

const LIMITS = [50, 100, 200, 500];

const OUTCOME_COLORS: Record<string, string> = { ok: 'success', failed: 'error', denied: 'warning' };

function VerifyResult({ verify }: { verify: ReturnType<typeof useVerifyAudit> }) {
  const { t } = useTranslation();
  if (!verify.data) return null;
  const result = verify.data;
  return result.ok ? (
    <Result
      status="success"
      title={t('audit.verifyOk', { count: result.count })}
      subTitle={t('audit.verifyOkSub')}
      style={{ padding: '16px 0' }}
      data-testid="audit-verify-ok"
    />
  ) : (
    <Result
      status="error"
      title={t('audit.verifyBroken', { seq: result.brokenAt })}
      subTitle={t('audit.verifyBrokenSub', { count: result.count, seq: result.brokenAt })}
      style={{ padding: '16px 0' }}
      data-testid="audit-verify-broken"
    />
  );
}

export function AuditLog() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<AuditFilter>({ limit: 100 });
  const events = useAuditEvents(filter);
  const verify = useVerifyAudit();
  const [form] = Form.useForm<{ action?: string; actor?: string }>();
  const user = useCurrentUser();
  // Name the targets the reader may see anyway: orgs for everyone, users for those who read users.
  const orgs = useOrgs();
  const users = useUsers({ enabled: hasRole(user, 'admin') || hasRole(user, 'security_admin') });
  const targetNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const org of orgs.data ?? []) names.set(org.id, org.name);
    for (const u of users.data ?? []) names.set(u.id, `${u.displayName}（${u.username}）`);
    return names;
  }, [orgs.data, users.data]);

  const columns: TableColumnsType<AuditEvent> = [
    { key: 'seq', title: t('audit.seq'), dataIndex: 'seq', width: 80 },
    { key: 'at', title: t('audit.at'), dataIndex: 'at', width: 180, render: (at: string) => formatDateTime(at) },
    { key: 'actor', title: t('audit.actor'), dataIndex: 'actor', render: (v: string) => <span className="mono">{v}</span> },
    {
      key: 'action',
      title: t('audit.action'),
      dataIndex: 'action',
      render: (v: string) => (
        <span className="code-label">
          {auditActionLabel(t, v)}
          <span className="muted mono">{v}</span>
        </span>
      ),
    },
    {
      key: 'target',
      title: t('audit.target'),
      dataIndex: 'target',
      responsive: ['md'],
      render: (v: string | null) => {
        if (!v) return null;
        const name = targetNames.get(v);
        return name ? (
          <span className="code-label">
            {name}
            <span className="muted mono">{v}</span>
          </span>
        ) : (
          <span className="mono">{v}</span>
        );
      },
    },
    {
      key: 'outcome',
      title: t('audit.outcome'),
      dataIndex: 'outcome',
      width: 90,
      render: (v: string) => <Tag color={OUTCOME_COLORS[v] ?? 'default'}>{auditOutcomeLabel(t, v)}</Tag>,
    },
    { key: 'ip', title: t('audit.ip'), dataIndex: 'ip', responsive: ['lg'], render: (v: string | null) => <span className="mono">{v ?? ''}</span> },
  ];

  return (
    <>
      <PageHeader
        title={t('audit.title')}
        extra={
          <Button icon={<SafetyOutlined />} onClick={() => verify.mutate()} loading={verify.isPending} data-testid="audit-verify">
            {t('audit.verify')}
          </Button>
        }
      />
      {verify.data ? (
        <Card style={{ marginBottom: 16 }}>
          <VerifyResult verify={verify} />
        </Card>
      ) : null}
      <Card>
        <Form
          form={form}
          layout="inline"
          onFinish={(values) =>
            setFilter({ limit: filter.limit, action: values.action?.trim() || undefined, actor: values.actor?.trim() || undefined })
          }
          style={{ marginBottom: 16, rowGap: 8 }}
        >
          <Form.Item name="action">
            <Input allowClear placeholder={t('audit.filterAction')} style={{ width: 220 }} data-testid="audit-filter-action" />
          </Form.Item>
          <Form.Item name="actor">
            <Input allowClear placeholder={t('audit.filterActor')} style={{ width: 180 }} data-testid="audit-filter-actor" />
          </Form.Item>
          <Form.Item>
            <Select
              value={filter.limit}
              onChange={(limit) => setFilter({ ...filter, limit })}
              options={LIMITS.map((count) => ({ value: count, label: t('audit.limitOption', { count }) }))}
              style={{ width: 140 }}
              aria-label={t('audit.limit')}
            />
          </Form.Item>
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilter({ limit: filter.limit });
              }}
            >
              {t('common.reset')}
            </Button>
          </Flex>
        </Form>
        <Table<AuditEvent>
          rowKey="seq"
          size="middle"
          columns={columns}
          dataSource={events.data ?? []}
          loading={events.isPending || events.isFetching}
          pagination={{ pageSize: 50, showSizeChanger: false, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          expandable={{
            rowExpandable: (event) => event.detail !== null && event.detail !== undefined,
            expandedRowRender: (event) => (
              <pre className="mono audit-detail" aria-label={t('audit.detail')}>
                {JSON.stringify(event.detail, null, 2)}
              </pre>
            ),
          }}
          data-testid="audit-table"
        />
      </Card>
    </>
  );
}
