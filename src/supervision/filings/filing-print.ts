// What the printed plan and declaration share: the Chinese names of the classes and states, tonnes
// as printed (to the gram, no trailing zeros), and the heading block of a filing (unit, site,
// class with its reason, version, state, submission) with a DRAFT mark on anything not submitted.
import { mm } from '../../documents/pdf-document.js';
import { A4, type FlowDocument } from '../../documents/pdf-flow.js';
import { textBlock, textLine } from '../../documents/pdf-text.js';
import { printedTime } from '../../manifests/manifest-pdf.js';
import type { ManagementClass } from '../management-class.js';

export const CLASS_NAMES: Record<ManagementClass, string> = { key: '重点监管', simplified: '简化管理', registration: '登记管理' };

/** Tonnes to the gram (the ledger sums in grams), as the JSON gives them. */
export const tonnes = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : `${Number(n.toFixed(6))}`);

export interface FilingHeading {
  title: string;
  subtitle: string;
  unitName: string;
  uscc: string;
  siteName: string;
  siteAddress: string;
  managementClass: ManagementClass;
  managementClassReason: string;
  version: number;
  submitted: boolean;
  submittedAt: string | null;
  dueOn: string;
  changeReason: string | null;
  extra: Array<{ label: string; value: string }>;
}

/** Title, a DRAFT mark when not submitted, and the filing's identity as label–value pairs. */
export function drawFilingHeading(out: FlowDocument, h: FilingHeading): void {
  const { doc } = out;
  textLine(doc, h.title, A4.margin, A4.margin + 18, { size: 18, bold: true, characterSpacing: 1 });
  if (!h.submitted) {
    // A draft is drafted afresh from the ledger on every read: the mark says it is not a filing.
    const w = mm(42);
    const x = A4.width - A4.margin - w;
    doc.save().rect(x, A4.margin + 2, w, mm(9)).lineWidth(1.5).stroke('#C00000').restore();
    textLine(doc, '草稿　未提交', x + w / 2, A4.margin + 2 + mm(6.3), { size: 13, bold: true, color: '#C00000', align: 'center' });
  }
  out.y = textBlock(doc, h.subtitle, A4.margin, A4.margin + 26, A4.contentWidth, { size: 10 }) + 6;
  out.fields([
    { label: '单位名称', value: h.unitName },
    { label: '统一社会信用代码', value: h.uscc },
    { label: '生产经营场所', value: `${h.siteName}${h.siteAddress ? `（${h.siteAddress}）` : ''}` },
    { label: '管理类别', value: CLASS_NAMES[h.managementClass] },
    { label: '版本', value: String(h.version) },
    { label: '状态', value: h.submitted ? '已提交（锁定）' : '草稿（未提交，据台账即时生成）' },
    { label: '提交时间（北京时间）', value: h.submitted ? printedTime(h.submittedAt) : '—' },
    { label: '截止日期', value: h.dueOn },
    ...h.extra,
  ]);
  out.fields([{ label: '管理类别依据', value: h.managementClassReason }], 1);
  if (h.changeReason) out.fields([{ label: '变更原因', value: h.changeReason }], 1);
}

/** The footer of every page: printed when, from what. */
export function filingFooter(printedAt: Date, what: string): string[] {
  return [`本${what}由危险废物监管平台据电子台账打印，打印时间 ${printedTime(printedAt)}（北京时间）；数量单位：吨（t）`];
}
