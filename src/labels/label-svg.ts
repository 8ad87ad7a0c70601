// Drawing pieces shared by the printed labels (print-label.ts for HJ 1276, medical-label.ts for
// HJ 421): text measurement and wrapping, the type size a label size needs, field columns and the QR.
// Every label is drawn in a 100×100 user-unit box; the physical size only changes width/height.
import QRCode from 'qrcode';
import type { LabelRow } from './label-view.js';

/** What printing a label needs: the label, its generating unit's name and contact, the QR content. */
export interface PrintableLabel {
  label: LabelRow;
  generator: { name: string; contactName: string; contactPhone: string };
  qrContent: string;
  /** The printed size when the printer's media asks for one; by container volume otherwise. */
  size?: LabelSize;
}

// Characters that may not appear in an XML 1.0 document at all (C0 controls except TAB, LF, CR,
// lone surrogates, U+FFFE/U+FFFF): dropped rather than escaped.
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML/HTML text content and attribute values (`& < > " '`). */
export function escapeXml(s: string): string {
  return String(s)
    .replace(XML_ILLEGAL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export type LabelSize = 100 | 150 | 200;

/** Minimum printed label size by container volume (docs/regulations.md#label-size). Unknown volume → smallest. */
export function labelSizeMm(volumeL: number | null): LabelSize {
  if (volumeL === null || !Number.isFinite(volumeL) || volumeL <= 50) return 100;
  if (volumeL < 450) return 150;
  return 200;
}

/**
 * Containers over 450 L carry the label on two opposite sides (docs/regulations.md#label-size).
 * Strictly over: a 450 L container gets the 200 mm label but one of them.
 */
export function needsTwoSides(volumeL: number | null): boolean {
  return volumeL !== null && Number.isFinite(volumeL) && volumeL > 450;
}

/**
 * The placement note of a container over 450 L (label on two opposite sides), in the SVG's
 * description and as a comment, for the person printing it.
 */
export function twoSidesNote(volumeL: number | null): { desc: string; comment: string } | undefined {
  if (!needsTwoSides(volumeL)) return undefined;
  return {
    desc: '容器容积大于 450 L：本标签须分别粘贴于容器相对的两个侧面（apply on two opposite sides）',
    comment: '<!-- Container volume over 450 L: apply this label on two opposite sides of the container. -->',
  };
}

export function formatKg(n: number): string {
  return `${Number(Number(n).toFixed(3))} kg`;
}

/** Minimum character height on the printed label, by label size (docs/regulations.md#label-size). */
export const MIN_CHAR_HEIGHT_MM: Readonly<Record<LabelSize, number>> = { 100: 3, 150: 5, 200: 6 };

export interface Typography {
  /** Font size of every text on the label, in user units (its em height: the character height). */
  fs: number;
  lh: number;
  /** Width of one half-width unit (a CJK character is two). */
  half: number;
}

/**
 * The type of a label of `size` mm: the smallest font size, in user units of the 100-unit box, whose
 * printed height reaches the minimum (3 mm on 100 mm is 3 units; 5 mm on 150 mm is 3.34 units).
 * Rounded up to 0.01 so that rounding never takes a character below the minimum.
 */
export function typographyFor(size: LabelSize): Typography {
  const fs = Math.ceil((MIN_CHAR_HEIGHT_MM[size] / (size / 100)) * 100 - 1e-9) / 100;
  return { fs, lh: Number((fs * 1.25).toFixed(2)), half: fs * 0.5 };
}

/** Calendar day of an instant in Asia/Shanghai (UTC+8, no DST) as YYYY-MM-DD. */
export function shanghaiDate(d: Date): string {
  return new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Text measurement and wrapping: a half-width character counts 1, a wide (CJK, full-width) one 2.

function isWide(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export function textUnits(s: string): number {
  let n = 0;
  for (const ch of s) n += isWide(ch) ? 2 : 1;
  return n;
}

/**
 * Greedy wrapper: lines of at most `maxUnits` (CJK counts double). Latin words are broken at a
 * space when the line has one; newlines in the input start a new line. More than `maxLines`
 * lines → the last kept line ends with '…'.
 */
export function wrapText(text: string, maxUnits: number, maxLines: number): string[] {
  const lines: string[] = [];
  const paragraphs = String(text).replace(/\r\n?/g, '\n').split('\n').map((p) => p.replace(/\s+/g, ' ').trim());
  for (const para of paragraphs) {
    if (para === '') continue;
    let line: string[] = [];
    let units = 0;
    for (const ch of para) {
      const w = isWide(ch) ? 2 : 1;
      if (units + w > maxUnits && line.length > 0) {
        // Break a Latin word at the last space of the line, when there is one.
        let carry: string[] = [];
        if (ch !== ' ' && !isWide(ch) && line[line.length - 1] !== ' ') {
          const sp = line.lastIndexOf(' ');
          if (sp > 0) {
            carry = line.slice(sp + 1);
            line = line.slice(0, sp);
          }
        }
        lines.push(line.join('').trimEnd());
        line = carry;
        units = textUnits(carry.join(''));
        if (ch === ' ') continue;
      }
      if (ch === ' ' && line.length === 0) continue;
      line.push(ch);
      units += w;
    }
    if (line.length > 0) lines.push(line.join('').trimEnd());
  }
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = Array.from(kept[maxLines - 1]);
  while (last.length > 0 && textUnits(last.join('')) + 1 > maxUnits) last = last.slice(0, -1);
  kept[maxLines - 1] = last.join('').trimEnd() + '…';
  return kept;
}

// ---------------------------------------------------------------------------------------------
// SVG pieces (user units; 1 unit = 1 mm on the 100 mm label).

export const INK = '#000000';
export const FONT = "'SimHei','Heiti SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif";
export const MONO = "'DejaVu Sans Mono','Consolas','Courier New',monospace";

export const f = (n: number) => String(Number(n.toFixed(2)));

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${f(x)}" y="${f(y)}"${attrs ? ' ' + attrs : ''}>${escapeXml(s)}</text>`;
}

/**
 * The root element of a label: physical size in mm, the 100-unit box, the body font size of the
 * label size, and no stroke unless asked (simple SVG renderers otherwise outline text).
 */
export function svgOpen(size: LabelSize, ty: Typography): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${size}mm" height="${size}mm" viewBox="0 0 100 100" font-family="${FONT}" font-size="${ty.fs}" fill="${INK}" stroke="none">`;
}

export interface Field {
  label: string;
  value: string;
  maxLines: number;
  mono?: boolean;
  /** Left empty on the record: an underline to fill in by hand. */
  blank?: boolean;
}

/** Draws a column of labelled fields; returns the SVG and the y below the last line. */
export function fieldColumn(ty: Typography, fields: Field[], x: number, y0: number, width: number): { svg: string; y: number } {
  const labelUnits = Math.max(...fields.map((fl) => textUnits(fl.label + '：')));
  const valueX = x + labelUnits * ty.half + 0.6;
  const maxUnits = Math.floor((x + width - valueX) / ty.half);
  const out: string[] = [];
  let y = y0;
  for (const fl of fields) {
    out.push(text(x, y, fl.label + '：', 'font-weight="bold"'));
    if (fl.blank) {
      out.push(`<line x1="${f(valueX)}" y1="${f(y + 0.6)}" x2="${f(x + width)}" y2="${f(y + 0.6)}" stroke="${INK}" stroke-width="0.25"/>`);
    }
    const lines = fl.mono ? [fl.value] : wrapText(fl.value, maxUnits, fl.maxLines);
    if (lines.length === 0) lines.push('');
    lines.forEach((ln, i) => {
      if (ln !== '') out.push(text(valueX, y + i * ty.lh, ln, fl.mono ? `font-family="${MONO}"` : ''));
    });
    y += Math.max(1, lines.length) * ty.lh;
  }
  return { svg: out.join('\n'), y };
}

/** Quiet zone around the QR modules, in modules, inside the white patch. */
export const QR_MARGIN = 2;

/**
 * The QR code of `content` in the square (x, y, size): a white patch and one filled path of its dark
 * modules, in module units scaled into place. Filled rectangles rather than stroked lines, and no
 * nested <svg>, so that every SVG renderer (ImageMagick's own included) draws the modules where a
 * browser does; the layout is checked by rasterising the printed label (test/labels/printed-qr-scan.test.ts).
 */
export function qrMarkup(content: string, x: number, y: number, size: number): string {
  const qr = QRCode.create(content, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const d: string[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!qr.modules.get(row, col)) continue;
      let run = 1;
      while (col + run < n && qr.modules.get(row, col + run)) run++;
      d.push(`M${col + QR_MARGIN} ${row + QR_MARGIN}h${run}v1h-${run}z`);
      col += run - 1;
    }
  }
  const scale = size / (n + 2 * QR_MARGIN);
  return `<rect x="${f(x)}" y="${f(y)}" width="${f(size)}" height="${f(size)}" fill="#FFFFFF"/>\n`
    + `<g transform="translate(${f(x)} ${f(y)}) scale(${Number(scale.toFixed(6))})" fill="${INK}">`
    + `<path data-qr-modules="${n}" d="${d.join('')}"/></g>`;
}

/** Inner edge of the label's border, right and bottom (the border is 1.2 units wide from the edge). */
const INNER_EDGE = 98.5;

/**
 * The QR in the lower-right corner of the label, its top at `top`, as large as fits up to `maxSize`:
 * larger modules are what lets a blurred or low-resolution print scan.
 */
export function qrInLowerRight(content: string, top: number, maxSize = 36.2): string {
  const size = Math.min(maxSize, INNER_EDGE - top);
  return qrMarkup(content, INNER_EDGE - size, top, size);
}
