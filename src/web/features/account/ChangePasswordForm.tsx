// Change one's own password. A weak or wrong current password comes back from the server in its words.
import { Alert, Button, Card, Form, Input } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { errorText, notifySuccess } from '../../lib/notify';
import { changePassword } from '../auth/auth.api';
import { passwordRules, usePasswordRule } from '../security/security.api';

type Values = { currentPassword: string; newPassword: string; confirm: string };

export function ChangePasswordForm() {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const rule = usePasswordRule();
  const change = useMutation({ mutationFn: changePassword, meta: { quiet: true } });

  return (
    <Card title={t('account.changePassword')}>
      <Form<Values>
        form={form}
        layout="vertical"
        style={{ maxWidth: 420 }}
        onFinish={(values) =>
          change.mutate(
            { currentPassword: values.currentPassword, newPassword: values.newPassword },
            {
              onSuccess: () => {
                notifySuccess(t('account.passwordChanged'));
                form.resetFields();
              },
            },
          )
        }
      >
        {change.isError ? <Alert type="error" showIcon title={errorText(change.error)} style={{ marginBottom: 16 }} /> : null}
        <Form.Item
          name="currentPassword"
          label={t('account.currentPassword')}
          rules={[{ required: true, message: t('common.required', { field: t('account.currentPassword') }) }]}
        >
          <Input.Password autoComplete="current-password" data-testid="account-current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('account.newPassword')} extra={t('password.policyHint', rule)} rules={passwordRules(rule)}>
          <Input.Password autoComplete="new-password" data-testid="account-new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('common.required', { field: t('password.confirm') }) },
            ({ getFieldValue }) => ({
              validator: async (_, value) => {
                if (value && value !== getFieldValue('newPassword')) throw new Error(t('password.mismatch'));
              },
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="account-confirm-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending} data-testid="account-password-submit">
          {t('account.changePassword')}
        </Button>
      </Form>
    </Card>
  );
}
