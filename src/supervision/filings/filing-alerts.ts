// Alerts management_plan_missing and declaration_overdue (docs/regulations.md#management-plans,
// #declarations), computed on read like every alert.
//
// Who files (a reading, the docs say why): a site of a unit that has kept a ledger here (its first
// record is the start of its duties) or that is key supervision on its facts (an own treatment
// facility, an operating licence in force). The sites of a unit are its default site and those with
// a registered facility or licence. Which periods a site declares follows the class its submitted
// plan for the year states (the plan drafts it from the records); without a plan, the periods every
// class declares (the year) and, for a site key on its facts, the months.
//
// Cost (it runs on every alerts request): one pass over the sites of the jurisdiction with indexed
// probes (facilities, licences, the unit's first ledger record on ledger_org_time_idx; site-facts.ts,
// shared with emergency_plan_missing on the alerts page), then the submitted plans and declarations
// of the years and periods checked. No label is summed.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/database.js';
import type { Config } from '../../config.js';
import { shanghaiDate, shanghaiDayStart } from '../../calendar/working-days.js';
import { inRegion } from '../jurisdiction.js';
import { readSiteFacts, type SiteFacts } from '../site-facts.js';
import { MANAGEMENT_CLASSES, type ManagementClass } from '../management-class.js';
import type { Alert, AlertType } from '../alerts.js';
import { planDueOn } from './management-plans.js';
import { PERIOD_KINDS_BY_CLASS, periodsOfYear, type Period } from './periods.js';

const DAY = 86_400_000;

/**
 * An alert's deadline (the day after the due day, Asia/Shanghai) and the days it is late, worked out
 * once per due day: a page holds a thousand alerts of a few dozen due days.
 */
function deadlines(now: Date) {
  const known = new Map<string, { deadline: string; lateBy: { value: number; unit: 'days' } }>();
  return (dueOn: string) => {
    let d = known.get(dueOn);
    if (!d) {
      const after = shanghaiDayStart(dueOn).getTime() + DAY;
      d = { deadline: new Date(after).toISOString(), lateBy: { value: Math.floor((now.getTime() - after) / DAY), unit: 'days' } };
      known.set(dueOn, d);
    }
    return d;
  };
}

interface FilingSite {
  siteId: string; orgId: string; orgName: string; siteName: string; regionCode: string;
  /** Key supervision on its facts alone (HJ 1259-2022 §4.2.1). */
  keyByFacts: boolean;
  /** The unit's first ledger record (Asia/Shanghai date), null when it has none. */
  firstRecordOn: string | null;
}

/** The sites that file: those of a unit that has kept a ledger, and those key on their facts. */
function filingSites(facts: SiteFacts[]): FilingSite[] {
  return facts.filter((r) => r.files && (r.own_facility || r.licensed || r.first_record_on !== null)).map((r) => ({
    siteId: r.id, orgId: r.org_id, orgName: r.org_name, siteName: r.name, regionCode: r.region_code,
    keyByFacts: r.own_facility || r.licensed, firstRecordOn: r.first_record_on,
  }));
}

/** The class each site's latest submitted plan states, by site and year. */
type PlanClasses = Map<string, Map<number, ManagementClass>>;

/** Does the site owe a filing whose subject ends on `end` (a plan: the year before; a declaration: its period)? */
const owes = (s: FilingSite, end: string) => s.keyByFacts || (s.firstRecordOn !== null && s.firstRecordOn <= end);

/**
 * Both alerts, from one read of the sites. `facts`: the jurisdiction's site facts when the caller has
 * read them already (the alerts page reads them once for these and emergency_plan_missing).
 */
export async function filingAlerts(
  db: DbOrTx, config: Config, prefix: string, wanted: (t: AlertType) => boolean, now: Date, facts?: Promise<SiteFacts[]>,
): Promise<Alert[]> {
  const today = shanghaiDate(now);
  const sites = filingSites(await (facts ?? readSiteFacts(db, prefix, today)));
  if (sites.length === 0) return [];
  const thisYear = Number(today.slice(0, 4));
  // The class each site's latest submitted plan states, per year.
  const { rows: planned } = await db.execute<{ site_id: string; year: number; management_class: ManagementClass }>(sql`
    SELECT DISTINCT ON (site_id, year) site_id, year, figures->>'managementClass' AS management_class
    FROM management_plans
    WHERE state = 'submitted' AND year >= ${thisYear - 3} AND ${inRegion(sql`region_code`, prefix)}
    ORDER BY site_id, year, version DESC`);
  const planClass: PlanClasses = new Map();
  for (const r of planned) {
    if (!planClass.has(r.site_id)) planClass.set(r.site_id, new Map());
    planClass.get(r.site_id)!.set(r.year, r.management_class);
  }
  return [
    ...(wanted('management_plan_missing') ? planMissing(sites, planClass, today, now) : []),
    ...(wanted('declaration_overdue') ? await declarationsOverdue(db, config, prefix, sites, planClass, today, now) : []),
  ];
}

/** Plans due and not submitted: the current year once 31 March has passed, and the previous year (a plan never filed stays missing). */
function planMissing(sites: FilingSite[], planClass: PlanClasses, today: string, now: Date): Alert[] {
  const thisYear = Number(today.slice(0, 4));
  const years = today > planDueOn(thisYear) ? [thisYear - 1, thisYear] : [thisYear - 1];
  const deadlineOf = deadlines(now);
  const alerts: Alert[] = [];
  for (const year of years) {
    const due = planDueOn(year);
    const { deadline, lateBy } = deadlineOf(due);
    const subjectEnd = `${year - 1}-12-31`;
    for (const s of sites) {
      if (planClass.get(s.siteId)?.has(year) || !owes(s, subjectEnd)) continue;
      alerts.push({
        type: 'management_plan_missing', severity: 'medium', entityType: 'site_period', entityId: `${s.siteId}/${year}`, orgId: s.orgId,
        regionCode: s.regionCode, deadline, lateBy: { ...lateBy },
        summary: `${s.orgName}, site ${s.siteName}: no management plan submitted for ${year} (due ${due})`,
        details: {
          orgName: s.orgName, siteName: s.siteName, siteId: s.siteId, year, dueOn: due, keyByFacts: s.keyByFacts, firstRecordOn: s.firstRecordOn,
          submit: `POST /api/v1/orgs/${s.orgId}/sites/${s.siteId}/management-plan/submit?year=${year}`,
        },
      });
    }
  }
  return alerts;
}

/** Periods whose deadline has passed within the lookback, without a submitted declaration. */
async function declarationsOverdue(
  db: DbOrTx, config: Config, prefix: string, sites: FilingSite[], planClass: PlanClasses, today: string, now: Date,
): Promise<Alert[]> {
  const since = shanghaiDate(new Date(now.getTime() - config.alerts.declarationLookbackDays * DAY));
  const thisYear = Number(today.slice(0, 4));
  const periods: Period[] = [];
  for (let y = Number(since.slice(0, 4)) - 1; y <= thisYear; y += 1) {
    periods.push(...periodsOfYear(y, ['month', 'quarter', 'year']).filter((p) => p.dueOn < today && p.dueOn >= since));
  }
  if (periods.length === 0) return [];
  const { rows: filed } = await db.execute<{ site_id: string; period: string }>(sql`
    SELECT DISTINCT site_id, period FROM declarations
    WHERE period IN (${sql.join(periods.map((p) => sql`${p.id}`), sql`, `)}) AND ${inRegion(sql`region_code`, prefix)}`);
  const done = new Map<string, Set<string>>();
  for (const r of filed) {
    if (!done.has(r.site_id)) done.set(r.site_id, new Set());
    done.get(r.site_id)!.add(r.period);
  }
  const deadlineOf = deadlines(now);
  const alerts: Alert[] = [];
  for (const s of sites) {
    const declared = done.get(s.siteId);
    const plans = planClass.get(s.siteId);
    for (const p of periods) {
      if (declared?.has(p.id) || !owes(s, p.to)) continue;
      const stated = plans?.get(p.year);
      const cls: ManagementClass = stated && MANAGEMENT_CLASSES.includes(stated) ? stated : s.keyByFacts ? 'key' : 'registration';
      if (!PERIOD_KINDS_BY_CLASS[cls].includes(p.kind)) continue;
      const { deadline, lateBy } = deadlineOf(p.dueOn);
      alerts.push({
        type: 'declaration_overdue', severity: 'medium', entityType: 'site_period', entityId: `${s.siteId}/${p.id}`,
        orgId: s.orgId, regionCode: s.regionCode, deadline, lateBy: { ...lateBy },
        summary: `${s.orgName}, site ${s.siteName}: declaration for ${p.id} not submitted (due ${p.dueOn})`,
        details: {
          orgName: s.orgName, siteName: s.siteName, siteId: s.siteId, period: p.id, periodKind: p.kind, dueOn: p.dueOn, managementClass: cls,
          classFrom: stated ? 'plan' : s.keyByFacts ? 'facts' : 'no plan: the annual declaration every class makes',
          submit: `POST /api/v1/orgs/${s.orgId}/sites/${s.siteId}/declarations`,
        },
      });
    }
  }
  return alerts;
}
