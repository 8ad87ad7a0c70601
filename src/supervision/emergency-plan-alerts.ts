// Alert emergency_plan_missing (docs/regulations.md#emergency-plans): a key-class (重点监管) site with
// no emergency plan filing in force today. Per site, because the management class is a site's
// (HJ 1259-2022 §4.2.1, site-management.ts): a filing that names a site covers that site, a filing
// that names none covers every site of its organisation.
//
// Cost (it runs on every alerts request): the jurisdiction's site facts (site-facts.ts, shared with
// the filing alerts on the alerts page); sites covered by a filing drop out first. A site with an
// own treatment facility or an operating licence is key on those facts alone.
// Only for the rest does the weight generated in 12 months matter, and it is summed per
// organisation first (labels_generator_idx): only an organisation whose whole output reaches the
// key threshold can have a site that does. An organisation with one site generates all of it
// there; only for the few with several sites is the per-site attribution of site-management.ts
// run (one query each).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { shanghaiDate, shanghaiDayStart } from '../calendar/working-days.js';
import { MANAGEMENT_THRESHOLDS_KG, managementClassReason, type ManagementFacts } from './management-class.js';
import { siteManagement } from './site-management.js';
import { readSiteFacts, type SiteFacts } from './site-facts.js';
import { monthsBefore, RISK_WINDOWS } from './risk.js';
import type { Alert } from './alerts.js';

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

type Candidate = Pick<SiteFacts, 'id' | 'org_id' | 'org_name' | 'name' | 'region_code' | 'own_facility' | 'licensed' | 'lapsed_on' | 'org_sites'>;

/** `facts`: the jurisdiction's site facts when the caller has read them already (the alerts page reads them once). */
export async function emergencyPlanAlerts(db: DbOrTx, prefix: string, now: Date, facts?: Promise<SiteFacts[]>): Promise<Alert[]> {
  const today = shanghaiDate(now);
  // "The last 12 months" as site-management.ts and risk.ts count them.
  const windowStart = monthsBefore(today, RISK_WINDOWS.lookbackMonths);
  const windowFrom = shanghaiDayStart(addDays(windowStart, 1));

  const uncovered = (await (facts ?? readSiteFacts(db, prefix, today))).filter((c) => !c.emergency_covered);

  const keyByFacts = uncovered.filter((c) => c.own_facility || c.licensed);
  const byWeight = uncovered.filter((c) => !c.own_facility && !c.licensed);
  const orgIds = [...new Set(byWeight.map((c) => c.org_id))];

  // Twice over the same index-only range (labels_generator_idx covers these columns, migration
  // 0029): first every candidate's 12-month weight counting consolidation parents too, an upper
  // bound that drops every organisation below the threshold without a probe; then, for the few at
  // or above it, the weight itself, each label probed for contents (a parent's weight is in its
  // children's). The probes were most of the time when every label was probed.
  const heavy = orgIds.length === 0 ? [] : (await db.execute<{ generator_id: string; kg: number }>(sql`
    WITH bound AS (
      SELECT l.generator_id FROM labels l
      WHERE l.generator_id = ANY(${sql.param(orgIds)}::uuid[])
        AND l.generated_at >= ${windowFrom} AND l.generated_on > ${windowStart}::date AND l.generated_on <= ${today}::date
        AND l.state <> 'voided'
      GROUP BY l.generator_id HAVING SUM(l.quantity_kg) >= ${MANAGEMENT_THRESHOLDS_KG.key})
    SELECT l.generator_id, SUM(l.quantity_kg)::float8 AS kg FROM bound b JOIN labels l ON l.generator_id = b.generator_id
    WHERE l.generated_at >= ${windowFrom} AND l.generated_on > ${windowStart}::date AND l.generated_on <= ${today}::date
      AND l.state <> 'voided' AND NOT EXISTS (SELECT 1 FROM labels c WHERE c.parent_id = l.id)
    GROUP BY l.generator_id HAVING SUM(l.quantity_kg) >= ${MANAGEMENT_THRESHOLDS_KG.key}`)).rows;

  const alerts: Alert[] = keyByFacts.map((c) => alert(c, {
    generatedLast12MonthsKg: 0, hasOwnTreatmentFacility: c.own_facility, holdsOperatingLicence: c.licensed,
  }, today));
  for (const { generator_id: orgId, kg } of heavy) {
    const candidates = byWeight.filter((x) => x.org_id === orgId);
    if (candidates.length === 1 && candidates[0].org_sites === 1) {
      const generatedLast12MonthsKg = Math.round(Number(kg) * 1000) / 1000;
      alerts.push(alert(candidates[0], { generatedLast12MonthsKg, hasOwnTreatmentFacility: false, holdsOperatingLicence: false }, today));
      continue;
    }
    const classed = new Map((await siteManagement(db, orgId, windowStart, today)).map((s) => [s.siteId, s]));
    for (const c of candidates) {
      const s = classed.get(c.id);
      if (s?.managementClass === 'key') alerts.push(alert(c, s, today));
    }
  }
  return alerts;
}

function alert(c: Candidate, facts: ManagementFacts, today: string): Alert {
  // Due since the last filing lapsed; a site never covered is due already (the duty has no date of its own).
  const due = c.lapsed_on ? addDays(c.lapsed_on, 1) : today;
  return {
    type: 'emergency_plan_missing', severity: 'medium', entityType: 'site', entityId: c.id, orgId: c.org_id, regionCode: c.region_code,
    deadline: shanghaiDayStart(due).toISOString(), lateBy: null,
    summary: `${c.org_name}, site ${c.name}: key supervision unit with no emergency plan filing in force`,
    details: {
      siteName: c.name, orgName: c.org_name, lastFilingValidTo: c.lapsed_on,
      managementClassReason: managementClassReason(facts),
      register: `POST /api/v1/orgs/${c.org_id}/emergency-plans`,
    },
  };
}
