// A QR code drawn as vector modules: one filled path of the dark modules (runs of a row merged into
// one rectangle) on a white patch, from the `qrcode` package's module matrix. For a thermal
// printer the module size is snapped to a whole number of printer dots and the symbol's origin to
// the dot grid: a module of 2.4 dots prints as 2 or 3 dots at random, and uneven modules are what
// makes a small printed QR fail to scan.
import QRCode from 'qrcode';
import type { Pdf } from './pdf-document.js';

export type QrErrorLevel = 'L' | 'M' | 'Q' | 'H';

export interface QrPlacement {
  /** The square the symbol and its quiet zone take, in page points (PDF user space, no transform). */
  x: number;
  y: number;
  size: number;
  /** Quiet zone, in modules, inside the square (the label uses 2). */
  quietZone: number;
  errorCorrectionLevel?: QrErrorLevel;
  /** Printer resolution to snap to; none: the modules fill the square exactly. */
  dpi?: number;
}

export interface DrawnQr {
  /** Modules per side (without the quiet zone). */
  modules: number;
  /** Side of one module in points, and in printer dots when snapped. */
  modulePt: number;
  moduleDots: number | null;
}

/** The geometry of the symbol in the square: module size and origin, snapped when a dpi is given. */
export function qrGeometry(modules: number, p: QrPlacement): { modulePt: number; moduleDots: number | null; x0: number; y0: number } {
  const span = modules + 2 * p.quietZone;
  if (p.dpi === undefined) {
    const modulePt = p.size / span;
    return { modulePt, moduleDots: null, x0: p.x + p.quietZone * modulePt, y0: p.y + p.quietZone * modulePt };
  }
  const dotPt = 72 / p.dpi;
  const moduleDots = Math.floor(p.size / dotPt / span);
  if (moduleDots < 1) throw new Error(`a ${modules}-module QR does not fit ${p.size.toFixed(1)} pt at ${p.dpi} dpi`);
  const modulePt = moduleDots * dotPt;
  // Centre the snapped symbol in the square, then put its corner on the dot grid (inside the square).
  const spare = p.size - span * modulePt;
  // Moved by at most half a dot: the quiet zone (at least a module, so a dot) keeps it in the patch.
  const onGrid = (v: number) => Math.round(v / dotPt) * dotPt;
  const x0 = onGrid(p.x + spare / 2 + p.quietZone * modulePt);
  const y0 = onGrid(p.y + spare / 2 + p.quietZone * modulePt);
  return { modulePt, moduleDots, x0, y0 };
}

/** Draws the QR of `content` in the square; the current transform of `doc` must be the page's. */
export function drawQr(doc: Pdf, content: string, p: QrPlacement): DrawnQr {
  const qr = QRCode.create(content, { errorCorrectionLevel: p.errorCorrectionLevel ?? 'M' });
  const n = qr.modules.size;
  const g = qrGeometry(n, p);
  doc.save();
  doc.rect(p.x, p.y, p.size, p.size).fill('#FFFFFF');
  let any = false;
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!qr.modules.get(row, col)) continue;
      let run = 1;
      while (col + run < n && qr.modules.get(row, col + run)) run++;
      doc.rect(g.x0 + col * g.modulePt, g.y0 + row * g.modulePt, run * g.modulePt, g.modulePt);
      any = true;
      col += run - 1;
    }
  }
  if (any) doc.fill('#000000');
  doc.restore();
  return { modules: n, modulePt: g.modulePt, moduleDots: g.moduleDots };
}
