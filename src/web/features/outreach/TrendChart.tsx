// Day-by-day line of one indicator over the period (totals grouped by day), drawn with ECharts.
import { Empty, Skeleton } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useECharts } from '../../lib/useECharts';
import type { Indicator, Totals } from './outreach.api';

export function TrendChart({ days, indicator, loading }: { days: Totals['days']; indicator: Indicator | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!days || !indicator) return null;
    const values = days.map((d) => d.totals[indicator.code] ?? 0);
    const long = days.length > 62;
    return {
      animation: false,
      grid: { left: 8, right: 16, top: 28, bottom: long ? 48 : 8, containLabel: true },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: number) => `${Number(v).toLocaleString('zh-CN')} ${indicator.unit}`,
      },
      xAxis: {
        type: 'category',
        data: days.map((d) => d.date.slice(5)),
        boundaryGap: false,
        axisLabel: { hideOverlap: true },
      },
      yAxis: { type: 'value', name: indicator.unit, minInterval: indicator.decimals ? undefined : 1, splitLine: { lineStyle: { type: 'dashed' } } },
      dataZoom: long ? [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }] : [],
      series: [
        {
          name: indicator.name,
          type: 'line',
          data: values,
          showSymbol: days.length <= 31,
          symbolSize: 6,
          lineStyle: { width: 2, color: '#c41d1d' },
          itemStyle: { color: '#c41d1d' },
          areaStyle: { color: 'rgba(196, 29, 29, 0.08)' },
        },
      ],
    };
  }, [days, indicator]);
  const { ref, ready } = useECharts(option);
  const empty = !!days && !!indicator && days.every((d) => !d.totals[indicator.code]);

  return (
    <div className="trend-chart-box">
      {loading && !days ? <Skeleton active paragraph={{ rows: 5 }} /> : null}
      {empty ? <Empty className="trend-chart-empty" description={t('outreach.trendEmpty')} /> : null}
      <div
        ref={ref}
        className="trend-chart"
        style={{ visibility: ready && !empty && days ? 'visible' : 'hidden' }}
        role="img"
        aria-label={indicator ? t('outreach.trendTitle', { name: indicator.name }) : undefined}
        data-testid="trend-chart"
      />
    </div>
  );
}
