// Rolling periods ("the last 24 hours") as ISO start times. The start is rounded down to the minute
// so it stays the same between renders (and the query cache key with it).
export const PERIODS = ['1h', '24h', '72h', '7d', '30d'] as const;
export type PeriodKey = (typeof PERIODS)[number];

const HOURS: Record<PeriodKey, number> = { '1h': 1, '24h': 24, '72h': 72, '7d': 168, '30d': 720 };

export const PERIOD_LABEL = {
  '1h': 'opinion.common.lastHour',
  '24h': 'opinion.common.last24h',
  '72h': 'opinion.common.last3d',
  '7d': 'opinion.common.last7d',
  '30d': 'opinion.common.last30d',
} as const satisfies Record<PeriodKey, `opinion.common.${string}`>;

export function periodStart(key: PeriodKey, now = Date.now()): string {
  const minute = Math.floor(now / 60_000) * 60_000;
  return new Date(minute - HOURS[key] * 3_600_000).toISOString();
}

export const isPeriod = (s: string | null | undefined): s is PeriodKey => !!s && (PERIODS as readonly string[]).includes(s);
