// A document that flows down A4 pages: numbered section headings, label–value grids, tables that
// continue on the next page with their header, a block of text, and a footer with the page number
// on every page. The printed manifest uses it; the plan and the declaration can print the same way.
import { A4_MM, addPage, mm, newPdf, type Pdf } from './pdf-document.js';
import { drawTable, type Column } from './pdf-table.js';
import { fieldGrid, fieldGridHeight, textBlock, textHeight, textLine } from './pdf-text.js';

export const A4 = {
  margin: mm(15),
  width: mm(A4_MM.widthMm),
  height: mm(A4_MM.heightMm),
  get contentWidth() { return this.width - 2 * this.margin; },
} as const;

const FOOTER_Y = A4.height - mm(10);
const BOTTOM = A4.height - mm(14);
/** Body type size, in points. */
export const BODY_PT = 8.5;
const TABLE_PT = 7.5;

export class FlowDocument {
  readonly doc: Pdf;
  /** Where the next block starts on the current page, in points from its top. */
  y = A4.margin;
  page = 1;

  /** A new A4 document; `footer` lines are printed at the foot of every page, with `第 n 页`. */
  constructor(title: string, private readonly footer: string[]) {
    this.doc = newPdf({ ...A4_MM, title });
    this.drawFooter();
  }

  newPage(): void {
    addPage(this.doc, A4_MM);
    this.page += 1;
    this.y = A4.margin;
    this.drawFooter();
  }

  /** Starts a new page unless `height` points fit above the bottom margin. */
  room(height: number): void {
    if (this.y + height > BOTTOM) this.newPage();
  }

  heading(s: string): void {
    this.room(mm(14));
    this.y += mm(3);
    textLine(this.doc, s, A4.margin, this.y + 10, { size: 11, bold: true });
    this.y += 13;
    this.doc.moveTo(A4.margin, this.y).lineTo(A4.margin + A4.contentWidth, this.y).lineWidth(0.8).stroke('#000000');
    this.y += 4;
  }

  /** Label–value pairs, `columns` to a row; a row that does not fit goes to the next page whole. */
  fields(fields: Array<{ label: string; value: string }>, columns = 3): void {
    const opts = { columns, size: BODY_PT };
    for (let i = 0; i < fields.length; i += columns) {
      const row = fields.slice(i, i + columns);
      this.room(fieldGridHeight(this.doc, row, A4.contentWidth, opts));
      this.y = fieldGrid(this.doc, row, A4.margin, this.y, A4.contentWidth, opts);
    }
  }

  table(columns: Column[], rows: string[][]): void {
    this.room(mm(14));
    this.y = drawTable(this.doc, columns, rows, this.y, {
      x: A4.margin, width: A4.contentWidth, size: TABLE_PT, bottom: BOTTOM, top: A4.margin, newPage: () => this.newPage(),
    }) + 4;
  }

  /** A block of text, moved whole to the next page when it does not fit (so at most a page long). */
  paragraph(s: string, size = BODY_PT + 0.5): void {
    this.room(textHeight(this.doc, s, A4.contentWidth, { size }, 2));
    this.y = textBlock(this.doc, s, A4.margin, this.y, A4.contentWidth, { size }, 2) + 6;
  }

  private drawFooter(): void {
    const style = { size: 7, color: '#555555' };
    this.footer.forEach((line, i) => textLine(this.doc, line, A4.margin, FOOTER_Y + i * 9, style));
    textLine(this.doc, `第 ${this.page} 页`, A4.width - A4.margin, FOOTER_Y, { ...style, align: 'right' });
  }
}
