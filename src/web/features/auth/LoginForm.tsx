// The login form. Server refusals (wrong password 401, locked 423, throttled 429) are shown inline,
// in the server's own words, because they tell the person what to do next.
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../lib/notify';
import { useLogin } from './session';

type Values = { username: string; password: string };

export function LoginForm({ onLoggedIn }: { onLoggedIn: () => void }) {
  const { t } = useTranslation();
  const login = useLogin();
  const [form] = Form.useForm<Values>();

  const submit = (values: Values) => {
    login.mutate(
      { username: values.username.trim(), password: values.password },
      {
        onSuccess: onLoggedIn,
        onError: () => form.setFieldValue('password', ''),
      },
    );
  };

  return (
    <Form<Values> form={form} layout="vertical" size="large" onFinish={submit} requiredMark={false} autoComplete="on">
      {login.isError ? (
        <Alert
          type="error"
          showIcon
          title={errorText(login.error)}
          style={{ marginBottom: 16 }}
          data-testid="login-error"
        />
      ) : null}
      <Form.Item
        name="username"
        label={t('login.username')}
        rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}
      >
        <Input
          prefix={<UserOutlined />}
          autoComplete="username"
          autoFocus
          data-testid="login-username"
          onChange={() => login.isError && login.reset()}
        />
      </Form.Item>
      <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
        <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
      </Form.Item>
      <Form.Item style={{ marginBottom: 8 }}>
        <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
          {t('login.submit')}
        </Button>
      </Form.Item>
    </Form>
  );
}
