// The management plan of a site for a year, drafted from the previous year's ledger (管理计划, HJ
// 1259-2022 §5, appendix A; docs/regulations.md#management-plans), with the unit's edits of the
// forward-looking parts applied. Tables the site's class does not fill (§5.3) are left out.
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/database.js';
import { facilities } from '../../db/schema.js';
import type { OrgRow } from '../../parties/org-view.js';
import type { SiteRow } from '../../parties/sites.js';
import type { ManagementClass } from '../management-class.js';
import { invalid, ruleViolation } from '../../core/errors.js';
import { editionOn, findWasteCode } from '../../catalog/catalog.js';
import { wasteBalance } from './balance.js';
import { siteClassForYear } from './site-class.js';

export const PLAN_TABLES = ['A.1', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7'] as const;

/** Which tables each class fills (HJ 1259-2022 §5.3 and the headings of appendix A). */
export const PLAN_TABLES_BY_CLASS: Record<ManagementClass, readonly (typeof PLAN_TABLES)[number][]> = {
  key: PLAN_TABLES,
  simplified: ['A.1', 'A.3', 'A.4', 'A.6', 'A.7'],
  registration: ['A.1', 'A.3', 'A.7'],
};

/** What the unit edits: expected quantities (t) and the A.6 plan and measures. */
export interface PlanEdits {
  waste?: Array<{ wasteCode: string; expectedGeneratedT?: number; expectedYearEndStockT?: number; expectedReductionT?: number }>;
  inHouse?: Array<{ wasteCode: string; method: string; expectedT: number }>;
  transfers?: Array<{ wasteCode: string; receiverName: string; method?: string; expectedT: number }>;
  reductionPlan?: string;
  measures?: string;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export async function draftPlan(db: DbOrTx, org: OrgRow, site: SiteRow, year: number, edits: PlanEdits) {
  const cls = await siteClassForYear(db, org.id, site.id, year);
  const last = await wasteBalance(db, org.id, site.id, `${year - 1}-01-01`, `${year - 1}-12-31`);
  const required = PLAN_TABLES_BY_CLASS[cls.managementClass];
  const wasteEdit = new Map((edits.waste ?? []).map((w) => [w.wasteCode, w]));

  const a3 = last.filter((b) => b.generatedT > 0 || wasteEdit.has(b.wasteCode)).map((b) => ({
    wasteCode: b.wasteCode, wasteName: b.wasteName, category: b.category, physicalForm: b.physicalForm, unit: 't',
    lastYearGeneratedT: b.generatedT, expectedGeneratedT: wasteEdit.get(b.wasteCode)?.expectedGeneratedT ?? b.generatedT,
  }));
  // A waste the unit expects this year that it did not have last year: named as the 名录 in force on 1 January names it.
  const edition = editionOn(`${year}-01-01`);
  for (const w of wasteEdit.values()) {
    if (last.some((b) => b.wasteCode === w.wasteCode)) continue;
    const code = findWasteCode(w.wasteCode, edition);
    if (!code) throw invalid(`${w.wasteCode} is not in the National Hazardous Waste List (${edition} edition)`, [{ path: 'body.waste', message: 'unknown waste code' }]);
    a3.push({ wasteCode: w.wasteCode, wasteName: code.description, category: code.category, physicalForm: '', unit: 't',
      lastYearGeneratedT: 0, expectedGeneratedT: w.expectedGeneratedT ?? 0 });
  }
  const a4 = last.filter((b) => b.closingStockT !== 0 || b.storageFacilityCodes.length > 0).map((b) => ({
    wasteCode: b.wasteCode, wasteName: b.wasteName, category: b.category, physicalForm: b.physicalForm, unit: 't',
    storageFacilityCodes: b.storageFacilityCodes,
    lastYearClosingStockT: b.closingStockT,
    // §A.4 本年度预计剩余贮存量: last year's closing stock unless the unit says otherwise.
    expectedYearEndStockT: wasteEdit.get(b.wasteCode)?.expectedYearEndStockT ?? b.closingStockT,
  }));
  const a5 = last.flatMap((b) => b.inHouse.map((x) => ({
    wasteCode: b.wasteCode, wasteName: b.wasteName, category: b.category, kind: x.kind, method: x.method, facilityCode: x.facilityCode,
    unit: 't', lastYearT: x.quantityT,
    expectedT: edits.inHouse?.find((e) => e.wasteCode === b.wasteCode && e.method === x.method)?.expectedT ?? x.quantityT,
  })));
  const a7 = last.flatMap((b) => b.transfers.map((x) => ({
    transferType: x.transferType, wasteCode: b.wasteCode, wasteName: b.wasteName, category: b.category,
    receiverId: x.receiverId, receiverName: x.receiverName, licenceNumber: x.licenceNumber, method: x.method,
    unit: 't', lastYearT: x.quantityT,
    expectedT: edits.transfers?.find((e) => e.wasteCode === b.wasteCode && e.receiverName === x.receiverName
      && (e.method === undefined || e.method === x.method))?.expectedT ?? x.quantityT,
  })));
  for (const e of edits.inHouse ?? []) {
    if (!a5.some((r) => r.wasteCode === e.wasteCode && r.method === e.method)) {
      throw ruleViolation('plan_row', `No in-house utilisation/disposal row for ${e.wasteCode} by ${e.method} in last year's records`, { wasteCode: e.wasteCode });
    }
  }
  for (const e of edits.transfers ?? []) {
    if (!a7.some((r) => r.wasteCode === e.wasteCode && r.receiverName === e.receiverName && (e.method === undefined || r.method === e.method))) {
      throw ruleViolation('plan_row', `No transfer row for ${e.wasteCode} to ${e.receiverName} in last year's records`, { wasteCode: e.wasteCode });
    }
  }
  const a6Rows = a3.map((r) => ({
    wasteCode: r.wasteCode, wasteName: r.wasteName, unit: 't', expectedGeneratedT: r.expectedGeneratedT,
    expectedReductionT: wasteEdit.get(r.wasteCode)?.expectedReductionT ?? 0,
  }));
  const facilityRows = await db.select().from(facilities).where(and(eq(facilities.orgId, org.id), eq(facilities.siteId, site.id)));
  const tables: Record<string, unknown> = {
    'A.1': {
      unitName: org.name, uscc: org.uscc, registeredAddress: org.address, siteName: site.name, siteAddress: site.address,
      regionCode: site.regionCode, managementClass: cls.managementClass, contactName: org.contactName, contactPhone: org.contactPhone,
    },
    'A.2': facilityRows.map((f) => ({
      code: f.code, name: f.name, kind: f.kind, storageType: f.storageType, capacityKg: f.capacityKg, methods: f.methods,
    })),
    'A.3': a3,
    'A.4': a4,
    'A.5': a5,
    'A.6': {
      rows: a6Rows,
      total: {
        expectedGeneratedT: round6(a6Rows.reduce((s, r) => s + r.expectedGeneratedT, 0)),
        expectedReductionT: round6(a6Rows.reduce((s, r) => s + r.expectedReductionT, 0)),
      },
      reductionPlan: edits.reductionPlan ?? '',
      measures: edits.measures ?? '',
    },
    'A.7': a7,
  };
  return {
    year,
    siteId: site.id,
    orgId: org.id,
    basedOn: { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
    managementClass: cls.managementClass,
    managementClassReason: cls.reason,
    requiredTables: required,
    tables: Object.fromEntries(required.map((k) => [k, tables[k]])),
  };
}

export type PlanFigures = Awaited<ReturnType<typeof draftPlan>>;
