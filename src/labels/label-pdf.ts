// The printable label as PDF for label printers: one label per page, the page the size of the
// label (100, 150 or 200 mm square), drawn from the very SVG GET …/print serves (print-label.ts,
// medical-label.ts) with the embedded CJK font, and the QR redrawn as vector modules whose size is a
// whole number of the printer's dots (203 or 300 dpi) so that a thermal printer prints them even.
import { drawQr } from '../documents/pdf-qr.js';
import { addPage, newPdf, type Pdf } from '../documents/pdf-document.js';
import { drawSvg } from '../documents/svg-subset.js';
import { labelSizeMm, needsTwoSides, QR_MARGIN, type LabelSize, type PrintableLabel } from './label-svg.js';
import { renderLabelSvg } from './print-label.js';

/** Thermal label printers' resolutions, in dots per inch. */
export const PRINTER_DPIS = [203, 300] as const;
export type PrinterDpi = (typeof PRINTER_DPIS)[number];
export const LABEL_SIZES = [100, 150, 200] as const satisfies readonly LabelSize[];

/**
 * Draws each label on a page of its own size (two pages for a container over 450 L, one per side);
 * returns the document, not yet ended.
 */
export async function labelsPdf(items: PrintableLabel[], dpi: PrinterDpi): Promise<Pdf> {
  if (items.length === 0) throw new Error('no label to print');
  const sizeOf = (p: PrintableLabel) => p.size ?? labelSizeMm(p.label.volumeL);
  const firstSize = sizeOf(items[0]);
  const doc = newPdf({ widthMm: firstSize, heightMm: firstSize, title: `危险废物标签 ${items[0].label.digitalCode}` });
  let first = true;
  for (const p of items) {
    const size = sizeOf(p);
    const svg = await renderLabelSvg({ ...p, size });
    // A container over 450 L carries the label on two opposite sides: two pages, one for each.
    for (let side = 0; side < (needsTwoSides(p.label.volumeL) ? 2 : 1); side++) {
      if (!first) addPage(doc, { widthMm: size, heightMm: size });
      first = false;
      drawLabelPage(doc, svg, p.qrContent, dpi);
    }
  }
  return doc;
}

/** One label on the current page, its QR redrawn on the printer's dots. */
function drawLabelPage(doc: Pdf, svg: string, qrContent: string, dpi: PrinterDpi): void {
  drawSvg(doc, svg, { x: 0, y: 0, width: doc.page.width }, {
    replace: {
      attribute: 'data-qr-modules',
      // The QR's group is translated to the corner of its white patch and scaled to module units.
      draw: (attrs, at) => {
        const modules = Number(attrs['data-qr-modules']);
        const drawn = drawQr(doc, qrContent, { x: at.tx, y: at.ty, size: at.k * (modules + 2 * QR_MARGIN), quietZone: QR_MARGIN, dpi });
        // The same content at the same level gives the same symbol; a difference is a bug, not a print.
        if (drawn.modules !== modules) throw new Error(`QR of ${drawn.modules} modules where the label drew ${modules}`);
      },
    },
  });
}
