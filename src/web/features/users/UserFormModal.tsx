// Create and edit a user. Creation sets the initial password (checked against the live policy);
// editing changes name, org, roles and the disabled flag — passwords are reset by a security admin.
import { Alert, Form, Input, Modal, Select, Switch, type ButtonProps } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLE_CODES, roleLabel } from '../../lib/labels';
import { notifySuccess } from '../../lib/notify';
import { OrgTreeSelect } from '../orgs/OrgTreeSelect';
import { passwordRules, usePasswordRule } from '../security/security.api';
import { useCreateUser, useUpdateUser, type User } from './users.api';

/** The server's rules (users.schema.ts, kernel/roles.ts), checked here first for a quicker answer. */
const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
const SEPARATED_ROLES = ['admin', 'security_admin', 'auditor'];

type Values = {
  username: string;
  displayName: string;
  orgId: string;
  roles: string[];
  password: string;
  disabled: boolean;
};

export type UserFormMode = { type: 'create'; orgId?: string } | { type: 'edit'; user: User };

export function UserFormModal({ mode, onClose }: { mode: UserFormMode | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const createUser = useCreateUser();
  const updateUser = useUpdateUser();
  const rule = usePasswordRule();
  const isCreate = mode?.type === 'create';

  useEffect(() => {
    if (!mode) return;
    form.resetFields();
    if (mode.type === 'create') {
      form.setFieldsValue({ username: '', displayName: '', orgId: mode.orgId, roles: [], password: '', disabled: false });
    } else {
      const { user } = mode;
      form.setFieldsValue({
        username: user.username,
        displayName: user.displayName,
        orgId: user.orgId,
        roles: user.roles,
        disabled: user.status === 'disabled',
      });
    }
  }, [mode, form]);

  const submit = (values: Values) => {
    if (!mode) return;
    if (mode.type === 'create') {
      createUser.mutate(
        {
          username: values.username.trim(),
          displayName: values.displayName.trim(),
          orgId: values.orgId,
          roles: values.roles,
          password: values.password,
        },
        {
          onSuccess: (user) => {
            notifySuccess(t('users.created', { name: user.displayName }));
            onClose();
          },
        },
      );
    } else {
      const { user } = mode;
      updateUser.mutate(
        {
          id: user.id,
          changes: {
            displayName: values.displayName.trim(),
            orgId: values.orgId,
            roles: values.roles,
            disabled: values.disabled,
          },
        },
        {
          onSuccess: () => {
            notifySuccess(t('users.updated'));
            onClose();
          },
        },
      );
    }
  };

  const error = isCreate ? createUser.error : updateUser.error;

  return (
    <Modal
      open={mode !== null}
      title={mode?.type === 'edit' ? t('users.editTitle', { name: mode.user.displayName }) : t('users.createTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={createUser.isPending || updateUser.isPending}
      okButtonProps={{ 'data-testid': 'user-form-submit' } as ButtonProps}
      afterClose={() => {
        createUser.reset();
        updateUser.reset();
      }}
      forceRender
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark="optional" style={{ marginTop: 16 }}>
        {error ? <Alert type="error" showIcon title={error.message || t('errors.unknown')} style={{ marginBottom: 16 }} /> : null}
        <Form.Item
          name="username"
          label={t('users.username')}
          extra={isCreate ? t('users.usernameRule') : undefined}
          rules={[
            { required: true, message: t('common.required', { field: t('users.username') }) },
            { pattern: USERNAME_PATTERN, message: t('users.usernameRule') },
          ]}
        >
          <Input data-testid="user-form-username" disabled={!isCreate} autoComplete="off" maxLength={32} />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('users.displayName')}
          rules={[{ required: true, whitespace: true, message: t('common.required', { field: t('users.displayName') }) }]}
        >
          <Input data-testid="user-form-displayName" maxLength={50} />
        </Form.Item>
        <Form.Item name="orgId" label={t('users.org')} rules={[{ required: true, message: t('common.select', { field: t('users.org') }) }]}>
          <OrgTreeSelect testId="user-form-org" />
        </Form.Item>
        <Form.Item name="roles" label={t('users.roles')} rules={[
            { required: true, type: 'array', min: 1, message: t('common.select', { field: t('users.roles') }) },
            {
              validator: async (_, roles: string[] | undefined) => {
                if ((roles ?? []).filter((r) => SEPARATED_ROLES.includes(r)).length > 1) throw new Error(t('users.separation'));
              },
            },
          ]}
        >
          <Select
            mode="multiple"
            data-testid="user-form-roles"
            options={ROLE_CODES.map((role) => ({ value: role, label: roleLabel(t, role) }))}
            optionFilterProp="label"
            placeholder={t('common.select', { field: t('users.roles') })}
          />
        </Form.Item>
        {isCreate ? (
          <Form.Item
            name="password"
            label={t('users.password')}
            extra={t('password.policyHint', rule)}
            rules={passwordRules(rule)}
          >
            <Input.Password data-testid="user-form-password" autoComplete="new-password" />
          </Form.Item>
        ) : (
          <Form.Item name="disabled" label={t('users.disabled')} valuePropName="checked" extra={t('users.disabledHint')}>
            <Switch data-testid="user-form-disabled" />
          </Form.Item>
        )}
        <button type="submit" hidden aria-hidden tabIndex={-1} />
      </Form>
    </Modal>
  );
}
