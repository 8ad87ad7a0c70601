// The declaration printed on A4 (危险废物申报, HJ 1259-2022 §7.3 and appendix C): a summary of the
// period's balance per waste code, then per waste code its figures (opening stock, generated,
// received, transferred out, utilised and disposed of in-house, closing stock), its in-house
// utilisation/disposal and its receivers with licence, method and manifests, as the declaration
// holds them (a submitted version as locked, a draft as drafted now and marked as such).
import type { Pdf } from '../../documents/pdf-document.js';
import { FlowDocument } from '../../documents/pdf-flow.js';
import { physicalFormName } from '../../labels/print-label.js';
import type { OrgRow } from '../../parties/org-view.js';
import type { SiteRow } from '../../parties/sites.js';
import type { WasteBalance } from './balance.js';
import type { DeclarationFigures } from './declarations.js';
import { drawFilingHeading, filingFooter, tonnes } from './filing-print.js';
import type { PeriodKind } from './periods.js';
import { TRANSFER_TYPES } from './plan-pdf.js';

/** A declaration as the routes answer it: a draft or a submitted version. */
export type DeclarationView = DeclarationFigures & {
  state: string; version?: number; submittedAt?: string; changeReason?: string | null; submittedLate?: boolean;
  versions: Array<{ version: number; submittedAt: string; changeReason: string | null }>;
};

const KIND_NAMES: Record<PeriodKind, string> = { month: '月度', quarter: '季度', year: '年度' };
const IN_HOUSE_KINDS: Record<string, string> = { utilisation: '自行利用', disposal: '自行处置' };

/** The period in words: 2026 年 10 月, 2026 年第 3 季度, 2026 年度. */
export function periodName(id: string, kind: PeriodKind): string {
  const [year, part] = id.split('-');
  if (kind === 'month') return `${year} 年 ${Number(part)} 月`;
  if (kind === 'quarter') return `${year} 年第 ${part.slice(1)} 季度`;
  return `${year} 年度`;
}

const FIGURES: Array<{ header: string; of: (r: WasteBalance) => number }> = [
  { header: '期初贮存量', of: (r) => r.openingStockT },
  { header: '产生量', of: (r) => r.generatedT },
  { header: '接收量', of: (r) => r.receivedT },
  { header: '委外转移量', of: (r) => r.transferredOutT },
  { header: '自行利用量', of: (r) => r.utilisedInHouseT },
  { header: '自行处置量', of: (r) => r.disposedInHouseT },
  { header: '期末贮存量', of: (r) => r.closingStockT },
];

/** The printed declaration, ready to send (not yet ended). */
export function declarationPdf(d: DeclarationView, org: OrgRow, site: SiteRow, printedAt: Date): Pdf {
  const submitted = d.state === 'submitted';
  const title = `危险废物${KIND_NAMES[d.periodKind]}申报`;
  const out = new FlowDocument(`${title} ${d.period} ${site.name}${submitted ? '' : '（草稿）'}`, filingFooter(printedAt, '申报表'));
  drawFilingHeading(out, {
    title, subtitle: `申报期：${periodName(d.period, d.periodKind)}（${d.from} 至 ${d.to}）；依据 HJ 1259-2022 第 7 章、附录 C`,
    unitName: org.name, uscc: org.uscc, siteName: site.name, siteAddress: site.address ?? '',
    managementClass: d.managementClass, managementClassReason: d.managementClassReason,
    version: d.version ?? (d.versions.length > 0 ? Math.max(...d.versions.map((v) => v.version)) + 1 : 1),
    submitted, submittedAt: d.submittedAt ?? null, dueOn: d.dueOn, changeReason: d.changeReason ?? null,
    extra: [
      { label: '本类别须申报此期', value: d.required ? '是' : '否' },
      ...(d.submittedLate ? [{ label: '逾期', value: `晚于 ${d.dueOn} 提交` }] : []),
    ],
  });

  out.heading('一、危险废物收支汇总（t）');
  if (d.rows.length === 0) out.paragraph('本申报期无危险废物贮存或流转记录。');
  else {
    out.table([
      { header: '废物代码', width: 1.2 }, { header: '废物名称', width: 2 },
      ...FIGURES.map((f) => ({ header: f.header, width: 0.85, align: 'right' as const })),
    ], d.rows.map((r) => [r.wasteCode, r.wasteName, ...FIGURES.map((f) => tonnes(f.of(r)))]));
  }

  d.rows.forEach((r, i) => {
    out.heading(`${toChineseOrdinal(i + 2)}、${r.wasteCode}`);
    out.fields([{ label: '废物名称', value: r.wasteName }], 1);
    out.fields([
      { label: '废物类别', value: r.category }, { label: '形态', value: r.physicalForm ? physicalFormName(r.physicalForm) : '—' },
      { label: '贮存设施', value: r.storageFacilityCodes.join('、') || '—' },
      ...FIGURES.map((f) => ({ label: `${f.header}（t）`, value: tonnes(f.of(r)) })),
      { label: '批次数（产生 / 接收 / 转移 / 利用 / 处置）', value: Object.values(r.batchCodes).map((c) => c.length).join(' / ') },
    ], 4);
    if (r.inHouse.length > 0) {
      out.table([
        { header: '自行利用 / 处置', width: 1.2 }, { header: '方式代码', width: 1 }, { header: '设施编码', width: 1.6 }, { header: '数量（t）', width: 1, align: 'right' },
      ], r.inHouse.map((x) => [IN_HOUSE_KINDS[x.kind] ?? x.kind, x.method ?? '—', x.facilityCode ?? '—', tonnes(x.quantityT)]));
    }
    if (r.transfers.length > 0) {
      out.table([
        { header: '转移类型', width: 0.8 }, { header: '接受单位', width: 2 }, { header: '许可证编码', width: 1.4 }, { header: '方式', width: 0.6 },
        { header: '数量（t）', width: 0.9, align: 'right' }, { header: '联单编号', width: 1.6 },
      ], r.transfers.map((x) => [
        x.transferType ? TRANSFER_TYPES[x.transferType] ?? x.transferType : '—', x.receiverName, x.licenceNumber ?? '—', x.method ?? '—',
        tonnes(x.quantityT), x.manifestNumbers.join('\n') || '—',
      ]));
    }
  });

  if (d.versions.length > 0) {
    out.heading('版本记录');
    out.table([{ header: '版本', width: 0.6, align: 'center' }, { header: '提交时间', width: 1.6 }, { header: '更正原因', width: 4 }],
      d.versions.map((v) => [String(v.version), v.submittedAt, v.changeReason ?? '—']));
  }
  return out.doc;
}

const DIGITS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1–99 in Chinese numerals, for section numbers (二、三、… 十一). */
function toChineseOrdinal(n: number): string {
  if (n >= 100) return String(n);
  if (n < 10) return DIGITS[n];
  const tens = Math.floor(n / 10);
  return `${tens === 1 ? '' : DIGITS[tens]}十${DIGITS[n % 10]}`;
}
