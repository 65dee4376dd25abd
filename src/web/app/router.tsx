// Routes. Pages are lazy so the login screen and the shell load without every admin page's code.
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router';
import { AppLayout } from './AppLayout';
import { FullPageSpin, RequireRole, RequireSession } from './guards';
import { OPINION_ROLES } from './navigation';
import { NotFoundResult } from '../components/ResultPages';
import type { RoleCode } from '../lib/labels';

const LoginPage = lazy(() => import('../pages/LoginPage'));
const HomePage = lazy(() => import('../pages/HomePage'));
const OrgsPage = lazy(() => import('../pages/OrgsPage'));
const UsersPage = lazy(() => import('../pages/UsersPage'));
const SecurityPage = lazy(() => import('../pages/SecurityPage'));
const AuditPage = lazy(() => import('../pages/AuditPage'));
const JobsPage = lazy(() => import('../pages/JobsPage'));
const AccountPage = lazy(() => import('../pages/AccountPage'));
const OutreachOverviewPage = lazy(() => import('../pages/OutreachOverviewPage'));
const OutreachCoveragePage = lazy(() => import('../pages/OutreachCoveragePage'));
const OutreachRecordsPage = lazy(() => import('../pages/OutreachRecordsPage'));
const OutreachReviewPage = lazy(() => import('../pages/OutreachReviewPage'));
const OutreachImportPage = lazy(() => import('../pages/OutreachImportPage'));
const OutreachIndicatorsPage = lazy(() => import('../pages/OutreachIndicatorsPage'));
const PublishingListPage = lazy(() => import('../pages/PublishingListPage'));
const PublishingEditPage = lazy(() => import('../pages/PublishingEditPage'));
const PublishingStatsPage = lazy(() => import('../pages/PublishingStatsPage'));
const PublishingChannelsPage = lazy(() => import('../pages/PublishingChannelsPage'));
const ReportsPage = lazy(() => import('../pages/ReportsPage'));
// Opinion pages live in their feature folder; each is its own chunk.
const OpinionOverview = lazy(() => import('../features/opinion/OpinionOverview').then((m) => ({ default: m.OpinionOverview })));
const OpinionPosts = lazy(() => import('../features/opinion/PostStream').then((m) => ({ default: m.PostStream })));
const OpinionClusters = lazy(() => import('../features/opinion/ClusterList').then((m) => ({ default: m.ClusterList })));
const OpinionCluster = lazy(() => import('../features/opinion/ClusterDetail').then((m) => ({ default: m.ClusterDetail })));
const OpinionCases = lazy(() => import('../features/opinion/CaseBoard').then((m) => ({ default: m.CaseBoard })));
const OpinionRefutations = lazy(() => import('../features/opinion/RefutationLibrary').then((m) => ({ default: m.RefutationLibrary })));
const OpinionAlerts = lazy(() => import('../features/opinion/AlertsView').then((m) => ({ default: m.AlertsView })));
const OpinionSources = lazy(() => import('../features/opinion/SourcesView').then((m) => ({ default: m.SourcesView })));
const OpinionGroups = lazy(() => import('../features/opinion/KeywordGroups').then((m) => ({ default: m.KeywordGroups })));
const OpinionModel = lazy(() => import('../features/opinion/ModelQuality').then((m) => ({ default: m.ModelQuality })));

const withRoles = (roles: RoleCode[], page: ReactNode) => <RequireRole roles={roles}>{page}</RequireRole>;

export const router = createBrowserRouter([
  {
    path: '/login',
    element: (
      <Suspense fallback={<FullPageSpin />}>
        <LoginPage />
      </Suspense>
    ),
  },
  {
    path: '/',
    element: (
      <RequireSession>
        <AppLayout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <HomePage /> },
      { path: 'outreach', element: withRoles(['publicity'], <OutreachOverviewPage />) },
      { path: 'outreach/coverage', element: withRoles(['publicity'], <OutreachCoveragePage />) },
      { path: 'outreach/records', element: withRoles(['publicity'], <OutreachRecordsPage />) },
      { path: 'outreach/review', element: withRoles(['publicity'], <OutreachReviewPage />) },
      { path: 'outreach/import', element: withRoles(['publicity'], <OutreachImportPage />) },
      { path: 'outreach/indicators', element: withRoles(['admin'], <OutreachIndicatorsPage />) },
      { path: 'publishing', element: withRoles(['editor', 'reviewer', 'publicity'], <PublishingListPage />) },
      { path: 'publishing/stats', element: withRoles(['editor', 'reviewer', 'publicity'], <PublishingStatsPage />) },
      { path: 'publishing/channels', element: withRoles(['editor', 'reviewer', 'publicity', 'admin'], <PublishingChannelsPage />) },
      { path: 'publishing/new', element: withRoles(['editor', 'publicity'], <PublishingEditPage />) },
      { path: 'publishing/:id', element: withRoles(['editor', 'reviewer', 'publicity'], <PublishingEditPage />) },
      { path: 'opinion', element: withRoles(OPINION_ROLES, <OpinionOverview />) },
      { path: 'opinion/posts', element: withRoles(OPINION_ROLES, <OpinionPosts />) },
      { path: 'opinion/clusters', element: withRoles(OPINION_ROLES, <OpinionClusters />) },
      { path: 'opinion/clusters/:id', element: withRoles(OPINION_ROLES, <OpinionCluster />) },
      { path: 'opinion/cases', element: withRoles(OPINION_ROLES, <OpinionCases />) },
      { path: 'opinion/refutations', element: withRoles(OPINION_ROLES, <OpinionRefutations />) },
      { path: 'opinion/alerts', element: withRoles(OPINION_ROLES, <OpinionAlerts />) },
      { path: 'opinion/sources', element: withRoles(OPINION_ROLES, <OpinionSources />) },
      { path: 'opinion/keyword-groups', element: withRoles(OPINION_ROLES, <OpinionGroups />) },
      { path: 'opinion/model', element: withRoles(OPINION_ROLES, <OpinionModel />) },
      { path: 'reports', element: withRoles(['publicity'], <ReportsPage />) },
      { path: 'orgs', element: withRoles(['admin'], <OrgsPage />) },
      { path: 'users', element: withRoles(['admin'], <UsersPage />) },
      { path: 'security', element: withRoles(['security_admin'], <SecurityPage />) },
      { path: 'audit', element: withRoles(['auditor'], <AuditPage />) },
      { path: 'jobs', element: withRoles(['admin'], <JobsPage />) },
      { path: 'account', element: <AccountPage /> },
      { path: '*', element: <NotFoundResult /> },
    ],
  },
]);
