// The pages of the admin shell and the roles that open them. The side menu and the route guards both
// read this list, so a page is never in the menu for someone the server would refuse.
import {
  ApartmentOutlined,
  ApiOutlined,
  BranchesOutlined,
  ExperimentOutlined,
  FileSearchOutlined,
  FundViewOutlined,
  SafetyOutlined,
  SolutionOutlined,
  TagsOutlined,
  WifiOutlined,
  AlertOutlined,
  AuditOutlined,
  CheckSquareOutlined,
  BarChartOutlined,
  DashboardOutlined,
  EditOutlined,
  FileTextOutlined,
  ReadOutlined,
  FileExcelOutlined,
  HomeOutlined,
  NotificationOutlined,
  PieChartOutlined,
  SafetyCertificateOutlined,
  ScheduleOutlined,
  SendOutlined,
  SlidersOutlined,
  TableOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { RoleCode } from '../lib/labels';
import type { zhCN } from '../locales/zh-CN';

export type NavGroupKey = 'outreach' | 'publishing' | 'opinion';

export type NavItem = {
  path: string;
  labelKey: `nav.${keyof typeof zhCN.nav}`;
  icon: ReactNode;
  /** Any one of these roles opens the page; none listed means every signed-in user. */
  roles?: RoleCode[];
  /** Items of a group sit together in a sub-menu. */
  group?: NavGroupKey;
  /** A live count shown beside the label. */
  badge?: 'pendingReview';
};

export const NAV_GROUPS: Record<NavGroupKey, { labelKey: `nav.${keyof typeof zhCN.nav}`; icon: ReactNode }> = {
  outreach: { labelKey: 'nav.groupOutreach', icon: <NotificationOutlined /> },
  publishing: { labelKey: 'nav.groupPublishing', icon: <ReadOutlined /> },
  opinion: { labelKey: 'nav.groupOpinion', icon: <WifiOutlined /> },
};

/** Opinion pages: analysts handle, publicity staff read (the pages hide what they may not do). */
export const OPINION_ROLES: RoleCode[] = ['opinion_analyst', 'publicity'];

export const NAV_ITEMS: NavItem[] = [
  { path: '/', labelKey: 'nav.home', icon: <HomeOutlined /> },
  { path: '/outreach', labelKey: 'nav.outreachOverview', icon: <DashboardOutlined />, roles: ['publicity'], group: 'outreach' },
  { path: '/outreach/coverage', labelKey: 'nav.outreachCoverage', icon: <PieChartOutlined />, roles: ['publicity'], group: 'outreach' },
  { path: '/outreach/records', labelKey: 'nav.outreachRecords', icon: <TableOutlined />, roles: ['publicity'], group: 'outreach' },
  { path: '/outreach/review', labelKey: 'nav.outreachReview', icon: <CheckSquareOutlined />, roles: ['publicity'], group: 'outreach', badge: 'pendingReview' },
  { path: '/outreach/import', labelKey: 'nav.outreachImport', icon: <FileExcelOutlined />, roles: ['publicity'], group: 'outreach' },
  { path: '/outreach/indicators', labelKey: 'nav.outreachIndicators', icon: <SlidersOutlined />, roles: ['admin'], group: 'outreach' },
  { path: '/publishing', labelKey: 'nav.publishing', icon: <EditOutlined />, roles: ['editor', 'reviewer', 'publicity'], group: 'publishing' },
  { path: '/publishing/stats', labelKey: 'nav.publishingStats', icon: <BarChartOutlined />, roles: ['editor', 'reviewer', 'publicity'], group: 'publishing' },
  { path: '/publishing/channels', labelKey: 'nav.publishingChannels', icon: <SendOutlined />, roles: ['editor', 'reviewer', 'publicity', 'admin'], group: 'publishing' },
  { path: '/opinion', labelKey: 'nav.opinionOverview', icon: <FundViewOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/posts', labelKey: 'nav.opinionPosts', icon: <FileSearchOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/clusters', labelKey: 'nav.opinionClusters', icon: <BranchesOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/cases', labelKey: 'nav.opinionCases', icon: <SolutionOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/refutations', labelKey: 'nav.opinionRefutations', icon: <SafetyOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/alerts', labelKey: 'nav.opinionAlerts', icon: <AlertOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/sources', labelKey: 'nav.opinionSources', icon: <ApiOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/keyword-groups', labelKey: 'nav.opinionGroups', icon: <TagsOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/opinion/model', labelKey: 'nav.opinionModel', icon: <ExperimentOutlined />, roles: OPINION_ROLES, group: 'opinion' },
  { path: '/reports', labelKey: 'nav.reports', icon: <FileTextOutlined />, roles: ['publicity'] },
  { path: '/orgs', labelKey: 'nav.orgs', icon: <ApartmentOutlined />, roles: ['admin'] },
  { path: '/users', labelKey: 'nav.users', icon: <TeamOutlined />, roles: ['admin'] },
  { path: '/security', labelKey: 'nav.security', icon: <SafetyCertificateOutlined />, roles: ['security_admin'] },
  { path: '/audit', labelKey: 'nav.audit', icon: <AuditOutlined />, roles: ['auditor'] },
  { path: '/jobs', labelKey: 'nav.jobs', icon: <ScheduleOutlined />, roles: ['admin'] },
  { path: '/account', labelKey: 'nav.account', icon: <UserOutlined /> },
];

/** A stable test id for a menu entry: nav-home, nav-orgs, nav-outreach-review … */
export const navTestId = (path: string) => `nav-${path === '/' ? 'home' : path.slice(1).replace(/\//g, '-')}`;

export function canOpen(item: Pick<NavItem, 'roles'>, roles: string[]): boolean {
  return !item.roles || item.roles.some((role) => roles.includes(role));
}

/** The menu key for a location: the nav item whose path is the longest prefix of it. */
export function selectedNavKey(pathname: string): string {
  const match = NAV_ITEMS.filter((item) =>
    item.path === '/' ? pathname === '/' : pathname === item.path || pathname.startsWith(`${item.path}/`),
  ).sort((a, b) => b.path.length - a.path.length)[0];
  return match?.path ?? '';
}
