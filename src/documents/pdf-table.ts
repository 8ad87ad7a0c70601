// A table that flows over pages: a header row (repeated on every page it continues on), rows as
// tall as their tallest wrapped cell, thin rules. Widths are fractions of the table's width.
import type { Pdf } from './pdf-document.js';
import { textBlock, textHeight, type TextStyle } from './pdf-text.js';

export interface Column {
  header: string;
  /** Share of the table width (the shares are normalised). */
  width: number;
  mono?: boolean;
  align?: 'left' | 'center' | 'right';
}

export interface TableLayout {
  x: number;
  width: number;
  /** Font size of the cells; the header is bold at the same size. */
  size: number;
  /** Where a page's content ends, and where it starts on a new page; newPage adds that page. */
  bottom: number;
  top: number;
  newPage: () => void;
}

const PAD = 2;

/** Draws the table from y; returns the y below its last row (on the page it ended on). */
export function drawTable(doc: Pdf, columns: Column[], rows: string[][], y: number, layout: TableLayout): number {
  const total = columns.reduce((s, c) => s + c.width, 0);
  const widths = columns.map((c) => (c.width / total) * layout.width);
  const xs = widths.map((_, i) => layout.x + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const cellStyle = (c: Column, header: boolean): TextStyle => ({ size: layout.size, bold: header, mono: !header && c.mono, align: c.align });
  const heightOf = (cells: string[], header: boolean) =>
    Math.max(...cells.map((v, i) => textHeight(doc, v, widths[i] - 2 * PAD, cellStyle(columns[i], header)))) + 2 * PAD;

  const drawRow = (cells: string[], top: number, header: boolean): number => {
    const h = heightOf(cells, header);
    if (header) doc.rect(layout.x, top, layout.width, h).fill('#EEEEEE');
    cells.forEach((v, i) => textBlock(doc, v, xs[i] + PAD, top + PAD, widths[i] - 2 * PAD, cellStyle(columns[i], header)));
    doc.moveTo(layout.x, top + h).lineTo(layout.x + layout.width, top + h).lineWidth(header ? 0.8 : 0.4).stroke('#000000');
    return top + h;
  };

  const headers = columns.map((c) => c.header);
  let top = drawRow(headers, y, true);
  for (const row of rows) {
    if (top + heightOf(row, false) > layout.bottom) {
      layout.newPage();
      top = drawRow(headers, layout.top, true);
    }
    top = drawRow(row, top, false);
  }
  return top;
}
