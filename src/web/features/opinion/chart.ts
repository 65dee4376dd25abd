// The opinion charts need ECharts' legend, which the shared registration (lib/echarts.ts) leaves out.
// It is registered from a chunk loaded on demand, and the option is held back until then, so the
// legend is there from the first paint and pages without charts load nothing.
import type { EChartsCoreOption } from 'echarts/core';
import { useEffect, useState } from 'react';
import { useECharts } from '../../lib/useECharts';

let loading: Promise<unknown> | null = null;
let loaded = false;

export function useChart(option: EChartsCoreOption | null) {
  const [ready, setReady] = useState(loaded);
  useEffect(() => {
    if (loaded) return;
    let live = true;
    void (loading ??= import('./chart.legend').then(() => (loaded = true))).then(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  return useECharts(ready ? option : null);
}
