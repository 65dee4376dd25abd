// Markdown and print-ready HTML from the document model. In HTML every figure links to the
// drill-down list of the records it sums.
import type { Figure } from '../../kernel/reports.ts';
import { styleQuantity } from '../../../text/number-style.ts';
import { escapeHtml } from '../../../text/escape.ts';
import { isFigure, splitFigures, type DocModel } from './reports.document.ts';
import { chartSvg } from './reports.charts.ts';

export const formatFigure = (f: Figure) => styleQuantity(f.value, f.unit, { decimals: f.decimals });


function inline(text: string, figures: Figure[], fmt: (f: Figure) => string, esc: (s: string) => string) {
  return splitFigures(text)
    .map((part) => (typeof part === 'number' ? fmt(figures[part]!) : esc(part)))
    .join('');
}

export function toMarkdown(doc: DocModel): string {
  const out: string[] = [];
  const md = (t: string) => inline(t, doc.figures, formatFigure, (s) => s);
  for (const b of doc.blocks) {
    if (b.type === 'title') out.push(`# ${md(b.text)}`);
    else if (b.type === 'subtitle') out.push(`<p align="center">${md(b.text)}</p>`);
    else if (b.type === 'h1') out.push(`## ${md(b.text)}`);
    else if (b.type === 'h2') out.push(`**${md(b.text)}**`);
    else if (b.type === 'p') out.push(md(b.text));
    else if (b.type === 'note') out.push(`> ${md(b.text)}`);
    else if (b.type === 'table') {
      const t = b.table;
      const cell = (c: string | Figure) => (isFigure(c) ? formatFigure(c) : c).replace(/\|/g, '\\|');
      out.push(`*${t.caption}*`, [`| ${t.header.join(' | ')} |`, `| ${t.header.map(() => '---').join(' | ')} |`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n'));
    }
    // Charts are in the HTML and Word versions.
  }
  return `${out.join('\n\n')}\n`;
}

export function toHtml(doc: DocModel): string {
  const link = (f: Figure) =>
    f.link ? `<a class="fig" href="${escapeHtml(f.link)}" title="查看构成该数字的记录">${escapeHtml(formatFigure(f))}</a>` : escapeHtml(formatFigure(f));
  const h = (t: string) => inline(t, doc.figures, link, escapeHtml);
  const body = doc.blocks
    .map((b) => {
      switch (b.type) {
        case 'title':
          return `<h1 class="title">${h(b.text)}</h1>`;
        case 'subtitle':
          return `<p class="subtitle">${h(b.text)}</p>`;
        case 'h1':
          return `<h2>${h(b.text)}</h2>`;
        case 'h2':
          return `<p class="point">${h(b.text)}</p>`;
        case 'p':
          return `<p>${h(b.text)}</p>`;
        case 'note':
          return `<p class="note">${h(b.text)}</p>`;
        case 'chart':
          return `<figure class="chart">${chartSvg(b.chart)}</figure>`;
        case 'table': {
          const t = b.table;
          const cell = (c: string | Figure) => (isFigure(c) ? link(c) : escapeHtml(c));
          return `<table><caption>${escapeHtml(t.caption)}</caption><thead><tr>${t.header.map((x) => `<th>${escapeHtml(x)}</th>`).join('')}</tr></thead><tbody>${t.rows
            .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${cell(c)}</th>` : `<td>${cell(c)}</td>`)).join('')}</tr>`)
            .join('')}</tbody></table>`;
        }
      }
    })
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.title)}</title>
<style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
body { font-family: "FangSong", "仿宋_GB2312", "仿宋", "STFangsong", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 28pt; color: #000; max-width: 156mm; margin: 2em auto; padding: 0 1em; }
h1.title { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", serif; font-size: 22pt; font-weight: normal; text-align: center; line-height: 1.5; margin: 0 0 0.3em; }
p.subtitle { text-align: center; font-family: "KaiTi", "楷体_GB2312", "楷体", serif; margin: 0 0 1em; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; text-indent: 2em; margin: 0; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.point { font-family: "KaiTi", "楷体_GB2312", "楷体", serif; }
p.note { font-size: 12pt; color: #555; text-indent: 0; margin-top: 1em; }
a.fig { color: inherit; text-decoration: underline dotted #b00; }
a.fig:hover { background: #fff3f0; }
figure.chart { margin: 1em 0; text-align: center; } figure.chart svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.6; margin: 1em 0; }
caption { font-family: "SimHei", "黑体", sans-serif; margin-bottom: 0.3em; }
th, td { border: 1px solid #333; padding: 2px 6px; text-align: right; } th { text-align: center; } tbody th { text-align: left; font-weight: normal; white-space: nowrap; }
@media print { a.fig { text-decoration: none; } body { margin: 0; max-width: none; } }
</style></head>
<body>
${body}
</body></html>
`;
}
