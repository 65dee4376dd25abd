// Routes. Pages are lazy so the login screen and the shell load without every admin page's code.
import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router';
import { AppLayout } from './AppLayout';
import { FullPageSpin, RequireRole, RequireSession } from './guards';
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
