// Trend charts rendered on the server: ECharts server-side SVG, rasterised to PNG by resvg for Word.
import fs from 'node:fs';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';
import type { ChartSpec } from '../../kernel/reports.ts';

const FONT_CANDIDATES = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
];
// Found once per process; without a CJK font the labels would be boxes, so fall back to the system scan.
const cjkFont = FONT_CANDIDATES.find((f) => fs.existsSync(f));

export const CHART_SIZE = { width: 640, height: 300 };

export function chartSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...CHART_SIZE });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: 'Noto Sans CJK SC, sans-serif' },
    title: { text: spec.title, left: 'center', textStyle: { fontSize: 15 } },
    legend: { bottom: 0 },
    grid: { left: 56, right: 24, top: 44, bottom: 48 },
    xAxis: { type: 'category', data: spec.categories, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'value', axisLabel: { fontSize: 10 } },
    series: spec.series.map((s) => ({ type: 'line', name: s.name, data: s.data, smooth: true, showSymbol: spec.categories.length <= 31 })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

export function chartPng(spec: ChartSpec): Buffer {
  const resvg = new Resvg(chartSvg(spec), {
    fitTo: { mode: 'width', value: CHART_SIZE.width * 2 },
    font: cjkFont ? { fontFiles: [cjkFont], loadSystemFonts: false, defaultFontFamily: 'Noto Sans CJK SC' } : { loadSystemFonts: true },
  });
  return Buffer.from(resvg.render().asPng());
}
