// 关键词组: the lexicon posts are matched against (the built-in groups can be edited or switched off,
// not deleted), with the rule editor in a drawer.
import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Popconfirm, Space, Switch, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/PageHeader';
import { notifyError, notifySuccess } from '../../lib/notify';
import { KeywordGroupEditor } from './KeywordGroupEditor';
import { formatTime, useCanHandle } from './labels';
import { useDeleteGroup, useKeywordGroups, useSaveGroup, type KeywordGroup } from './config.api';

export function KeywordGroups() {
  const { t } = useTranslation();
  const canHandle = useCanHandle();
  const groups = useKeywordGroups();
  const toggle = useSaveGroup();
  const remove = useDeleteGroup();
  const [editing, setEditing] = useState<KeywordGroup | null | undefined>(undefined);

  const columns: ColumnsType<KeywordGroup> = [
    {
      key: 'name',
      title: t('opinion.groups.name'),
      dataIndex: 'name',
      width: 180,
      render: (v: string, g) => (
        <Space size={4} wrap>
          <strong>{v}</strong>
          <Tag color={g.builtin ? 'geekblue' : 'default'}>{g.builtin ? t('opinion.groups.builtin') : t('opinion.groups.custom')}</Tag>
        </Space>
      ),
    },
    {
      key: 'rule',
      title: t('opinion.groups.rule'),
      dataIndex: 'rule',
      render: (v: string) => (
        <Typography.Paragraph className="mono op-rule-cell" ellipsis={{ rows: 2, expandable: 'collapsible' }} style={{ margin: 0 }}>
          {v}
        </Typography.Paragraph>
      ),
    },
    {
      key: 'enabled',
      title: t('opinion.groups.enabled'),
      dataIndex: 'enabled',
      width: 80,
      render: (on: boolean, g) => (
        <Switch
          size="small"
          checked={on}
          disabled={!canHandle}
          loading={toggle.isPending && toggle.variables?.id === g.id}
          onChange={(enabled) => toggle.mutate({ id: g.id, enabled }, { onError: notifyError })}
          aria-label={t('opinion.groups.enabled')}
        />
      ),
    },
    { key: 'updated', title: t('opinion.groups.updatedAt'), dataIndex: 'updatedAt', width: 120, render: formatTime },
    ...(canHandle
      ? [
          {
            key: 'actions',
            title: t('common.actions'),
            width: 150,
            render: (_: unknown, g: KeywordGroup) => (
              <Space size={0}>
                <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(g)} data-testid="group-edit">
                  {t('common.edit')}
                </Button>
                {g.builtin ? null : (
                  <Popconfirm title={t('opinion.groups.confirmDelete', { name: g.name })} onConfirm={() => remove.mutate(g.id, { onSuccess: () => notifySuccess(t('opinion.groups.deleted')) })}>
                    <Button type="link" size="small" danger icon={<DeleteOutlined />} />
                  </Popconfirm>
                )}
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <>
      <PageHeader
        title={t('opinion.groups.title')}
        extra={
          canHandle ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="group-new">
              {t('opinion.groups.create')}
            </Button>
          ) : null
        }
      />
      <Card size="small">
        <Table<KeywordGroup>
          rowKey="id"
          size="middle"
          loading={groups.isPending}
          columns={columns}
          dataSource={groups.data?.groups ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 860 }}
          data-testid="group-table"
        />
      </Card>
      {canHandle ? <KeywordGroupEditor group={editing ?? null} open={editing !== undefined} onClose={() => setEditing(undefined)} /> : null}
    </>
  );
}
