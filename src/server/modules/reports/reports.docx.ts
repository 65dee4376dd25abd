// Word output laid out after GB/T 9704 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm,
// left 28 mm, right 26 mm; title in 方正小标宋 二号 centred; body 仿宋_GB2312 三号 with a fixed
// 28 pt line pitch and a two-character first-line indent; level-1 headings 黑体, level-2 楷体;
// page numbers "— 1 —" in 宋体 四号 at the foot. Charts are embedded as PNG.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  ImageRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { Figure } from '../../kernel/reports.ts';
import { isFigure, splitFigures, type DocModel } from './reports.document.ts';
import { chartCaption, chartPng, CHART_SIZE } from './reports.charts.ts';
import { formatFigure } from './reports.render.ts';

const mm = (v: number) => Math.round((v / 25.4) * 1440); // twips
const font = (eastAsia: string) => ({ eastAsia, ascii: 'Times New Roman', hAnsi: 'Times New Roman', cs: 'Times New Roman' });
export const FONTS = { title: '方正小标宋简体', body: '仿宋_GB2312', h1: '黑体', h2: '楷体_GB2312', pageNumber: '宋体' };
const SIZE_SAN = 32; // 三号 16 pt, in half-points
const SIZE_ER = 44; // 二号 22 pt
const SIZE_SI = 28; // 四号 14 pt
const LINE = { line: 560, lineRule: LineRuleType.EXACT }; // 28 pt
const INDENT = { firstLine: 640 }; // two characters of 三号

function runs(text: string, figures: Figure[], face: string, size = SIZE_SAN, bold = false) {
  return splitFigures(text).map((part) => new TextRun({ text: typeof part === 'number' ? formatFigure(figures[part]!) : part, font: font(face), size, bold }));
}

const cellBorder = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

export async function toDocx(doc: DocModel): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [];
  for (const b of doc.blocks) {
    switch (b.type) {
      case 'title':
        children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { line: 700, lineRule: LineRuleType.EXACT, after: 0 }, children: runs(b.text, doc.figures, FONTS.title, SIZE_ER) }));
        break;
      case 'subtitle':
        children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { ...LINE, after: 280 }, children: runs(b.text, doc.figures, FONTS.h2) }));
        break;
      case 'h1':
        children.push(new Paragraph({ spacing: LINE, indent: INDENT, children: runs(b.text, doc.figures, FONTS.h1) }));
        break;
      case 'h2':
        children.push(new Paragraph({ spacing: LINE, indent: INDENT, children: runs(b.text, doc.figures, FONTS.h2) }));
        break;
      case 'p':
        children.push(new Paragraph({ spacing: LINE, indent: INDENT, alignment: AlignmentType.JUSTIFIED, children: runs(b.text, doc.figures, FONTS.body) }));
        break;
      case 'note':
        children.push(new Paragraph({ spacing: { line: 400, lineRule: LineRuleType.EXACT, before: 280 }, children: runs(b.text, doc.figures, FONTS.body, 24) }));
        break;
      case 'chart': {
        const width = 540;
        const height = Math.round((width * CHART_SIZE.height) / CHART_SIZE.width);
        children.push(
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new ImageRun({ type: 'png', data: chartPng(b.chart), transformation: { width, height }, altText: { name: b.chart.title, title: b.chart.title, description: chartCaption(b.chart) } })],
          }),
          new Paragraph({ alignment: AlignmentType.CENTER, spacing: { after: 200 }, children: runs(chartCaption(b.chart), doc.figures, FONTS.h2, 24) }),
        );
        break;
      }
      case 'table': {
        const t = b.table;
        const cell = (c: string | Figure, header = false, first = false) =>
          new TableCell({
            borders: { top: cellBorder, bottom: cellBorder, left: cellBorder, right: cellBorder },
            children: [
              new Paragraph({
                alignment: header ? AlignmentType.CENTER : first ? AlignmentType.LEFT : AlignmentType.RIGHT,
                children: [new TextRun({ text: isFigure(c) ? formatFigure(c) : c, font: font(header ? FONTS.h1 : FONTS.body), size: 21 })],
              }),
            ],
          });
        children.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 200, after: 100 }, children: runs(t.caption, doc.figures, FONTS.h1, 24) }));
        children.push(
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: [
              new TableRow({ tableHeader: true, children: t.header.map((h) => cell(h, true)) }),
              ...t.rows.map((r) => new TableRow({ children: r.map((c, i) => cell(c, false, i === 0)) })),
            ],
          }),
        );
        break;
      }
    }
  }
  const document = new Document({
    title: doc.title,
    creator: '一线 Frontline',
    styles: { default: { document: { run: { font: font(FONTS.body), size: SIZE_SAN } } } },
    sections: [
      {
        properties: { page: { size: { width: mm(210), height: mm(297) }, margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26), footer: mm(25) } } },
        footers: {
          default: new Footer({
            children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font(FONTS.pageNumber), size: SIZE_SI })] })],
          }),
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}
