// Route guards: a session for everything but /login, and the page's roles for admin pages.
import { Spin } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { SessionContext, loggedOutDeliberately, useCurrentUser, useSessionQuery } from '../features/auth/session';
import { ForbiddenResult } from '../components/ResultPages';
import { DataState } from '../components/DataState';
import type { RoleCode } from '../lib/labels';
import { canOpen } from './navigation';

export function FullPageSpin() {
  const { t } = useTranslation();
  return (
    <div className="full-page-center">
      <Spin size="large" aria-label={t('common.loading')} />
    </div>
  );
}

export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSessionQuery();
  const location = useLocation();
  if (session.isPending) return <FullPageSpin />;
  if (session.isError) {
    return (
      <div className="full-page-center">
        <DataState query={session}>{() => null}</DataState>
      </div>
    );
  }
  if (!session.data) {
    const next = location.pathname + location.search;
    const plain = next === '/' || loggedOutDeliberately();
    return <Navigate to={plain ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SessionContext.Provider value={session.data.user}>{children}</SessionContext.Provider>;
}

export function RequireRole({ roles, children }: { roles: RoleCode[]; children: ReactNode }) {
  const user = useCurrentUser();
  if (!canOpen({ roles }, user.roles)) return <ForbiddenResult />;
  return <>{children}</>;
}
