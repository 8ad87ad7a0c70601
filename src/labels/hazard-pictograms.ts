// The hazard-characteristic pictograms drawn on the printed labels, and their Chinese names.
import { escapeXml, f, type Typography } from './label-svg.js';

export const HAZARD_NAMES: Readonly<Record<string, string>> = {
  T: '毒性',
  C: '腐蚀性',
  I: '易燃性',
  R: '反应性',
  In: '感染性',
};

const HAZARD_ORDER = Object.keys(HAZARD_NAMES);

/** Chinese name of a hazard characteristic code; unknown codes are shown as they are. */
export function hazardName(h: string): string {
  return Object.hasOwn(HAZARD_NAMES, h) ? HAZARD_NAMES[h] : h;
}

/** A small GHS-like pictogram: red-bordered white diamond with a simple black symbol. */
export function hazardPictogram(h: string, cx: number, cy: number, ty: Typography, r = 4.5, named = true): string {
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
      symbol = `<text x="0" y="0.9" font-size="${ty.fs}" text-anchor="middle" font-weight="bold">${escapeXml(h)}</text>`;
  }
  // The symbol is drawn for a 4.5-unit diamond and scaled with it; the name below keeps the label's type size.
  const k = r / 4.5;
  const scaled = k === 1 ? symbol : `<g transform="scale(${f(k)})">${symbol}</g>`;
  const name = named ? `<text x="0" y="${f(r + ty.fs + 0.2)}" font-size="${ty.fs}" text-anchor="middle">${escapeXml(hazardName(h))}</text>` : '';
  return `<g transform="translate(${f(cx)} ${f(cy)})">${diamond}${scaled}${name}</g>`;
}

/** Hazard pictograms in a two-column grid inside the given box. */
export function hazardGrid(hazards: string[], x: number, y: number, w: number, h: number, ty: Typography): string {
  if (hazards.length === 0) return '';
  const cols = hazards.length === 1 ? 1 : 2;
  const rows = Math.ceil(hazards.length / cols);
  const cellW = w / cols;
  const cellH = Math.min(h / rows, 9 + ty.fs + 2);
  return hazards.map((hz, i) => {
    const row = Math.floor(i / cols);
    const inRow = Math.min(cols, hazards.length - row * cols);
    const col = i % cols;
    const rowOffset = ((cols - inRow) * cellW) / 2; // centre a lone pictogram in the last row
    const cx = x + rowOffset + col * cellW + cellW / 2;
    const cy = y + row * cellH + 5; // diamond top at the cell top, name below
    return hazardPictogram(hz, cx, cy, ty);
  }).join('\n');
}

/** Known hazards in the fixed order T, C, I, R, In; unknown codes after them, once each. */
export function sortHazards(hs: string[]): string[] {
  const known = HAZARD_ORDER.filter((h) => hs.includes(h));
  const unknown = [...new Set(hs.filter((h) => !HAZARD_ORDER.includes(h)))];
  return [...known, ...unknown];
}

