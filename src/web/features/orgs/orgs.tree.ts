// Turns the flat, scoped org list into a tree. The caller only sees its own subtree, so an org whose
// parent is not in the list is a root.

import type { Org } from './orgs.api';

export type OrgNode = Org & { children: OrgNode[] };

const KIND_ORDER = ['district', 'township', 'community', 'village', 'department', 'media'];

function compareOrgs(a: Org, b: Org): number {
  const byKind = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  return (a.code ?? '').localeCompare(b.code ?? '') || a.name.localeCompare(b.name, 'zh-CN');
}

export function buildOrgTree(orgs: Org[]): OrgNode[] {
  const nodes = new Map<string, OrgNode>();
  for (const org of orgs) nodes.set(org.id, { ...org, children: [] });
  const roots: OrgNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const sortDeep = (list: OrgNode[]) => {
    list.sort(compareOrgs);
    for (const node of list) sortDeep(node.children);
  };
  sortDeep(roots);
  return roots;
}

/** Keeps the nodes that match and every ancestor of a match; returns the ids to expand. */
export function filterOrgTree(roots: OrgNode[], term: string): { roots: OrgNode[]; expanded: string[] } {
  const needle = term.trim().toLowerCase();
  if (!needle) return { roots, expanded: [] };
  const expanded: string[] = [];
  const visit = (node: OrgNode): OrgNode | null => {
    const children = node.children.map(visit).filter((n): n is OrgNode => n !== null);
    const matches =
      node.name.toLowerCase().includes(needle) || (node.code ?? '').toLowerCase().includes(needle);
    if (!matches && children.length === 0) return null;
    if (children.length > 0) expanded.push(node.id);
    return { ...node, children };
  };
  return { roots: roots.map(visit).filter((n): n is OrgNode => n !== null), expanded };
}

export function countDescendants(node: OrgNode): number {
  return node.children.reduce((sum, child) => sum + 1 + countDescendants(child), 0);
}

export function findNode(roots: OrgNode[], id: string): OrgNode | undefined {
  for (const node of roots) {
    if (node.id === id) return node;
    const found = findNode(node.children, id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Which kinds may be created under a parent of the given kind — the server's rule (ALLOWED_PARENTS in
 * orgs.schema.ts): district → township/street → village/community; departments under a district or
 * township; media under a district. The first entry is the usual answer.
 */
export function childKindsOf(parentKind: string): string[] {
  switch (parentKind) {
    case 'district':
      return ['township', 'department', 'media'];
    case 'township':
      return ['village', 'community', 'department'];
    default:
      return [];
  }
}

export function orgPath(orgs: Org[], id: string): Org[] {
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const path: Org[] = [];
  let current = byId.get(id);
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    path.unshift(current);
    current = current.parentId ? byId.get(current.parentId) : undefined;
  }
  return path;
}
