// Management class of a site (生产经营场所; HJ 1259-2022 §4.2, docs/regulations.md#management-class): a pure function over
// what the records say about the last 12 months. No database, no clock: site-management.ts gathers the facts.

export const MANAGEMENT_CLASSES = ['key', 'simplified', 'registration'] as const;
export type ManagementClass = (typeof MANAGEMENT_CLASSES)[number];

/** Thresholds on the weight generated in the last 12 months, both inclusive. */
export const MANAGEMENT_THRESHOLDS_KG = {
  /** 重点监管: ≥ 100 t a year. */
  key: 100_000,
  /** 简化管理: ≥ 10 t a year. */
  simplified: 10_000,
} as const;

export interface ManagementFacts {
  /** Weight the unit generated in the last 12 months, kg. */
  generatedLast12MonthsKg: number;
  /** It runs a utilisation/disposal (treatment) facility of its own. */
  hasOwnTreatmentFacility: boolean;
  /** It holds a 危险废物经营许可证 (comprehensive or collection; not a collection approval, docs/regulations.md#licence-kinds). */
  holdsOperatingLicence: boolean;
}

/**
 * key (重点监管): ≥ 100 t in the last 12 months, or an own treatment facility, or an operating licence;
 * simplified (简化管理): ≥ 10 t; registration (登记管理): below.
 */
export function managementClass(f: ManagementFacts): ManagementClass {
  if (f.hasOwnTreatmentFacility || f.holdsOperatingLicence) return 'key';
  if (f.generatedLast12MonthsKg >= MANAGEMENT_THRESHOLDS_KG.key) return 'key';
  if (f.generatedLast12MonthsKg >= MANAGEMENT_THRESHOLDS_KG.simplified) return 'simplified';
  return 'registration';
}

/** Why a unit is in its class, in words (for risk reasons and reports). */
export function managementClassReason(f: ManagementFacts): string {
  const t = (f.generatedLast12MonthsKg / 1000).toFixed(3);
  const why: string[] = [];
  if (f.generatedLast12MonthsKg >= MANAGEMENT_THRESHOLDS_KG.key) why.push(`${t} t generated in the last 12 months (≥ 100 t)`);
  if (f.hasOwnTreatmentFacility) why.push('runs a utilisation/disposal facility of its own');
  if (f.holdsOperatingLicence) why.push('holds an operating licence');
  switch (managementClass(f)) {
    case 'key': return `Key supervision (重点监管, HJ 1259-2022 §4.2): ${why.join('; ')}`;
    case 'simplified': return `Simplified management (简化管理): ${t} t generated in the last 12 months (≥ 10 t)`;
    default: return `Registration management (登记管理): ${t} t generated in the last 12 months (< 10 t)`;
  }
}
