// Date and number display in the current UI language.
import { i18n } from './i18n';

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(i18n.language === 'en' ? 'en-GB' : 'zh-CN', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);
}

/**
 * A manual lock is stored as a far-future "until" (year 9999); show it as what it means rather than
 * as a date. Returns null for such a lock.
 */
export function lockExpiry(lockedUntil: string | null | undefined): string | null {
  if (!lockedUntil) return null;
  const date = new Date(lockedUntil);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() >= 9000) return null;
  return formatDateTime(lockedUntil);
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(i18n.language === 'en' ? 'en-GB' : 'zh-CN').format(value);
}
