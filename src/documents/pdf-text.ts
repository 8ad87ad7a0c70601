// Text on a page: a line at a point (no wrapping), a block wrapped to a width, label–value pairs.
// Coordinates are in points from the top-left corner of the page. pdfkit breaks lines by Unicode
// line-breaking rules, which allow a break between any two CJK characters.
import { FONT, type Pdf } from './pdf-document.js';

export interface TextStyle {
  size: number;
  bold?: boolean;
  mono?: boolean;
  color?: string;
  /** left (default), center or right of x. */
  align?: 'left' | 'center' | 'right';
  characterSpacing?: number;
}

function useStyle(doc: Pdf, s: TextStyle): void {
  doc.font(s.mono ? FONT.mono : s.bold ? FONT.bold : FONT.regular).fontSize(s.size).fillColor(s.color ?? '#000000');
}

/** One line whose baseline is at y; x is its left edge, centre or right edge by `align`. */
export function textLine(doc: Pdf, s: string, x: number, y: number, style: TextStyle): void {
  useStyle(doc, style);
  const opts = { lineBreak: false, baseline: 'alphabetic' as const, characterSpacing: style.characterSpacing ?? 0 };
  const w = style.align && style.align !== 'left' ? doc.widthOfString(s, opts) : 0;
  doc.text(s, style.align === 'center' ? x - w / 2 : style.align === 'right' ? x - w : x, y, opts);
}

/** Height of `s` wrapped to `width` in the style. */
export function textHeight(doc: Pdf, s: string, width: number, style: TextStyle, lineGap = 0): number {
  useStyle(doc, style);
  return doc.heightOfString(s === '' ? ' ' : s, { width, lineGap });
}

/** A block wrapped to `width`, its top at y; returns the y below it. */
export function textBlock(doc: Pdf, s: string, x: number, y: number, width: number, style: TextStyle, lineGap = 0): number {
  useStyle(doc, style);
  const h = textHeight(doc, s, width, style, lineGap);
  doc.text(s, x, y, { width, lineGap, align: style.align ?? 'left' });
  return y + h;
}

/** The height fieldGrid gives the fields (without drawing them). */
export function fieldGridHeight(
  doc: Pdf, fields: Array<{ label: string; value: string }>, width: number, opts: { columns: number; size: number; gap?: number },
): number {
  const gap = opts.gap ?? 4;
  const cellW = (width - gap * (opts.columns - 1)) / opts.columns;
  let h = 0;
  for (let i = 0; i < fields.length; i += opts.columns) {
    h += Math.max(...fields.slice(i, i + opts.columns).map((f) =>
      textHeight(doc, f.label, cellW, { size: opts.size * 0.8, bold: true }) + textHeight(doc, f.value === '' ? '—' : f.value, cellW, { size: opts.size }))) + gap / 2;
  }
  return h;
}

/**
 * Label–value pairs in a grid of `columns`: the label in bold above its value, each cell `width /
 * columns` wide; returns the y below the grid.
 */
export function fieldGrid(
  doc: Pdf, fields: Array<{ label: string; value: string }>, x: number, y: number, width: number,
  opts: { columns: number; size: number; gap?: number },
): number {
  const gap = opts.gap ?? 4;
  const cellW = (width - gap * (opts.columns - 1)) / opts.columns;
  let top = y;
  for (let i = 0; i < fields.length; i += opts.columns) {
    const row = fields.slice(i, i + opts.columns);
    let bottom = top;
    row.forEach((f, j) => {
      const cx = x + j * (cellW + gap);
      const below = textBlock(doc, f.label, cx, top, cellW, { size: opts.size * 0.8, bold: true, color: '#444444' });
      bottom = Math.max(bottom, textBlock(doc, f.value === '' ? '—' : f.value, cx, below, cellW, { size: opts.size }));
    });
    top = bottom + gap / 2;
  }
  return top;
}
