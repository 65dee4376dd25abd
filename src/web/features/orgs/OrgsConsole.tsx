// Org management: tree on the left, the selected org on the right (stacked on a phone).
import { Card, Col, Grid, Row } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataState } from '../../components/DataState';
import { useCurrentUser } from '../auth/session';
import { useOrgs, type Org } from './orgs.api';
import { buildOrgTree, findNode } from './orgs.tree';
import { OrgDetail } from './OrgDetail';
import { OrgFormModal, type OrgFormMode } from './OrgFormModal';
import { OrgTreePanel } from './OrgTreePanel';

export function OrgsConsole() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const orgs = useOrgs();
  const roots = useMemo(() => buildOrgTree(orgs.data ?? []), [orgs.data]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [expandedKeys, setExpandedKeys] = useState<string[]>([]);
  const [formMode, setFormMode] = useState<OrgFormMode | null>(null);
  const isPhone = Grid.useBreakpoint().md === false;
  const detailRef = useRef<HTMLDivElement>(null);

  // Start on the user's own org (else the first root), with the top two levels open.
  useEffect(() => {
    if (selectedId || roots.length === 0) return;
    setSelectedId(findNode(roots, user.orgId) ? user.orgId : roots[0]!.id);
    setExpandedKeys(roots.flatMap((root) => [root.id, ...root.children.map((c) => c.id)]));
  }, [roots, selectedId, user.orgId]);

  const selected = selectedId ? findNode(roots, selectedId) : undefined;
  const parent = selected?.parentId ? orgs.data?.find((o) => o.id === selected.parentId) : undefined;

  const select = (id: string) => {
    setSelectedId(id);
    // On a phone the detail sits below the tree: bring it into view.
    if (isPhone) requestAnimationFrame(() => detailRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
    const org = orgs.data?.find((o) => o.id === id);
    if (org?.parentId && !expandedKeys.includes(org.parentId)) setExpandedKeys([...expandedKeys, org.parentId]);
  };

  const onSaved = (org: Org) => {
    setFormMode(null);
    if (org.parentId && !expandedKeys.includes(org.parentId)) setExpandedKeys([...expandedKeys, org.parentId]);
    setSelectedId(org.id);
  };

  return (
    <DataState query={orgs} rows={8}>
      {(list) => (
        <Row gutter={[16, 16]}>
          <Col xs={24} md={10} xl={8}>
            <Card
              className="org-tree-card"
              title={t('orgs.tree')}
              extra={<span className="muted">{t('orgs.count', { count: list.length })}</span>}
            >
              <OrgTreePanel
                roots={roots}
                selectedId={selectedId}
                expandedKeys={expandedKeys}
                onExpand={setExpandedKeys}
                onSelect={select}
              />
            </Card>
          </Col>
          <Col xs={24} md={14} xl={16} ref={detailRef}>
            <OrgDetail
              node={selected}
              parent={parent}
              onAddChild={(org) => setFormMode({ type: 'create', parent: org })}
              onRename={(org) => setFormMode({ type: 'rename', org })}
              onSelect={select}
            />
          </Col>
          <OrgFormModal mode={formMode} onClose={() => setFormMode(null)} onSaved={onSaved} />
        </Row>
      )}
    </DataState>
  );
}
