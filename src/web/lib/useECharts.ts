// A small hook around ECharts: loads the library on first use, renders `option` into the returned
// ref's element, follows the element's size, and disposes the chart on unmount.
import type { EChartsCoreOption, ECharts } from 'echarts/core';
import { useEffect, useRef, useState } from 'react';

let loading: Promise<typeof import('./echarts')> | null = null;
const loadECharts = () => (loading ??= import('./echarts'));

export function useECharts<E extends HTMLElement = HTMLDivElement>(option: EChartsCoreOption | null) {
  const ref = useRef<E>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void loadECharts().then(({ init }) => {
      if (disposed || !ref.current) return;
      chart.current = init(ref.current, undefined, { renderer: 'canvas' });
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(ref.current);
      setReady(true);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (ready && chart.current && option) chart.current.setOption(option, { notMerge: true });
  }, [ready, option]);

  return { ref, ready };
}
