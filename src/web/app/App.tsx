// Providers: antd (locale follows the UI language), query client, i18n, router; and the 401 hook.
import { QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { RouterProvider } from 'react-router/dom';
import { sessionKey } from '../features/auth/session';
import { setUnauthenticatedHandler } from '../lib/http';
import { i18n } from '../lib/i18n';
import { AppMessageBridge } from '../lib/notify';
import { queryClient } from '../lib/queryClient';
import { router } from './router';

const FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", ' +
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Helvetica Neue", Arial, sans-serif';

function onUnauthenticated(): void {
  queryClient.setQueryData(sessionKey, null);
  const { pathname, search } = router.state.location;
  if (pathname === '/login') return;
  const next = pathname + search;
  void router.navigate(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, { replace: true });
}

function Providers() {
  const { i18n: instance } = useTranslation();
  const isEnglish = instance.language === 'en';
  useEffect(() => setUnauthenticatedHandler(onUnauthenticated), []);
  return (
    <ConfigProvider locale={isEnglish ? enUS : zhCN} theme={{ token: { fontFamily: FONT_FAMILY } }}>
      <AntApp>
        <AppMessageBridge />
        <QueryClientProvider client={queryClient}>
          <RouterProvider router={router} />
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nextProvider i18n={i18n}>
      <Providers />
    </I18nextProvider>
  );
}
