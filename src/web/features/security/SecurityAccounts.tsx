// Account security actions for a security administrator: lock, unlock, reset password.
import { KeyOutlined, LockOutlined, UnlockOutlined } from '@ant-design/icons';
import { Button, Card, Form, Input, Modal, Popconfirm, Space, Table, type ButtonProps, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { UserStatusTag } from '../../components/Tags';
import { formatDateTime, lockExpiry } from '../../lib/format';
import { notifySuccess } from '../../lib/notify';
import { useCurrentUser } from '../auth/session';
import { useOrgs } from '../orgs/orgs.api';
import { useLockUser, useResetPassword, useUnlockUser, useUsers, type User } from '../users/users.api';
import { passwordRules, usePasswordRule } from './security.api';

function ResetPasswordModal({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const reset = useResetPassword();
  const rule = usePasswordRule();
  return (
    <Modal
      open={user !== null}
      title={user ? t('security.resetTitle', { name: user.displayName }) : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={reset.isPending}
      okButtonProps={{ 'data-testid': 'reset-submit' } as ButtonProps}
      afterClose={() => form.resetFields()}
      forceRender
    >
      <Form
        form={form}
        layout="vertical"
        style={{ marginTop: 16 }}
        onFinish={({ password }) =>
          user &&
          reset.mutate(
            { id: user.id, password },
            {
              onSuccess: () => {
                notifySuccess(t('security.resetDone'));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item name="password" label={t('security.newPassword')} extra={t('password.policyHint', rule)} rules={passwordRules(rule)}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('common.required', { field: t('password.confirm') }) },
            ({ getFieldValue }) => ({
              validator: async (_, value) => {
                if (value && value !== getFieldValue('password')) throw new Error(t('password.mismatch'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}

export function SecurityAccounts() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const users = useUsers();
  const orgs = useOrgs();
  const lock = useLockUser();
  const unlock = useUnlockUser();
  const [resetting, setResetting] = useState<User | null>(null);
  const orgNames = useMemo(() => new Map((orgs.data ?? []).map((o) => [o.id, o.name])), [orgs.data]);

  const columns: TableColumnsType<User> = [
    { key: 'username', title: t('users.username'), dataIndex: 'username', render: (v: string) => <span className="mono">{v}</span> },
    { key: 'displayName', title: t('users.displayName'), dataIndex: 'displayName' },
    { key: 'org', title: t('users.org'), dataIndex: 'orgId', responsive: ['md'], render: (id: string) => orgNames.get(id) ?? '' },
    {
      key: 'status',
      title: t('users.status'),
      dataIndex: 'status',
      render: (status: string, user) => (
        <Space size={4} wrap>
          <UserStatusTag status={status} />
          {status === 'locked' ? (
            <span className="muted" style={{ fontSize: 12 }}>
              {lockExpiry(user.lockedUntil)
                ? t('security.lockedUntil', { time: lockExpiry(user.lockedUntil) })
                : t('security.lockedManually')}
            </span>
          ) : null}
        </Space>
      ),
    },
    {
      key: 'lastLogin',
      title: t('users.lastLogin'),
      dataIndex: 'lastLoginAt',
      responsive: ['lg'],
      render: (at: string | null) => (at ? formatDateTime(at) : <span className="muted">{t('common.neverLoggedIn')}</span>),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      render: (_, user) => (
        <Space size={0} wrap>
          {user.status === 'locked' ? (
            <Popconfirm
              title={t('security.unlockConfirm', { name: user.displayName })}
              okText={t('common.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() => unlock.mutateAsync(user.id).then(() => notifySuccess(t('security.unlockedDone')))}
            >
              <Button type="link" size="small" icon={<UnlockOutlined />}>
                {t('security.unlock')}
              </Button>
            </Popconfirm>
          ) : (
            <Popconfirm
              title={t('security.lockConfirm', { name: user.displayName })}
              okText={t('common.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() => lock.mutateAsync(user.id).then(() => notifySuccess(t('security.lockedDone')))}
            >
              <Button type="link" size="small" danger icon={<LockOutlined />} disabled={user.status === 'disabled' || user.id === me.id}>
                {t('security.lock')}
              </Button>
            </Popconfirm>
          )}
          <Button type="link" size="small" icon={<KeyOutlined />} onClick={() => setResetting(user)}>
            {t('security.resetPassword')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <Card title={t('security.accounts')}>
      <Table<User>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={users.data ?? []}
        loading={users.isPending}
        pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        data-testid="security-users-table"
      />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </Card>
  );
}
