// An org picker over the caller's scope, shaped like the org tree, searchable by name.
import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { orgKindLabel } from '../../lib/labels';
import { useOrgs } from './orgs.api';
import { buildOrgTree, type OrgNode } from './orgs.tree';

type Option = { value: string; title: string; label: string; children: Option[] };

export function OrgTreeSelect({
  value,
  onChange,
  testId,
}: {
  value?: string;
  onChange?: (value: string) => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const orgs = useOrgs();
  const treeData = useMemo(() => {
    const convert = (nodes: OrgNode[]): Option[] =>
      nodes.map((node) => ({
        value: node.id,
        title: `${node.name}（${orgKindLabel(t, node.kind)}）`,
        label: node.name,
        children: convert(node.children),
      }));
    return convert(buildOrgTree(orgs.data ?? []));
  }, [orgs.data, t]);

  return (
    <TreeSelect
      value={value}
      onChange={onChange}
      treeData={treeData}
      loading={orgs.isPending}
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll={(orgs.data?.length ?? 0) <= 60}
      treeNodeLabelProp="label"
      placeholder={t('common.select', { field: t('users.org') })}
      popupMatchSelectWidth={false}
      data-testid={testId}
      style={{ width: '100%' }}
    />
  );
}
