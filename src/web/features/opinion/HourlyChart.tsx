// Posts per hour over the overview's period, stacked by category (colours as on the tags). Hours
// without posts are drawn as zero, so the gaps are visible rather than closed up.
import { Empty } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useChart } from './chart';
import { CATEGORY_COLOR, categoryLabel, hourTime } from './labels';
import { CATEGORIES, type Overview } from './opinion.api';

/** Every hour key ("2026-11-28T09", UTC) from `from` to `to`. */
function hourKeys(from: string, to: string): string[] {
  const keys: string[] = [];
  const end = Date.parse(to);
  for (let t = Math.floor(Date.parse(from) / 3_600_000) * 3_600_000; t <= end && keys.length < 24 * 62; t += 3_600_000) {
    keys.push(new Date(t).toISOString().slice(0, 13));
  }
  return keys;
}

export function HourlyChart({ data }: { data: Overview }) {
  const { t } = useTranslation();
  const empty = data.total === 0;
  const option = useMemo<EChartsCoreOption | null>(() => {
    const keys = hourKeys(data.from, data.to);
    const byHour = new Map(data.hours.map((h) => [h.hour, h]));
    const days = keys.length > 24;
    const labels = keys.map((k) => hourTime(k).format(days ? 'MM-DD HH:00' : 'HH:00'));
    return {
      animation: false,
      color: CATEGORIES.map((c) => CATEGORY_COLOR[c]),
      legend: { top: 0, itemWidth: 12, itemHeight: 12 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'category', data: labels, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { type: 'dashed' } } },
      series: CATEGORIES.map((c) => ({
        name: categoryLabel(t, c),
        type: 'bar',
        stack: 'posts',
        barMaxWidth: 28,
        data: keys.map((k) => byHour.get(k)?.byCategory[c] ?? 0),
      })),
    };
  }, [data, t]);
  const { ref, ready } = useChart(option);
  return (
    <div className="op-chart-box">
      {empty ? <Empty className="op-chart-empty" description={t('opinion.overview.hourlyEmpty')} /> : null}
      <div
        ref={ref}
        className="op-chart"
        style={{ visibility: ready && !empty ? 'visible' : 'hidden' }}
        role="img"
        aria-label={t('opinion.overview.hourly')}
        data-testid="opinion-hourly-chart"
      />
    </div>
  );
}
