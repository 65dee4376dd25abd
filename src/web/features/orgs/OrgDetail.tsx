// The selected org: its facts, its direct children, and the add-child / rename actions.
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Empty, Table, Tooltip, Typography } from 'antd';
import { orgKindLabel } from '../../lib/labels';
import { useTranslation } from 'react-i18next';
import { OrgKindTag } from '../../components/Tags';
import type { Org } from './orgs.api';
import { childKindsOf, countDescendants, type OrgNode } from './orgs.tree';

export function OrgDetail({
  node,
  parent,
  onAddChild,
  onRename,
  onSelect,
}: {
  node: OrgNode | undefined;
  parent: Org | undefined;
  onAddChild: (org: Org) => void;
  onRename: (org: Org) => void;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  if (!node) {
    return (
      <Card>
        <Empty description={t('orgs.selectHint')} />
      </Card>
    );
  }
  const canHaveChildren = childKindsOf(node.kind).length > 0;
  return (
    <Card
      title={
        <span data-testid="org-detail-title">
          <OrgKindTag kind={node.kind} />
          {node.name}
        </span>
      }
      extra={
        <Button icon={<EditOutlined />} onClick={() => onRename(node)} data-testid="org-rename">
          {t('orgs.rename')}
        </Button>
      }
    >
      <Descriptions column={{ xs: 1, sm: 2 }} size="small" bordered>
        <Descriptions.Item label={t('orgs.name')}>{node.name}</Descriptions.Item>
        <Descriptions.Item label={t('orgs.kind')}>
          <OrgKindTag kind={node.kind} />
        </Descriptions.Item>
        <Descriptions.Item label={t('orgs.code')}>
          {node.code ? <Typography.Text copyable>{node.code}</Typography.Text> : <span className="muted">{t('common.none')}</span>}
        </Descriptions.Item>
        <Descriptions.Item label={t('orgs.parent')}>
          {parent ? parent.name : <span className="muted">{t('common.none')}</span>}
        </Descriptions.Item>
        <Descriptions.Item label={t('orgs.children')}>{node.children.length}</Descriptions.Item>
        <Descriptions.Item label={t('orgs.descendants')}>{countDescendants(node)}</Descriptions.Item>
      </Descriptions>

      <div className="org-children-head">
        <Typography.Text strong>{t('orgs.children')}</Typography.Text>
        <Tooltip title={canHaveChildren ? undefined : t('orgs.noChildKinds', { kind: orgKindLabel(t, node.kind) })}>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => onAddChild(node)}
            disabled={!canHaveChildren}
            data-testid="org-add-child"
          >
            {t('orgs.addChild')}
          </Button>
        </Tooltip>
      </div>
      <Table<Org & { childCount: number }>
        size="small"
        rowKey="id"
        // Plain rows: a `children` field would make antd draw a tree table.
        dataSource={node.children.map(({ children, ...org }) => ({ ...org, childCount: children.length }))}
        pagination={node.children.length > 10 ? { pageSize: 10, size: 'small' } : false}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('common.empty')} /> }}
        onRow={(child) => ({ onClick: () => onSelect(child.id), style: { cursor: 'pointer' } })}
        columns={[
          { key: 'kind', title: t('orgs.kind'), width: 110, render: (_, child) => <OrgKindTag kind={child.kind} /> },
          { key: 'name', title: t('orgs.name'), dataIndex: 'name' },
          {
            key: 'code',
            title: t('orgs.code'),
            dataIndex: 'code',
            responsive: ['sm'],
            render: (code: string | null) => (code ? <span className="mono">{code}</span> : null),
          },
        ]}
      />
    </Card>
  );
}
