// The printable hazardous-waste label (危险废物标签, HJ 1276-2022, docs/regulations.md#label-content) as a standalone SVG.
// HW01 (medical waste) gets the HJ 421 medical-waste label instead (medical-label.ts). The layout is
// drawn in a 100×100 user-unit box; the physical size (100/150/200 mm by container volume) changes
// the width/height attributes and the type size, which must reach the minimum character height.
import { findCategory } from '../catalog/catalog.js';
import {
  escapeXml, fieldColumn, formatKg, INK, labelSizeMm, qrInLowerRight, shanghaiDate, svgOpen, text, twoSidesNote, typographyFor,
  type PrintableLabel,
} from './label-svg.js';
import { hazardGrid, sortHazards } from './hazard-pictograms.js';
import { isMedicalLabel, renderMedicalLabelSvg } from './medical-label.js';

// Shared helpers, exported from here as before for the verification page and the tests.
export { escapeXml, labelSizeMm, shanghaiDate, textUnits, wrapText, type PrintableLabel } from './label-svg.js';
export { HAZARD_NAMES, hazardName } from './hazard-pictograms.js';

export const PHYSICAL_FORM_NAMES: Readonly<Record<string, string>> = {
  solid: '固态',
  semi_solid: '半固态',
  liquid: '液态',
  gas: '气态',
};

/** Chinese name of a physical form; unknown values are shown as they are. */
export function physicalFormName(f: string): string {
  return Object.hasOwn(PHYSICAL_FORM_NAMES, f) ? PHYSICAL_FORM_NAMES[f] : f;
}

const BG = '#FF9600'; // HJ 1276: conspicuous orange-yellow background, black border and text

/** The printable label of a container: HJ 421 for medical waste (HW01), HJ 1276 otherwise. */
export async function renderLabelSvg(p: PrintableLabel): Promise<string> {
  return isMedicalLabel(p.label) ? renderMedicalLabelSvg(p) : renderHazardousWasteLabelSvg(p);
}

/** The whole printable HJ 1276 label as a standalone SVG document. */
function renderHazardousWasteLabelSvg(p: PrintableLabel): string {
  const l = p.label;
  const size = p.size ?? labelSizeMm(l.volumeL);
  const ty = typographyFor(size);
  const hazards = sortHazards(l.hazards);
  const categoryName = findCategory(l.category)?.name ?? '';
  const twoSides = twoSidesNote(l.volumeL);

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8" standalone="no"?>');
  out.push(svgOpen(size, ty));
  out.push(`<title>危险废物标签 ${escapeXml(l.digitalCode)}</title>`);
  const desc = [`HJ 1276-2022 危险废物标签，${size}×${size} mm`];
  if (twoSides) desc.push(twoSides.desc);
  out.push(`<desc>${escapeXml(desc.join('；'))}</desc>`);
  if (twoSides) out.push(twoSides.comment);

  // Background, border and title bar.
  out.push(`<rect x="0" y="0" width="100" height="100" fill="${BG}"/>`);
  out.push(`<rect x="0.6" y="0.6" width="98.8" height="98.8" fill="none" stroke="${INK}" stroke-width="1.2"/>`);
  out.push(`<rect x="0.6" y="0.6" width="98.8" height="11" fill="${BG}" stroke="${INK}" stroke-width="0.6"/>`);
  out.push(`<text x="50" y="8.9" font-size="7.2" font-weight="bold" text-anchor="middle" letter-spacing="0.8">危险废物标签</text>`);

  // Upper section: waste description (left), hazard characteristics (right). Ten lines at most, so
  // that they fit above the divider at the largest type (3.34 units on the 150 mm label).
  const top = 12.2 + ty.fs + 0.4;
  const upper = fieldColumn(ty, [
    { label: '废物名称', value: l.wasteName, maxLines: 2 },
    { label: '废物类别', value: categoryName ? `${l.category} ${categoryName}` : l.category, maxLines: 1 },
    { label: '废物代码', value: l.wasteCode, maxLines: 1 },
    { label: '废物形态', value: physicalFormName(l.physicalForm), maxLines: 1 },
    { label: '主要成分', value: l.mainComponents, maxLines: 2 },
    { label: '有害成分', value: l.harmfulComponents, maxLines: 1 },
    { label: '注意事项', value: l.precautions, maxLines: 2 },
  ], 2.5, top, 62);
  out.push(upper.svg);
  out.push(`<line x1="66" y1="12.2" x2="66" y2="57.5" stroke="${INK}" stroke-width="0.3"/>`);
  out.push(text(82, top, '危险特性', 'font-weight="bold" text-anchor="middle"'));
  out.push(hazardGrid(hazards, 66, top + 1.5, 33, 57.5 - (top + 1.5), ty));

  // Lower section: identification and generating unit (left), QR code (right).
  out.push(`<line x1="0.6" y1="57.5" x2="99.4" y2="57.5" stroke="${INK}" stroke-width="0.3"/>`);
  const codeY = 57.5 + ty.fs + 0.5;
  const code = fieldColumn(ty, [{ label: '数字识别码', value: l.digitalCode, maxLines: 1, mono: true }], 2.5, codeY, 96);
  out.push(code.svg);
  const lower = fieldColumn(ty, [
    { label: '产生/收集单位', value: p.generator.name, maxLines: 2 },
    { label: '联系人', value: p.generator.contactName, maxLines: 1 },
    { label: '联系方式', value: p.generator.contactPhone, maxLines: 1 },
    { label: '产生日期', value: shanghaiDate(l.generatedAt), maxLines: 1 },
    { label: '废物重量', value: formatKg(l.quantityKg), maxLines: 1 },
    { label: '备注', value: l.remarks, maxLines: 2 },
  ], 2.5, code.y + 0.3, 59);
  out.push(lower.svg);

  out.push(qrInLowerRight(p.qrContent, code.y - ty.fs + 0.3));

  out.push('</svg>');
  return out.join('\n') + '\n';
}
