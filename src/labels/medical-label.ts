// The medical-waste label (HJ 421-2008, docs/regulations.md#medical-label): what an HW01 container
// carries instead of the HJ 1276 label, which defers to HJ 421 for medical waste. It shows the
// 医疗废物 warning sign and the fields HJ 421 is reported to ask for (producing institution,
// department, date, category, special notes), with the same digital code and QR as every label.
import { findWasteCode } from '../catalog/catalog.js';
import type { LabelRow } from './label-view.js';
import {
  escapeXml, fieldColumn, formatKg, INK, labelSizeMm, qrInLowerRight, shanghaiDate, svgOpen, twoSidesNote, typographyFor,
  type PrintableLabel,
} from './label-svg.js';
import { hazardPictogram } from './hazard-pictograms.js';

/** The medical-waste category of the national list. */
const MEDICAL_CATEGORY = 'HW01';

export const isMedicalLabel = (l: Pick<LabelRow, 'category'>): boolean => l.category === MEDICAL_CATEGORY;

// Yellow, as the one summary of HJ 421 read describes the sign; the exact colour is not confirmed.
const BG = '#FFE500';

/** The HJ 421 medical-waste label as a standalone SVG document. */
export function renderMedicalLabelSvg(p: PrintableLabel): string {
  const l = p.label;
  const size = p.size ?? labelSizeMm(l.volumeL);
  const ty = typographyFor(size);
  const twoSides = twoSidesNote(l.volumeL);
  // 类别: the kind of medical waste the waste code names in the catalogue (感染性废物, 损伤性废物, ...).
  const kind = findWasteCode(l.wasteCode)?.description ?? l.wasteName;
  const specialNotes = [l.precautions, l.remarks].map((s) => s.trim()).filter((s) => s !== '').join('；');

  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8" standalone="no"?>');
  out.push(svgOpen(size, ty));
  out.push(`<title>医疗废物 ${escapeXml(l.digitalCode)}</title>`);
  const desc = [`HJ 421-2008 医疗废物标签（警示标志），${size}×${size} mm`];
  if (twoSides) desc.push(twoSides.desc);
  out.push(`<desc>${escapeXml(desc.join('；'))}</desc>`);
  if (twoSides) out.push(twoSides.comment);

  out.push(`<rect x="0" y="0" width="100" height="100" fill="${BG}"/>`);
  out.push(`<rect x="0.6" y="0.6" width="98.8" height="98.8" fill="none" stroke="${INK}" stroke-width="1.2"/>`);

  // Warning sign: the biohazard symbol and the words 医疗废物, above a divider.
  out.push(`<g data-warning-sign="医疗废物">`);
  out.push(hazardPictogram('In', 14, 11, ty, 8.5, false));
  out.push(`<text x="60" y="15" font-size="11" font-weight="bold" text-anchor="middle" letter-spacing="1.5">医疗废物</text>`);
  out.push('</g>');
  out.push(`<line x1="0.6" y1="21.5" x2="99.4" y2="21.5" stroke="${INK}" stroke-width="0.6"/>`);

  const top = 21.5 + ty.fs + 0.8;
  const fields = fieldColumn(ty, [
    { label: '产生单位', value: p.generator.name, maxLines: 2 },
    { label: '科室', value: '', maxLines: 1, blank: true },
    { label: '产生日期', value: shanghaiDate(l.generatedAt), maxLines: 1 },
    { label: '类别', value: kind, maxLines: 1 },
    { label: '特别说明', value: specialNotes, maxLines: 3 },
  ], 2.5, top, 95);
  out.push(fields.svg);

  const divider = Math.max(fields.y - ty.lh + 1.6, 55);
  out.push(`<line x1="0.6" y1="${divider.toFixed(2)}" x2="99.4" y2="${divider.toFixed(2)}" stroke="${INK}" stroke-width="0.3"/>`);
  const codeY = divider + ty.fs + 0.5;
  const code = fieldColumn(ty, [{ label: '数字识别码', value: l.digitalCode, maxLines: 1, mono: true }], 2.5, codeY, 96);
  out.push(code.svg);
  const lower = fieldColumn(ty, [
    { label: '废物代码', value: l.wasteCode, maxLines: 1 },
    { label: '废物重量', value: formatKg(l.quantityKg), maxLines: 1 },
  ], 2.5, code.y + 0.3, 59);
  out.push(lower.svg);
  out.push(qrInLowerRight(p.qrContent, code.y - ty.fs + 0.3));

  out.push('</svg>');
  return out.join('\n') + '\n';
}
