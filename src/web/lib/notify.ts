// A bridge from non-React code (the query cache, the HTTP client) to antd's context-aware message
// API, which only exists inside <App>. AppMessageBridge registers it once at start-up.
import { App } from 'antd';
import { useEffect } from 'react';
import { i18n } from './i18n';
import { HttpError } from './http';

type MessageApi = ReturnType<typeof App.useApp>['message'];

let messageApi: MessageApi | null = null;

export function AppMessageBridge(): null {
  const { message } = App.useApp();
  useEffect(() => {
    messageApi = message;
    return () => {
      if (messageApi === message) messageApi = null;
    };
  }, [message]);
  return null;
}

/** The text to show a person for an error: the server's own (zh-CN) message when it gave one. */
export function errorText(error: unknown): string {
  if (error instanceof HttpError) {
    if (error.status === 0) return i18n.t('errors.network');
    if (error.message) return error.message;
    if (error.status === 403) return i18n.t('errors.forbidden');
    if (error.status === 401) return i18n.t('errors.sessionExpired');
  }
  return i18n.t('errors.unknown');
}

export function notifyError(error: unknown): void {
  // Don't toast the redirect-to-login 401: the login page explains itself.
  if (error instanceof HttpError && error.status === 401) return;
  messageApi?.error({ content: errorText(error), key: errorText(error) });
}

export function notifySuccess(text: string): void {
  messageApi?.success(text);
}
