// The printable label as PDF for label printers: one label per page, the page the size of the
// label (100, 150 or 200 mm square), drawn from the very SVG GET …/print serves (print-label.ts,
// medical-label.ts) with the embedded CJK font, and the QR redrawn as vector modules whose size is a
// whole number of the printer's dots (203 or 300 dpi) so that a thermal printer prints them even.
import { drawQr } from '../documents/pdf-qr.js';
import { addPage, newPdf, type Pdf } from '../documents/pdf-document.js';
import { drawSvg } from '../documents/svg-subset.js';
import { labelSizeMm, QR_MARGIN, type LabelSize, type PrintableLabel } from './label-svg.js';
import { renderLabelSvg } from './print-label.js';

/** Thermal label printers' resolutions, in dots per inch. */
export const PRINTER_DPIS = [203, 300] as const;
export type PrinterDpi = (typeof PRINTER_DPIS)[number];
export const LABEL_SIZES = [100, 150, 200] as const satisfies readonly LabelSize[];

export interface PrintedQr { modules: number; moduleDots: number | null }

/** Draws each label on a page of its own size; returns the document (not yet ended) and each QR's geometry. */
export async function labelsPdf(items: PrintableLabel[], dpi: PrinterDpi): Promise<{ doc: Pdf; qrs: PrintedQr[] }> {
  if (items.length === 0) throw new Error('no label to print');
  const sizeOf = (p: PrintableLabel) => p.size ?? labelSizeMm(p.label.volumeL);
  const first = sizeOf(items[0]);
  const doc = newPdf({ widthMm: first, heightMm: first, title: `危险废物标签 ${items[0].label.digitalCode}` });
  const qrs: PrintedQr[] = [];
  for (const [i, p] of items.entries()) {
    const size = sizeOf(p);
    if (i > 0) addPage(doc, { widthMm: size, heightMm: size });
    const svg = await renderLabelSvg({ ...p, size });
    drawSvg(doc, svg, { x: 0, y: 0, width: doc.page.width }, {
      replace: {
        attribute: 'data-qr-modules',
        // The QR's group is translated to the corner of its white patch and scaled to module units.
        draw: (attrs, at) => {
          const modules = Number(attrs['data-qr-modules']);
          const drawn = drawQr(doc, p.qrContent, { x: at.tx, y: at.ty, size: at.k * (modules + 2 * QR_MARGIN), quietZone: QR_MARGIN, dpi });
          if (drawn.modules !== modules) throw new Error(`QR of ${drawn.modules} modules where the label drew ${modules}`);
          qrs.push({ modules, moduleDots: drawn.moduleDots });
        },
      },
    });
  }
  return { doc, qrs };
}
