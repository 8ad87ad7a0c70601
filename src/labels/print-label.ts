// The printable hazardous-waste label (危险废物标签, HJ 1276-2022, docs/regulations.md#label-content) as a standalone SVG.
// The layout is drawn once in a 100×100 user-unit box; the physical size (100/150/200 mm by container
// volume) only changes the width/height attributes, the viewBox scales the same layout.
import QRCode from 'qrcode';
import { findCategory } from '../catalog/catalog.js';
import type { LabelRow } from './label-view.js';

export interface PrintableLabel {
  label: LabelRow;
  generator: { name: string; contactName: string; contactPhone: string };
  qrContent: string;
}

export const HAZARD_NAMES: Readonly<Record<string, string>> = {
  T: '毒性',
  C: '腐蚀性',
  I: '易燃性',
  R: '反应性',
  In: '感染性',
};

export const PHYSICAL_FORM_NAMES: Readonly<Record<string, string>> = {
  solid: '固态',
  semi_solid: '半固态',
  liquid: '液态',
  gas: '气态',
};

const HAZARD_ORDER = Object.keys(HAZARD_NAMES);

/** Chinese name of a hazard characteristic code; unknown codes are shown as they are. */
export function hazardName(h: string): string {
  return Object.hasOwn(HAZARD_NAMES, h) ? HAZARD_NAMES[h] : h;
}

/** Chinese name of a physical form; unknown values are shown as they are. */
export function physicalFormName(f: string): string {
  return Object.hasOwn(PHYSICAL_FORM_NAMES, f) ? PHYSICAL_FORM_NAMES[f] : f;
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

/** Minimum printed label size by container volume (docs/regulations.md#label-size). Unknown volume → smallest. */
export function labelSizeMm(volumeL: number | null): 100 | 150 | 200 {
  if (volumeL === null || !Number.isFinite(volumeL) || volumeL <= 50) return 100;
  if (volumeL < 450) return 150;
  return 200;
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
// Layout (user units; 1 unit = 1 mm on the 100 mm label).

const BG = '#FF9600'; // HJ 1276: conspicuous orange-yellow background, black border and text
const INK = '#000000';
const FONT = "'SimHei','Heiti SC','Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei',sans-serif";
const MONO = "'DejaVu Sans Mono','Consolas','Courier New',monospace";
const FS = 2.5; // body font size
const LH = 3.3; // line height
const HALF = FS * 0.5; // width of one half-width unit

const f = (n: number) => String(Number(n.toFixed(2)));

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${f(x)}" y="${f(y)}"${attrs ? ' ' + attrs : ''}>${escapeXml(s)}</text>`;
}

interface Field {
  label: string;
  value: string;
  maxLines: number;
  mono?: boolean;
}

/** Draws a column of labelled fields; returns the SVG and the y below the last line. */
function fieldColumn(fields: Field[], x: number, y0: number, width: number): { svg: string; y: number } {
  const labelUnits = Math.max(...fields.map((fl) => textUnits(fl.label + '：')));
  const valueX = x + labelUnits * HALF + 0.6;
  const maxUnits = Math.floor((x + width - valueX) / HALF);
  const out: string[] = [];
  let y = y0;
  for (const fl of fields) {
    out.push(text(x, y, fl.label + '：', 'font-weight="bold"'));
    const lines = fl.mono ? [fl.value] : wrapText(fl.value, maxUnits, fl.maxLines);
    if (lines.length === 0) lines.push('');
    lines.forEach((ln, i) => {
      if (ln !== '') out.push(text(valueX, y + i * LH, ln, fl.mono ? `font-family="${MONO}"` : ''));
    });
    y += Math.max(1, lines.length) * LH;
  }
  return { svg: out.join('\n'), y };
}

/** A small GHS-like pictogram: red-bordered white diamond with a simple black symbol. */
function hazardPictogram(h: string, cx: number, cy: number): string {
  const r = 4.5;
  const diamond = `<polygon points="0,${-r} ${r},0 0,${r} ${-r},0" fill="#FFFFFF" stroke="#E60012" stroke-width="0.6" stroke-linejoin="round"/>`;
  let symbol: string;
  switch (h) {
    case 'T': // skull and crossbones
      symbol = '<path d="M-1.8,0.6 L1.8,2 M1.8,0.6 L-1.8,2" stroke="#000" stroke-width="0.45"/>'
        + '<circle cx="0" cy="-0.7" r="1.45" fill="#000"/>'
        + '<circle cx="-0.55" cy="-0.8" r="0.38" fill="#FFF"/><circle cx="0.55" cy="-0.8" r="0.38" fill="#FFF"/>';
      break;
    case 'C': // liquid dripping onto a bar
      symbol = '<path d="M-1,-2.4 C-0.2,-1.4 -0.2,-0.6 -1,-0.5 C-1.8,-0.6 -1.8,-1.4 -1,-2.4 Z" fill="#000"/>'
        + '<path d="M1,-2.4 C1.8,-1.4 1.8,-0.6 1,-0.5 C0.2,-0.6 0.2,-1.4 1,-2.4 Z" fill="#000"/>'
        + '<rect x="-2.3" y="0.6" width="4.6" height="0.9" fill="#000"/>'
        + '<rect x="-0.6" y="1.5" width="2" height="0.7" fill="#000"/>';
      break;
    case 'I': // flame over a base line
      symbol = '<path d="M0,-2.7 C1.9,-0.9 1.9,1.5 0,1.7 C-1.9,1.5 -1.7,-0.3 -0.5,-1.1 C-0.5,-0.3 0,-0.1 0.2,-0.6 C0.5,-1.4 0.1,-2 0,-2.7 Z" fill="#000"/>'
        + '<rect x="-2" y="2" width="4" height="0.5" fill="#000"/>';
      break;
    case 'R': { // exploding burst
      const pts: string[] = [];
      for (let i = 0; i < 16; i++) {
        const a = (Math.PI * 2 * i) / 16 - Math.PI / 2;
        const rr = i % 2 === 0 ? 2.5 : 1.1;
        pts.push(`${f(Math.cos(a) * rr)},${f(Math.sin(a) * rr)}`);
      }
      symbol = `<polygon points="${pts.join(' ')}" fill="#000"/>`;
      break;
    }
    case 'In': { // biohazard-like: three rings around a centre
      const rings = [0, 1, 2].map((i) => {
        const a = (Math.PI * 2 * i) / 3 - Math.PI / 2;
        return `<circle cx="${f(Math.cos(a) * 1.05)}" cy="${f(Math.sin(a) * 1.05)}" r="1.15" fill="none" stroke="#000" stroke-width="0.45"/>`;
      });
      symbol = rings.join('') + '<circle cx="0" cy="0" r="0.45" fill="#000"/>';
      break;
    }
    default:
      symbol = `<text x="0" y="0.9" font-size="2.4" text-anchor="middle" font-weight="bold">${escapeXml(h)}</text>`;
  }
  return `<g transform="translate(${f(cx)} ${f(cy)})">${diamond}${symbol}`
    + `<text x="0" y="${f(r + 2.6)}" font-size="2.3" text-anchor="middle">${escapeXml(hazardName(h))}</text></g>`;
}

/** Hazard pictograms in a two-column grid inside the given box. */
function hazardGrid(hazards: string[], x: number, y: number, w: number, h: number): string {
  if (hazards.length === 0) return '';
  const cols = hazards.length === 1 ? 1 : 2;
  const rows = Math.ceil(hazards.length / cols);
  const cellW = w / cols;
  const cellH = Math.min(h / rows, 14);
  return hazards.map((hz, i) => {
    const row = Math.floor(i / cols);
    const inRow = Math.min(cols, hazards.length - row * cols);
    const col = i % cols;
    const rowOffset = ((cols - inRow) * cellW) / 2; // centre a lone pictogram in the last row
    const cx = x + rowOffset + col * cellW + cellW / 2;
    const cy = y + row * cellH + 5; // diamond top at the cell top, name below
    return hazardPictogram(hz, cx, cy);
  }).join('\n');
}

/** Renders the QR code of `content` and returns its viewBox size and its inner path elements. */
async function qrPaths(content: string): Promise<{ size: number; inner: string }> {
  const svg = await QRCode.toString(content, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  const m = /<svg\b[^>]*\bviewBox="0 0 (\d+) (\d+)"[^>]*>([\s\S]*)<\/svg>/.exec(svg);
  if (!m) throw new Error('qrcode: unexpected SVG output');
  return { size: Number(m[1]), inner: m[3].trim() };
}

function sortHazards(hs: string[]): string[] {
  const known = HAZARD_ORDER.filter((h) => hs.includes(h));
  const unknown = [...new Set(hs.filter((h) => !HAZARD_ORDER.includes(h)))];
  return [...known, ...unknown];
}

function formatKg(n: number): string {
  return `${Number(Number(n).toFixed(3))} kg`;
}

/** The whole printable HJ 1276 label as a standalone SVG document. */
export async function renderLabelSvg(p: PrintableLabel): Promise<string> {
  const l = p.label;
  const size = labelSizeMm(l.volumeL);
  const hazards = sortHazards(l.hazards);
  const categoryName = findCategory(l.category)?.name ?? '';
  const qr = await qrPaths(p.qrContent);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8" standalone="no"?>');
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${size}mm" height="${size}mm" viewBox="0 0 100 100" font-family="${FONT}" font-size="${FS}" fill="${INK}">`);
  out.push(`<title>危险废物标签 ${escapeXml(l.digitalCode)}</title>`);
  const desc = [`HJ 1276-2022 危险废物标签，${size}×${size} mm`];
  if (size === 200) desc.push('容器容积 ≥ 450 L：本标签须分别粘贴于容器相对的两个侧面（apply on two opposite sides）');
  out.push(`<desc>${escapeXml(desc.join('；'))}</desc>`);
  if (size === 200) out.push('<!-- Container volume >= 450 L: apply this label on two opposite sides of the container. -->');

  // Background, border and title bar.
  out.push(`<rect x="0" y="0" width="100" height="100" fill="${BG}"/>`);
  out.push(`<rect x="0.6" y="0.6" width="98.8" height="98.8" fill="none" stroke="${INK}" stroke-width="1.2"/>`);
  out.push(`<rect x="0.6" y="0.6" width="98.8" height="11" fill="${BG}" stroke="${INK}" stroke-width="0.6"/>`);
  out.push(`<text x="50" y="8.9" font-size="7.2" font-weight="bold" text-anchor="middle" letter-spacing="0.8">危险废物标签</text>`);

  // Upper section: waste description (left), hazard characteristics (right).
  const upper = fieldColumn([
    { label: '废物名称', value: l.wasteName, maxLines: 2 },
    { label: '废物类别', value: categoryName ? `${l.category} ${categoryName}` : l.category, maxLines: 1 },
    { label: '废物代码', value: l.wasteCode, maxLines: 1 },
    { label: '废物形态', value: physicalFormName(l.physicalForm), maxLines: 1 },
    { label: '主要成分', value: l.mainComponents, maxLines: 3 },
    { label: '有害成分', value: l.harmfulComponents, maxLines: 2 },
    { label: '注意事项', value: l.precautions, maxLines: 3 },
  ], 2.5, 15.5, 62);
  out.push(upper.svg);
  out.push(`<line x1="66" y1="12.2" x2="66" y2="57.5" stroke="${INK}" stroke-width="0.3"/>`);
  out.push(text(82, 15.5, '危险特性', 'font-weight="bold" text-anchor="middle"'));
  out.push(hazardGrid(hazards, 66, 17.5, 33, 40));

  // Lower section: identification and generating unit (left), QR code (right).
  out.push(`<line x1="0.6" y1="57.5" x2="99.4" y2="57.5" stroke="${INK}" stroke-width="0.3"/>`);
  const code = fieldColumn([{ label: '数字识别码', value: l.digitalCode, maxLines: 1, mono: true }], 2.5, 61.2, 96);
  out.push(code.svg);
  const lower = fieldColumn([
    { label: '产生/收集单位', value: p.generator.name, maxLines: 2 },
    { label: '联系人', value: p.generator.contactName, maxLines: 1 },
    { label: '联系方式', value: p.generator.contactPhone, maxLines: 1 },
    { label: '产生日期', value: shanghaiDate(l.generatedAt), maxLines: 1 },
    { label: '废物重量', value: formatKg(l.quantityKg), maxLines: 1 },
    { label: '备注', value: l.remarks, maxLines: 2 },
  ], 2.5, 65.2, 60);
  out.push(lower.svg);

  const qx = 65.5;
  const qy = 64.5;
  const qs = 32;
  out.push(`<rect x="${f(qx - 1.2)}" y="${f(qy - 1.2)}" width="${f(qs + 2.4)}" height="${f(qs + 2.4)}" fill="#FFFFFF"/>`);
  out.push(`<svg x="${f(qx)}" y="${f(qy)}" width="${qs}" height="${qs}" viewBox="0 0 ${qr.size} ${qr.size}" fill="none" stroke-width="1" shape-rendering="crispEdges">${qr.inner}</svg>`);

  out.push('</svg>');
  return out.join('\n') + '\n';
}
