// Personal API tokens: list, create (the secret is shown exactly once), revoke.
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Form, Input, Popconfirm, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../lib/format';
import { notifySuccess } from '../../lib/notify';
import { createToken, listTokens, revokeToken, type ApiToken } from '../auth/auth.api';

const tokensKey = ['auth', 'tokens'] as const;

export function ApiTokens() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: tokensKey, queryFn: listTokens });
  const [form] = Form.useForm<{ name: string }>();
  const [secret, setSecret] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: createToken,
    onSuccess: (result) => {
      setSecret(result.token);
      form.resetFields();
      void queryClient.invalidateQueries({ queryKey: tokensKey });
    },
  });
  const revoke = useMutation({
    mutationFn: revokeToken,
    onSuccess: () => {
      notifySuccess(t('account.revoked'));
      void queryClient.invalidateQueries({ queryKey: tokensKey });
    },
  });

  const columns: TableColumnsType<ApiToken> = [
    { key: 'name', title: t('account.tokenName'), dataIndex: 'name' },
    { key: 'createdAt', title: t('account.createdAt'), dataIndex: 'createdAt', responsive: ['sm'], render: (at: string) => formatDateTime(at) },
    {
      key: 'lastUsedAt',
      title: t('account.lastUsed'),
      dataIndex: 'lastUsedAt',
      render: (at: string | null) => (at ? formatDateTime(at) : <span className="muted">{t('common.neverUsed')}</span>),
    },
    {
      key: 'actions',
      title: t('common.actions'),
      width: 90,
      render: (_, token) => (
        <Popconfirm
          title={t('account.revokeConfirm', { name: token.name })}
          okText={t('common.confirm')}
          cancelText={t('common.cancel')}
          onConfirm={() => revoke.mutateAsync(token.id)}
        >
          <Button type="link" size="small" danger icon={<DeleteOutlined />}>
            {t('account.revoke')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Card title={t('account.tokens')}>
      <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>
        {t('account.tokensIntro')}
      </Typography.Paragraph>
      <Form form={form} layout="inline" onFinish={({ name }) => create.mutate(name.trim())} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item
          name="name"
          rules={[{ required: true, whitespace: true, max: 60, message: t('common.required', { field: t('account.tokenName') }) }]}
          style={{ flex: '1 1 200px' }}
        >
          <Input placeholder={t('account.tokenNamePlaceholder')} maxLength={60} data-testid="token-name" />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={create.isPending} data-testid="token-create">
          {t('account.createToken')}
        </Button>
      </Form>
      {secret ? (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('account.tokenCreated')}
          description={
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Typography.Paragraph copyable={{ text: secret }} className="token-box mono" data-testid="token-secret">
                {secret}
              </Typography.Paragraph>
              <Button size="small" onClick={() => setSecret(null)}>
                {t('account.tokenDone')}
              </Button>
            </Space>
          }
        />
      ) : null}
      <Table<ApiToken>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={tokens.data ?? []}
        loading={tokens.isPending}
        pagination={false}
        data-testid="tokens-table"
      />
    </Card>
  );
}
