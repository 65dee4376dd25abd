import { Card, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { LoginForm } from '../features/auth/LoginForm';
import { useSessionQuery } from '../features/auth/session';

/** Only same-site paths: `?next=//evil.example` must not become an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const session = useSessionQuery();
  const next = safeNext(params.get('next'));

  useEffect(() => {
    document.title = `${t('login.title')} - ${t('app.name')}`;
  }, [t]);

  if (session.data) return <Navigate to={next} replace />;

  return (
    <div className="login-page">
      <div className="login-lang">
        <LanguageSwitch />
      </div>
      <div className="login-brand">
        <h1>{t('app.name')}</h1>
        <p>{t('app.subtitle')}</p>
      </div>
      <Card className="login-card" title={t('login.title')}>
        <LoginForm onLoggedIn={() => void navigate(next, { replace: true })} />
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '8px 0 0' }}>
          {t('login.notice')}
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
