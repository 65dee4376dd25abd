// The searchable org tree. Matching text is highlighted; a search expands the path to every match.
import { Empty, Input, Tree, type TreeDataNode } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { OrgKindTag } from '../../components/Tags';
import { filterOrgTree, type OrgNode } from './orgs.tree';

function highlight(text: string, term: string): ReactNode {
  const needle = term.trim();
  if (!needle) return text;
  const index = text.toLowerCase().indexOf(needle.toLowerCase());
  if (index < 0) return text;
  return (
    <>
      {text.slice(0, index)}
      <span className="org-tree-match">{text.slice(index, index + needle.length)}</span>
      {text.slice(index + needle.length)}
    </>
  );
}

function toTreeData(nodes: OrgNode[], term: string): TreeDataNode[] {
  return nodes.map((node) => ({
    key: node.id,
    title: (
      <span className="org-tree-title" data-testid="org-node" data-org-name={node.name}>
        <OrgKindTag kind={node.kind} />
        {highlight(node.name, term)}
      </span>
    ),
    children: toTreeData(node.children, term),
  }));
}

export function OrgTreePanel({
  roots,
  selectedId,
  expandedKeys,
  onExpand,
  onSelect,
}: {
  roots: OrgNode[];
  selectedId: string | null;
  expandedKeys: string[];
  onExpand: (keys: string[]) => void;
  onSelect: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [term, setTerm] = useState('');
  const filtered = useMemo(() => filterOrgTree(roots, term), [roots, term]);
  const treeData = useMemo(() => toTreeData(filtered.roots, term), [filtered, term]);
  const searching = term.trim().length > 0;

  return (
    <>
      <Input.Search
        allowClear
        placeholder={t('orgs.searchPlaceholder')}
        value={term}
        onChange={(e) => setTerm(e.target.value)}
        style={{ marginBottom: 12 }}
        data-testid="org-search"
      />
      <div className="org-tree">
        {treeData.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={searching ? t('orgs.noMatch') : t('common.empty')} />
        ) : (
          <Tree
            blockNode
            showLine
            treeData={treeData}
            selectedKeys={selectedId ? [selectedId] : []}
            expandedKeys={searching ? filtered.expanded : expandedKeys}
            onExpand={(keys) => {
              if (!searching) onExpand(keys.map(String));
            }}
            onSelect={(keys) => {
              if (keys.length > 0) onSelect(String(keys[0]));
            }}
            data-testid="org-tree"
          />
        )}
      </div>
    </>
  );
}
