// Risk tier of an organisation (分级分类管控, docs/regulations.md#risk-tier) — project reading.
//
// The records give a list of reasons; each reason carries a tier and the organisation takes the
// highest tier among its reasons (none → low):
//
//   high   — a breach of a hard legal duty is on the record now or recently:
//            storage_over_year  containers held > 365 days (固废法 Art. 81: storage over one year);
//            receipt_overdue    a delivered manifest not received by its due date (转移管理办法 Art. 18);
//            failed_inspection  a failed spot check in the last 12 months.
//   medium — a reason to look closer, no breach by itself:
//            management_class_key  a site in key supervision (HJ 1259-2022 §4.2: ≥ 100 t, own facility or
//                                  经营许可证; site-management.ts);
//            discrepancy           manifests with a weight discrepancy or refusal, as generator or
//                                  receiver, received in the last 12 months;
//            licence_expiring      an active licence whose expiry alert is open: a 经营许可证 from 30
//                                  working days before it ends (Art. 13), other licences 30 days.
//   low    — none of the above.
//
// The rules are the RISK_RULES table: change a tier or a window there.
import { HELD_STATES } from '../labels/label-states.js';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { notFound } from '../core/errors.js';
import { supervises, type Caller } from '../auth/roles.js';
import { shanghaiDate, shanghaiDayStart } from '../calendar/working-days.js';
import { findOrg } from '../parties/organisations.js';
import { regionScope } from './indicator-inputs.js';
import { managementClassReason, type ManagementClass } from './management-class.js';
import { highestClass, siteManagement, type SiteManagement } from './site-management.js';
import { licenceAlertOpens } from './alerts.js';

export const RISK_TIERS = ['high', 'medium', 'low'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

export const RISK_REASON_CODES = [
  'storage_over_year', 'receipt_overdue', 'failed_inspection', 'management_class_key', 'discrepancy', 'licence_expiring',
] as const;
export type RiskReasonCode = (typeof RISK_REASON_CODES)[number];


export const RISK_RULES: Record<RiskReasonCode, { tier: Exclude<RiskTier, 'low'>; title: string }> = {
  storage_over_year: { tier: 'high', title: 'Containers stored over one year (固废法 Art. 81)' },
  receipt_overdue: { tier: 'high', title: 'Receipt not confirmed by its due date (转移管理办法 Art. 18)' },
  failed_inspection: { tier: 'high', title: 'Failed spot-check inspection in the last 12 months' },
  management_class_key: { tier: 'medium', title: 'Key supervision unit (重点监管)' },
  discrepancy: { tier: 'medium', title: 'Manifests with discrepancies in the last 12 months' },
  licence_expiring: { tier: 'medium', title: 'Licence expiring soon' },
};

/** Windows of the rules. */
export const RISK_WINDOWS = { storageDays: 365, lookbackMonths: 12, licenceExpiryDays: 30 } as const;

export interface RiskReason { code: RiskReasonCode; tier: 'high' | 'medium'; detail: string; count?: number }

/** The highest tier among the reasons; low when there are none. */
export function riskTier(reasons: readonly { code: RiskReasonCode }[]): RiskTier {
  const tiers = reasons.map((r) => RISK_RULES[r.code].tier);
  if (tiers.includes('high')) return 'high';
  if (tiers.includes('medium')) return 'medium';
  return 'low';
}

const DAY_MS = 86_400_000;

/** The same calendar day `months` months earlier (clamped to the month's end). */
export function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 - months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

export interface OrgRisk {
  orgId: string;
  orgName: string;
  regionCode: string;
  asOf: string;
  /** The highest class of its sites (HJ 1259 classes each site). */
  managementClass: ManagementClass;
  /** Summed over its sites. */
  generatedLast12MonthsKg: number;
  /** At any of its sites. */
  hasOwnTreatmentFacility: boolean;
  holdsOperatingLicence: boolean;
  /** Each site (生产经营场所) with its own class and facts, the default site first. */
  sites: SiteManagement[];
  riskTier: RiskTier;
  reasons: RiskReason[];
}

export async function orgRisk(db: DbOrTx, caller: Caller, orgId: string, now = new Date()): Promise<OrgRisk> {
  regionScope(caller);
  const org = await findOrg(db, orgId);
  if (!org || !supervises(caller, org.regionCode)) throw notFound('Organisation');

  const today = shanghaiDate(now);
  // "The last 12 months": the days after the same date a year ago, up to today.
  const windowStart = monthsBefore(today, RISK_WINDOWS.lookbackMonths);
  const windowFrom = shanghaiDayStart(addDays(windowStart, 1));
  const storedBefore = new Date(now.getTime() - RISK_WINDOWS.storageDays * DAY_MS);
  // 30 working days never span more than 60 calendar days: the candidates; licenceAlertOpens decides.
  const expiryBy = addDays(today, Math.max(60, RISK_WINDOWS.licenceExpiryDays));

  const { rows: [f] } = await db.execute<{
    old_count: number; oldest: Date | null;
    overdue_count: number; earliest_due: string | null;
    failed_count: number; last_failed: string | null;
    discrepant_count: number;
    expiring: Array<{ number: string; kind: string; validTo: string }> | null;
  }>(sql`
    SELECT
      (SELECT COUNT(*)::int FROM labels l WHERE l.holder_id = ${org.id} AND l.state IN ${HELD_STATES}
        AND l.held_since < ${storedBefore}) AS old_count,
      (SELECT MIN(l.held_since) FROM labels l WHERE l.holder_id = ${org.id} AND l.state IN ${HELD_STATES}
        AND l.held_since < ${storedBefore}) AS oldest,
      (SELECT COUNT(*)::int FROM manifests m WHERE m.receiver_id = ${org.id} AND m.state = 'delivered'
        AND m.receipt_due_on < ${today}::date) AS overdue_count,
      (SELECT MIN(m.receipt_due_on)::text FROM manifests m WHERE m.receiver_id = ${org.id} AND m.state = 'delivered'
        AND m.receipt_due_on < ${today}::date) AS earliest_due,
      (SELECT COUNT(*)::int FROM inspections i WHERE i.org_id = ${org.id} AND NOT i.passed
        AND i.date > ${windowStart}::date) AS failed_count,
      (SELECT MAX(i.date)::text FROM inspections i WHERE i.org_id = ${org.id} AND NOT i.passed
        AND i.date > ${windowStart}::date) AS last_failed,
      (SELECT COUNT(*)::int FROM manifests m WHERE (m.generator_id = ${org.id} OR m.receiver_id = ${org.id})
        AND m.discrepant AND m.received_at >= ${windowFrom}) AS discrepant_count,
      (SELECT json_agg(json_build_object('number', lic.number, 'kind', lic.kind, 'validTo', lic.valid_to::text) ORDER BY lic.valid_to)
        FROM licences lic WHERE lic.org_id = ${org.id} AND lic.status = 'active'
          AND lic.valid_to >= ${today}::date AND lic.valid_to <= ${expiryBy}::date) AS expiring`);

  const sites = await siteManagement(db, org.id, windowStart, today);
  const cls = highestClass(sites);

  const reasons: RiskReason[] = [];
  const add = (code: RiskReasonCode, detail: string, count?: number) =>
    reasons.push({ code, tier: RISK_RULES[code].tier, detail, ...(count !== undefined ? { count } : {}) });
  if (f.old_count > 0) {
    add('storage_over_year', `${f.old_count} container(s) held over ${RISK_WINDOWS.storageDays} days, the oldest since ${shanghaiDate(new Date(f.oldest!))}`, f.old_count);
  }
  if (f.overdue_count > 0) {
    add('receipt_overdue', `${f.overdue_count} delivered manifest(s) not received by the due date, the earliest due ${f.earliest_due}`, f.overdue_count);
  }
  if (f.failed_count > 0) {
    add('failed_inspection', `${f.failed_count} failed spot-check inspection(s) in the last 12 months, the latest on ${f.last_failed}`, f.failed_count);
  }
  const keySites = sites.filter((s) => s.managementClass === 'key');
  if (keySites.length > 0) add('management_class_key', keySites.map((s) => `${s.name}: ${managementClassReason(s)}`).join('; '));
  if (f.discrepant_count > 0) {
    add('discrepancy', `${f.discrepant_count} manifest(s) with a weight discrepancy or refused containers received in the last 12 months`, f.discrepant_count);
  }
  // The same day as the licence_expiring alert (docs/regulations.md#licence-renewal).
  const expiring = (f.expiring ?? []).filter((l) => licenceAlertOpens(l.kind, l.validTo, RISK_WINDOWS.licenceExpiryDays).on <= today);
  if (expiring.length > 0) {
    add('licence_expiring', `${expiring.map((l) => `${l.kind} licence ${l.number} ends ${l.validTo}`).join('; ')} (renewal due: 30 working days before a 经营许可证 ends, ${RISK_WINDOWS.licenceExpiryDays} days before other licences)`, expiring.length);
  }

  return {
    orgId: org.id,
    orgName: org.name,
    regionCode: org.regionCode,
    asOf: today,
    managementClass: cls,
    generatedLast12MonthsKg: Math.round(sites.reduce((kg, s) => kg + s.generatedLast12MonthsKg, 0) * 1000) / 1000,
    hasOwnTreatmentFacility: sites.some((s) => s.hasOwnTreatmentFacility),
    holdsOperatingLicence: sites.some((s) => s.holdsOperatingLicence),
    sites,
    riskTier: riskTier(reasons),
    reasons,
  };
}
