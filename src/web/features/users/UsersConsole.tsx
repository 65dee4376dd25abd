// User management: the user table (searchable, by org) with create and edit.
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Grid, Input, Table, Tooltip, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { RoleTags, UserStatusTag } from '../../components/Tags';
import { formatDateTime, lockExpiry } from '../../lib/format';
import { userStatusLabel } from '../../lib/labels';
import { useOrgs } from '../orgs/orgs.api';
import { useUsers, type User } from './users.api';
import { UserFormModal, type UserFormMode } from './UserFormModal';

export function UsersConsole() {
  const { t } = useTranslation();
  const users = useUsers();
  const orgs = useOrgs();
  const compact = Grid.useBreakpoint().sm === false; // phone: icon-only row actions
  const [term, setTerm] = useState('');
  const [formMode, setFormMode] = useState<UserFormMode | null>(null);

  const orgNames = useMemo(() => new Map((orgs.data ?? []).map((o) => [o.id, o.name])), [orgs.data]);
  const rows = useMemo(() => {
    const needle = term.trim().toLowerCase();
    const list = users.data ?? [];
    if (!needle) return list;
    return list.filter(
      (u) =>
        u.username.toLowerCase().includes(needle) ||
        u.displayName.toLowerCase().includes(needle) ||
        (orgNames.get(u.orgId) ?? '').toLowerCase().includes(needle),
    );
  }, [users.data, term, orgNames]);

  const columns: TableColumnsType<User> = [
    { key: 'username', title: t('users.username'), dataIndex: 'username', render: (v: string) => <span className="mono">{v}</span> },
    { key: 'displayName', title: t('users.displayName'), dataIndex: 'displayName' },
    {
      key: 'org',
      title: t('users.org'),
      dataIndex: 'orgId',
      responsive: ['md'],
      render: (orgId: string) => orgNames.get(orgId) ?? <span className="muted">{t('common.unknown')}</span>,
    },
    { key: 'roles', title: t('users.roles'), dataIndex: 'roles', responsive: ['lg'], render: (roles: string[]) => <RoleTags roles={roles} /> },
    {
      key: 'status',
      title: t('users.status'),
      dataIndex: 'status',
      filters: (['active', 'locked', 'disabled'] as const).map((s) => ({ text: userStatusLabel(t, s), value: s })),
      onFilter: (value, user) => user.status === value,
      render: (status: string, user) =>
        status === 'locked' ? (
          <Tooltip
            title={
              lockExpiry(user.lockedUntil)
                ? t('security.lockedUntil', { time: lockExpiry(user.lockedUntil) })
                : t('security.lockedManually')
            }
          >
            <span>
              <UserStatusTag status={status} />
            </span>
          </Tooltip>
        ) : (
          <UserStatusTag status={status} />
        ),
    },
    {
      key: 'lastLogin',
      title: t('users.lastLogin'),
      dataIndex: 'lastLoginAt',
      responsive: ['xl'],
      sorter: (a, b) => (a.lastLoginAt ?? '').localeCompare(b.lastLoginAt ?? ''),
      render: (at: string | null) => (at ? formatDateTime(at) : <span className="muted">{t('common.neverLoggedIn')}</span>),
    },
    {
      key: 'actions',
      title: compact ? undefined : t('common.actions'),
      width: compact ? 40 : 88,
      render: (_, user) => (
        <Button
          type="link"
          size="small"
          icon={<EditOutlined />}
          aria-label={t('common.edit')}
          onClick={() => setFormMode({ type: 'edit', user })}
          data-testid={`user-edit-${user.username}`}
        >
          {compact ? null : t('common.edit')}
        </Button>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title={t('users.title')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setFormMode({ type: 'create' })} data-testid="user-create">
            {t('users.create')}
          </Button>
        }
      />
      <Card>
        <Flex justify="space-between" align="center" gap={12} wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            placeholder={t('users.searchPlaceholder')}
            value={term}
            onChange={(e) => setTerm(e.target.value)}
            style={{ maxWidth: 320 }}
          />
          <span className="muted">{t('common.total', { count: rows.length })}</span>
        </Flex>
        <Table<User>
          rowKey="id"
          columns={columns}
          dataSource={rows}
          loading={users.isPending || users.isFetching}
          pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          data-testid="users-table"
        />
      </Card>
      <UserFormModal mode={formMode} onClose={() => setFormMode(null)} />
    </>
  );
}
