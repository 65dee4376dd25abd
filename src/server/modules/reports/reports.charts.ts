// Trend charts rendered on the server: ECharts server-side SVG, rasterised to PNG by resvg for Word.
import fs from 'node:fs';
import * as echarts from 'echarts';
import { Resvg } from '@resvg/resvg-js';
import type { ChartSpec } from '../../kernel/reports.ts';

// The PNG for Word carries only digits and dates: its title and legend are set as a caption in
// the document's own fonts. So a small Latin font suffices, and rasterising takes ~0.1 s instead of
// the ~1 s it takes to load a 20 MB CJK font collection for every chart.
const LATIN_FONTS = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', 'DejaVu Sans'],
  ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', 'Liberation Sans'],
  ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', 'Noto Sans CJK SC'],
] as const;
const rasterFont = LATIN_FONTS.find(([f]) => fs.existsSync(f));

/** ECharts' default palette, named for captions ("蓝线：…"). */
export const SERIES_COLOURS = [
  ['#5470c6', '蓝'],
  ['#91cc75', '绿'],
  ['#fac858', '黄'],
  ['#ee6666', '红'],
] as const;

export const CHART_SIZE = { width: 640, height: 300 };

export function chartSvg(spec: ChartSpec, opts: { bare?: boolean } = {}): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...CHART_SIZE });
  chart.setOption({
    animation: false,
    color: SERIES_COLOURS.map(([c]) => c),
    textStyle: { fontFamily: opts.bare ? rasterFont?.[1] : 'Noto Sans CJK SC, sans-serif' },
    title: opts.bare ? undefined : { text: spec.title, left: 'center', textStyle: { fontSize: 15 } },
    legend: opts.bare ? undefined : { bottom: 0 },
    grid: opts.bare ? { left: 56, right: 24, top: 16, bottom: 28 } : { left: 56, right: 24, top: 44, bottom: 48 },
    xAxis: { type: 'category', data: spec.categories, axisLabel: { fontSize: 10 } },
    yAxis: { type: 'value', axisLabel: { fontSize: 10 } },
    series: spec.series.map((s) => ({ type: 'line', name: s.name, data: s.data, smooth: false, showSymbol: spec.categories.length <= 31 })),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** A PNG of the chart without title and legend (see chartCaption), for Word. */
export function chartPng(spec: ChartSpec): Buffer {
  const resvg = new Resvg(chartSvg(spec, { bare: true }), {
    fitTo: { mode: 'width', value: Math.round(CHART_SIZE.width * 1.5) },
    font: rasterFont ? { fontFiles: [rasterFont[0]], loadSystemFonts: false, defaultFontFamily: rasterFont[1] } : { loadSystemFonts: true },
  });
  return Buffer.from(resvg.render().asPng());
}

/** "入户宣传走访日趋势（蓝线：入户宣传走访；绿线：微信群QQ群信息）" */
export function chartCaption(spec: ChartSpec): string {
  const legend = spec.series.map((s, i) => `${SERIES_COLOURS[i % SERIES_COLOURS.length]![1]}线：${s.name}`).join('；');
  return `${spec.title}（${legend}）`;
}
