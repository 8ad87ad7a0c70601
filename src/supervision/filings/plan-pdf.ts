// The management plan printed on A4 (危险废物管理计划, HJ 1259-2022 appendix A): the tables A.1–A.7
// the site's class fills, as the plan holds them (a submitted version as it was locked, a draft as
// drafted now and marked as such), with the class and its reason, version, state and submission time.
import type { Pdf } from '../../documents/pdf-document.js';
import { FlowDocument } from '../../documents/pdf-flow.js';
import { physicalFormName } from '../../labels/print-label.js';
import type { OrgRow } from '../../parties/org-view.js';
import type { SiteRow } from '../../parties/sites.js';
import type { readPlan } from './management-plans.js';
import { drawFilingHeading, filingFooter, tonnes } from './filing-print.js';

export type PlanView = Awaited<ReturnType<typeof readPlan>>;

interface WasteCols { wasteCode: string; wasteName: string; category: string; physicalForm?: string }
interface A1 { unitName: string; uscc: string; registeredAddress: string; siteName: string; siteAddress: string; regionCode: string; contactName: string; contactPhone: string }
interface A2 { code: string; name: string; kind: string; storageType: string | null; capacityKg: number | null; methods: string[] | null }
interface A3 extends WasteCols { lastYearGeneratedT: number; expectedGeneratedT: number }
interface A4Row extends WasteCols { storageFacilityCodes: string[]; lastYearClosingStockT: number; expectedYearEndStockT: number }
interface A5 extends WasteCols { kind: string; method: string | null; facilityCode: string | null; lastYearT: number; expectedT: number }
interface A6 {
  rows: Array<{ wasteCode: string; wasteName: string; expectedGeneratedT: number; expectedReductionT: number }>;
  total: { expectedGeneratedT: number; expectedReductionT: number }; reductionPlan: string; measures: string;
}
interface A7 extends WasteCols {
  transferType: string | null; receiverName: string; licenceNumber: string | null; method: string | null; lastYearT: number; expectedT: number;
}

const FACILITY_KINDS: Record<string, string> = { storage: '贮存设施', treatment: '利用处置设施' };
const IN_HOUSE_KINDS: Record<string, string> = { utilisation: '自行利用', disposal: '自行处置' };
export const TRANSFER_TYPES: Record<string, string> = { in_province: '省内转移', cross_province: '跨省转移' };
const name = (w: WasteCols) => `${w.wasteName}`;
const code = (w: WasteCols) => `${w.category}\n${w.wasteCode}`;

/** The printed plan, ready to send (not yet ended). */
export function planPdf(plan: PlanView, org: OrgRow, site: SiteRow, printedAt: Date): Pdf {
  const submitted = plan.state === 'submitted';
  const title = `危险废物管理计划（${plan.year} 年度）`;
  const out = new FlowDocument(`${title} ${site.name}${submitted ? '' : '（草稿）'}`, filingFooter(printedAt, '管理计划'));
  drawFilingHeading(out, {
    title, subtitle: `依据 HJ 1259-2022 附录 A；据 ${plan.basedOn.from} 至 ${plan.basedOn.to} 的台账记录编制`,
    unitName: org.name, uscc: org.uscc, siteName: site.name, siteAddress: site.address ?? '',
    managementClass: plan.managementClass, managementClassReason: plan.managementClassReason,
    version: plan.version, submitted, submittedAt: plan.submittedAt, dueOn: plan.dueOn, changeReason: plan.changeReason,
    extra: [
      { label: '填报表格', value: plan.requiredTables.join('、') },
      ...(plan.submittedLate ? [{ label: '逾期', value: `晚于 ${plan.dueOn} 提交` }] : []),
    ],
  });
  const tables = plan.tables as Record<string, unknown>;
  for (const table of plan.requiredTables) {
    const draw = TABLES[table];
    draw(out, tables[table] as never);
  }
  if (plan.versions.length > 1) {
    out.heading('版本记录');
    out.table([{ header: '版本', width: 0.6, align: 'center' }, { header: '状态', width: 1 }, { header: '提交时间', width: 1.6 }, { header: '变更原因', width: 4 }],
      plan.versions.map((v) => [String(v.version), v.state === 'submitted' ? '已提交' : '草稿', v.submittedAt ?? '—', v.changeReason ?? '—']));
  }
  return out.doc;
}

const TABLES: Record<string, (out: FlowDocument, t: never) => void> = {
  'A.1': (out, a: A1) => {
    out.heading('表 A.1　单位基本信息');
    out.fields([
      { label: '单位名称', value: a.unitName }, { label: '统一社会信用代码', value: a.uscc }, { label: '注册地址', value: a.registeredAddress },
      { label: '生产经营场所', value: a.siteName }, { label: '场所地址', value: a.siteAddress }, { label: '行政区划代码', value: a.regionCode },
      { label: '联系人', value: a.contactName }, { label: '联系电话', value: a.contactPhone },
    ]);
  },
  'A.2': (out, rows: A2[]) => {
    out.heading('表 A.2　危险废物贮存、利用处置设施');
    out.table([
      { header: '设施编码', width: 1.4 }, { header: '设施名称', width: 2 }, { header: '类型', width: 1.1 },
      { header: '贮存设施类型', width: 1.2 }, { header: '能力（t）', width: 0.9, align: 'right' }, { header: '利用处置方式', width: 1.2 },
    ], rows.map((f) => [
      f.code, f.name, FACILITY_KINDS[f.kind] ?? f.kind, f.storageType ?? '—',
      f.capacityKg === null ? '—' : tonnes(f.capacityKg / 1000), (f.methods ?? []).join('、') || '—',
    ]));
  },
  'A.3': (out, rows: A3[]) => {
    out.heading('表 A.3　危险废物产生情况');
    out.table([
      { header: '废物类别 / 代码', width: 1.3 }, { header: '废物名称', width: 2.6 }, { header: '形态', width: 0.7 },
      { header: '上年度产生量（t）', width: 1.1, align: 'right' }, { header: '本年度预计产生量（t）', width: 1.2, align: 'right' },
    ], rows.map((r) => [code(r), name(r), r.physicalForm ? physicalFormName(r.physicalForm) : '—', tonnes(r.lastYearGeneratedT), tonnes(r.expectedGeneratedT)]));
  },
  'A.4': (out, rows: A4Row[]) => {
    out.heading('表 A.4　危险废物贮存情况');
    out.table([
      { header: '废物类别 / 代码', width: 1.3 }, { header: '废物名称', width: 2.3 }, { header: '贮存设施编码', width: 1.5 },
      { header: '上年度末贮存量（t）', width: 1.1, align: 'right' }, { header: '本年度预计剩余贮存量（t）', width: 1.2, align: 'right' },
    ], rows.map((r) => [code(r), name(r), r.storageFacilityCodes.join('\n') || '—', tonnes(r.lastYearClosingStockT), tonnes(r.expectedYearEndStockT)]));
  },
  'A.5': (out, rows: A5[]) => {
    out.heading('表 A.5　危险废物自行利用处置情况');
    out.table([
      { header: '废物类别 / 代码', width: 1.3 }, { header: '废物名称', width: 2 }, { header: '方式', width: 0.9 }, { header: '方式代码', width: 0.8 },
      { header: '设施编码', width: 1.2 }, { header: '上年度量（t）', width: 1, align: 'right' }, { header: '本年度预计量（t）', width: 1.1, align: 'right' },
    ], rows.map((r) => [code(r), name(r), IN_HOUSE_KINDS[r.kind] ?? r.kind, r.method ?? '—', r.facilityCode ?? '—', tonnes(r.lastYearT), tonnes(r.expectedT)]));
  },
  'A.6': (out, a: A6) => {
    out.heading('表 A.6　危险废物减量化计划和措施');
    out.table([
      { header: '废物代码', width: 1.2 }, { header: '废物名称', width: 2.8 },
      { header: '本年度预计产生量（t）', width: 1.3, align: 'right' }, { header: '预计减量（t）', width: 1.1, align: 'right' },
    ], [
      ...a.rows.map((r) => [r.wasteCode, r.wasteName, tonnes(r.expectedGeneratedT), tonnes(r.expectedReductionT)]),
      ['合计', '', tonnes(a.total.expectedGeneratedT), tonnes(a.total.expectedReductionT)],
    ]);
    out.fields([{ label: '降低危害性的计划', value: a.reductionPlan }, { label: '减量化措施', value: a.measures }], 1);
  },
  'A.7': (out, rows: A7[]) => {
    out.heading('表 A.7　危险废物转移情况');
    out.table([
      { header: '转移类型', width: 0.8 }, { header: '废物类别 / 代码', width: 1.2 }, { header: '废物名称', width: 1.6 },
      { header: '接受单位', width: 1.8 }, { header: '许可证编码', width: 1.3 }, { header: '方式', width: 0.6 },
      { header: '上年度转移量（t）', width: 1, align: 'right' }, { header: '本年度预计量（t）', width: 1, align: 'right' },
    ], rows.map((r) => [
      r.transferType ? TRANSFER_TYPES[r.transferType] ?? r.transferType : '—', code(r), name(r), r.receiverName,
      r.licenceNumber ?? '—', r.method ?? '—', tonnes(r.lastYearT), tonnes(r.expectedT),
    ]));
  },
};

