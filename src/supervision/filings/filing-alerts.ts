// Alerts management_plan_missing and declaration_overdue (docs/regulations.md#management-plans,
// #declarations), computed on read like every alert.
//
// Who files (a reading, the docs say why): a site files a year's plan and declares that year's
// periods when it generated waste the year before, or is key supervision on its facts (an own
// treatment facility, an operating licence); a site that starts generating during a year declares
// that year's periods too. The class that sets the periods is the one drafted for the year
// (site-class.ts): from the previous year's generation.
//
// Cost: one pass over a year of labels of the jurisdiction per year involved (labels_region_generated_idx),
// the sites of the jurisdiction, and the submissions of the periods checked.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/database.js';
import type { Config } from '../../config.js';
import { shanghaiDate, shanghaiDayStart } from '../../calendar/working-days.js';
import { OPERATING_LICENCE_KINDS } from '../../parties/licence-rules.js';
import { inRegion } from '../jurisdiction.js';
import { managementClass, managementClassReason, type ManagementClass } from '../management-class.js';
import type { Alert } from '../alerts.js';
import { planDueOn } from './management-plans.js';
import { PERIOD_KINDS_BY_CLASS, periodsOfYear, type Period } from './periods.js';

const DAY = 86_400_000;
const OPERATING_KINDS = sql`(${sql.join(OPERATING_LICENCE_KINDS.map((k) => sql`${k}`), sql`, `)})`;
const dayAfter = (date: string) => new Date(shanghaiDayStart(date).getTime() + DAY);
const daysLate = (dueOn: string, now: Date) => Math.floor((now.getTime() - dayAfter(dueOn).getTime()) / DAY);

interface SiteFacts {
  siteId: string; orgId: string; orgName: string; siteName: string; regionCode: string;
  generatedKg: number; ownFacility: boolean; licensed: boolean; managementClass: ManagementClass; reason: string;
}

/** Sites of the jurisdiction that generated waste in `year` or are key on their facts (licences valid at its end). */
async function siteFactsOfYear(db: DbOrTx, prefix: string, year: number): Promise<Map<string, SiteFacts>> {
  const { rows } = await db.execute<{
    id: string; org_id: string; org_name: string; name: string; region_code: string; kg: number; own_facility: boolean; licensed: boolean;
  }>(sql`
    WITH gen AS (
      SELECT COALESCE(fa.site_id, d.id) AS site_id, SUM(l.quantity_kg)::float8 AS kg
      FROM labels l
      LEFT JOIN label_steps st ON st.label_id = l.id AND st.seq = 1
      LEFT JOIN facilities fa ON fa.id = st.facility_id AND fa.org_id = l.generator_id
      LEFT JOIN sites d ON d.org_id = l.generator_id AND d.is_default
      WHERE ${inRegion(sql`l.region_code`, prefix)}
        AND l.generated_at >= ${shanghaiDayStart(`${year}-01-01`)} AND l.generated_at < ${shanghaiDayStart(`${year + 1}-01-01`)}
        AND l.state <> 'voided' AND NOT EXISTS (SELECT 1 FROM labels c WHERE c.parent_id = l.id)
      GROUP BY 1
    ), facts AS (
      SELECT s.id, s.org_id, o.name AS org_name, s.name, s.region_code, COALESCE(g.kg, 0)::float8 AS kg,
        EXISTS (SELECT 1 FROM facilities fa WHERE fa.site_id = s.id AND fa.kind = 'treatment') AS own_facility,
        EXISTS (SELECT 1 FROM licences lic WHERE lic.site_id = s.id AND lic.kind IN ${OPERATING_KINDS}
          AND lic.status <> 'revoked' AND lic.valid_from <= ${`${year}-12-31`}::date AND lic.valid_to >= ${`${year}-12-31`}::date) AS licensed
      FROM sites s JOIN organisations o ON o.id = s.org_id LEFT JOIN gen g ON g.site_id = s.id
      WHERE ${inRegion(sql`s.region_code`, prefix)} AND NOT o.external
    )
    SELECT * FROM facts WHERE kg > 0 OR own_facility OR licensed`);
  return new Map(rows.map((r) => {
    const f = { generatedLast12MonthsKg: Math.round(Number(r.kg) * 1000) / 1000, hasOwnTreatmentFacility: r.own_facility, holdsOperatingLicence: r.licensed };
    return [r.id, {
      siteId: r.id, orgId: r.org_id, orgName: r.org_name, siteName: r.name, regionCode: r.region_code, generatedKg: f.generatedLast12MonthsKg,
      ownFacility: r.own_facility, licensed: r.licensed, managementClass: managementClass(f),
      reason: managementClassReason(f).replaceAll('in the last 12 months', `in ${year}`),
    }];
  }));
}

/**
 * Sites without a submitted plan for a year whose deadline has passed: the current year once 31 March
 * has passed, and the previous year (a plan never filed stays missing).
 */
export async function managementPlanMissingAlerts(db: DbOrTx, prefix: string, now: Date): Promise<Alert[]> {
  const today = shanghaiDate(now);
  const thisYear = Number(today.slice(0, 4));
  const years = today > planDueOn(thisYear) ? [thisYear - 1, thisYear] : [thisYear - 1];
  const alerts: Alert[] = [];
  for (const year of years) {
    const due = planDueOn(year);
    const subject = await siteFactsOfYear(db, prefix, year - 1);
    if (subject.size === 0) continue;
    const { rows: filed } = await db.execute<{ site_id: string }>(sql`
      SELECT DISTINCT site_id FROM management_plans WHERE year = ${year} AND state = 'submitted' AND ${inRegion(sql`region_code`, prefix)}`);
    const done = new Set(filed.map((r) => r.site_id));
    for (const s of subject.values()) {
      if (done.has(s.siteId)) continue;
      alerts.push({
        type: 'management_plan_missing', severity: 'medium', entityType: 'site_period', entityId: `${s.siteId}/${year}`, orgId: s.orgId,
        regionCode: s.regionCode, deadline: dayAfter(due).toISOString(), lateBy: { value: daysLate(due, now), unit: 'days' },
        summary: `${s.orgName}, site ${s.siteName}: no management plan submitted for ${year} (due ${due})`,
        details: {
          orgName: s.orgName, siteName: s.siteName, siteId: s.siteId, year, dueOn: due, generatedPreviousYearKg: s.generatedKg,
          managementClass: s.managementClass, managementClassReason: s.reason,
          submit: `POST /api/v1/orgs/${s.orgId}/sites/${s.siteId}/management-plan/submit?year=${year}`,
        },
      });
    }
  }
  return alerts;
}

/** Periods whose deadline has passed within the lookback, without a submitted declaration. */
export async function declarationOverdueAlerts(db: DbOrTx, config: Config, prefix: string, now: Date): Promise<Alert[]> {
  const today = shanghaiDate(now);
  const since = shanghaiDate(new Date(now.getTime() - config.alerts.declarationLookbackDays * DAY));
  const thisYear = Number(today.slice(0, 4));
  const years = [...new Set([Number(since.slice(0, 4)) - 1, Number(since.slice(0, 4)), thisYear - 1, thisYear])].filter((y) => y <= thisYear).sort();
  const facts = new Map<number, Map<string, SiteFacts>>();
  const factsOf = async (y: number) => {
    if (!facts.has(y)) facts.set(y, await siteFactsOfYear(db, prefix, y));
    return facts.get(y)!;
  };
  const owed: Array<{ s: SiteFacts; cls: ManagementClass; p: Period }> = [];
  for (const year of years) {
    const candidates = periodsOfYear(year, ['month', 'quarter', 'year']).filter((p) => p.dueOn < today && p.dueOn >= since);
    if (candidates.length === 0) continue;
    const before = await factsOf(year - 1);
    const during = await factsOf(year);
    const sites = new Map([...during].filter(([, s]) => s.generatedKg > 0));
    for (const [id, s] of before) sites.set(id, s);
    for (const [id, s] of sites) {
      const cls = before.get(id)?.managementClass ?? 'registration';
      for (const p of candidates) if (PERIOD_KINDS_BY_CLASS[cls].includes(p.kind)) owed.push({ s, cls, p });
    }
  }
  if (owed.length === 0) return [];
  const periods = [...new Set(owed.map((o) => o.p.id))];
  const { rows: filed } = await db.execute<{ site_id: string; period: string }>(sql`
    SELECT DISTINCT site_id, period FROM declarations
    WHERE period IN (${sql.join(periods.map((p) => sql`${p}`), sql`, `)}) AND ${inRegion(sql`region_code`, prefix)}`);
  const done = new Set(filed.map((r) => `${r.site_id}/${r.period}`));
  return owed.filter(({ s, p }) => !done.has(`${s.siteId}/${p.id}`)).map(({ s, cls, p }) => ({
    type: 'declaration_overdue', severity: 'medium', entityType: 'site_period', entityId: `${s.siteId}/${p.id}`,
    orgId: s.orgId, regionCode: s.regionCode, deadline: dayAfter(p.dueOn).toISOString(), lateBy: { value: daysLate(p.dueOn, now), unit: 'days' },
    summary: `${s.orgName}, site ${s.siteName}: declaration for ${p.id} not submitted (due ${p.dueOn})`,
    details: {
      orgName: s.orgName, siteName: s.siteName, siteId: s.siteId, period: p.id, periodKind: p.kind, dueOn: p.dueOn, managementClass: cls,
      submit: `POST /api/v1/orgs/${s.orgId}/sites/${s.siteId}/declarations`,
    },
  }));
}
