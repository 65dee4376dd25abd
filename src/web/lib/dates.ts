// Calendar dates (YYYY-MM-DD) for period filters, and the period presets shared by the dashboards.
import dayjs, { type Dayjs } from 'dayjs';

export const DATE_FORMAT = 'YYYY-MM-DD';

export type Period = { from: string; to: string };

export const today = (): string => dayjs().format(DATE_FORMAT);
export const daysAgo = (n: number): string => dayjs().subtract(n, 'day').format(DATE_FORMAT);

export function lastDays(n: number): Period {
  return { from: daysAgo(n - 1), to: today() };
}

export const defaultPeriod = (): Period => lastDays(30);

export const isDate = (s: string | null | undefined): s is string =>
  !!s && /^\d{4}-\d{2}-\d{2}$/.test(s) && dayjs(s).isValid();

export const toDayjs = (s: string): Dayjs => dayjs(s);
export const fromDayjs = (d: Dayjs): string => d.format(DATE_FORMAT);

export type PresetKey = 'last7' | 'last30' | 'thisMonth' | 'lastYear';

export function presetPeriod(key: PresetKey): Period {
  switch (key) {
    case 'last7':
      return lastDays(7);
    case 'last30':
      return lastDays(30);
    case 'thisMonth':
      return { from: dayjs().startOf('month').format(DATE_FORMAT), to: today() };
    case 'lastYear':
      return lastDays(365);
  }
}

export const PRESET_KEYS: PresetKey[] = ['last7', 'last30', 'thisMonth', 'lastYear'];
