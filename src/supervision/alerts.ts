// Open alerts (docs/regulations.md#alerts), computed from the records at the moment of the request: an alert
// exists exactly while its condition holds, so it disappears as soon as the record is put right.
import { HELD_STATES } from '../labels/label-states.js';
import { RECEIVED_STATES } from '../manifests/manifest-states.js';
import { receivedKgSql, yearInterval } from '../manifests/received-weight.js';
import { offToleranceSql } from '../manifests/weight-discrepancy.js';
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { isTransaction } from '../db/read-together.js';
import type { Config } from '../config.js';
import { inRegion } from './jurisdiction.js';
import { paperTransferAlerts } from './paper-transfer-alerts.js';
import { calendarYearMissingAlerts } from './calendar-year-missing.js';
import { isOperatingLicenceKind } from '../parties/licence-rules.js';
import { licenceAlertOpens } from './licence-renewal.js';
import { CalendarNotCoveredError, shanghaiDate, shanghaiDayStart, workingDaysBetween } from '../calendar/working-days.js';
import { storageAlerts } from './storage-alerts.js';
import { lateReportAlerts } from './late-report-alerts.js';
import { emergencyPlanAlerts } from './emergency-plan-alerts.js';
import { routeAlerts } from './route-alerts.js';
import { filingAlerts } from './filings/filing-alerts.js';
import { readSiteFacts, type SiteFacts } from './site-facts.js';
import { alertOrder } from './alert-page.js';

export const ALERT_TYPES = [
  'receipt_overdue', 'storage_near_limit', 'storage_over_limit', 'medical_hold_exceeded', 'in_transit_too_long',
  'weight_discrepancy', 'refusal', 'licence_expiring', 'capacity_near_limit', 'paper_transfer_not_entered', 'calendar_year_missing',
  'storage_over_limit_generator', 'late_report', 'emergency_plan_missing',
  'route_stop', 'route_off_corridor', 'route_silence',
  'management_plan_missing', 'declaration_overdue',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface Alert {
  type: AlertType;
  severity: 'high' | 'medium';
  entityType: 'label' | 'manifest' | 'licence' | 'paper_transfer' | 'calendar_year' | 'site' | 'site_period';
  entityId: string;
  orgId: string;
  regionCode: string;
  deadline: string;
  lateBy: { value: number; unit: 'working_days' | 'days' | 'hours' } | null;
  summary: string;
  details: Record<string, unknown>;
}

const DAY = 86_400_000;
/**
 * Checks run at once on the pool's connections (pool.ts default 10). A few, not all: one alerts page
 * should not hold every connection the custody steps need. Inside a transaction (the alert sweep)
 * its one connection runs them one after another.
 */
const CHECK_LANES = 3;

/** Runs the tasks, at most `lanes` at a time, in their order. */
async function inLanes(tasks: Array<() => Promise<void>>, lanes: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, tasks.length) }, async () => {
    while (next < tasks.length) await tasks[next++]();
  }));
}
const HOUR = 3_600_000;


const range = (column: SQL, prefix: string) => sql`(${inRegion(column, prefix)})`;

type Rows = Array<Record<string, unknown>>;

/** Working days late; in calendar days (and said so) when the calendar does not cover the dates. */
function lateInWorkingDays(due: string, today: string): Alert['lateBy'] {
  try {
    return { value: workingDaysBetween(due, today), unit: 'working_days' };
  } catch (e) {
    if (!(e instanceof CalendarNotCoveredError)) throw e;
    return { value: Math.round((shanghaiDayStart(today).getTime() - shanghaiDayStart(due).getTime()) / DAY), unit: 'days' };
  }
}

export async function openAlerts(db: DbOrTx, config: Config, prefix: string, type?: AlertType, now = new Date()): Promise<Alert[]> {
  const a = config.alerts;
  const today = shanghaiDate(now);
  const wanted = (t: AlertType) => !type || type === t;
  // Each check fills its own list; the checks run a few at a time (their queries are independent),
  // and the joined lists are sorted on a key no two alerts share (alert-page.ts), so the page is the
  // same in whatever order they ran.
  const checks: Array<(out: Alert[]) => Promise<void>> = [];
  const q = async (query: SQL) => (await db.execute(query)).rows as Rows;

  if (wanted('receipt_overdue')) checks.push(async (out) => {
    for (const r of await q(sql`SELECT id, number, receiver_id, receiver_region_code, receipt_due_on, delivered_at FROM manifests
        WHERE state = 'delivered' AND receipt_due_on < ${today}
          AND (${range(sql`receiver_region_code`, prefix)} OR ${range(sql`region_code`, prefix)})`)) {
      const due = String(r.receipt_due_on);
      out.push({
        type: 'receipt_overdue', severity: 'high', entityType: 'manifest', entityId: String(r.id), orgId: String(r.receiver_id),
        regionCode: String(r.receiver_region_code), deadline: new Date(shanghaiDayStart(due).getTime() + DAY).toISOString(),
        lateBy: lateInWorkingDays(due, today),
        summary: `Receipt of manifest ${r.number} not confirmed by ${due} (5 working days after arrival)`,
        details: { number: r.number, receiptDueOn: due, deliveredAt: new Date(r.delivered_at as string).toISOString() },
      });
    }
  });

  if (wanted('storage_near_limit') || wanted('storage_over_limit') || wanted('storage_over_limit_generator')) checks.push(async (out) => {
    out.push(...await storageAlerts(db, config, prefix, wanted, now));
  });

  if (wanted('medical_hold_exceeded')) checks.push(async (out) => {
    const before = new Date(now.getTime() - a.medicalHoldDays * DAY);
    // The clock runs from when the waste was generated at, or arrived at, the institution: a box
    // the bags were consolidated into there keeps the earliest time of its contents, so boxing
    // does not restart it (docs/regulations.md#medical-hold).
    for (const r of await q(sql`SELECT l.id, l.digital_code, l.holder_id, l.holder_region_code, held.since AS held_since FROM labels l
        JOIN organisations o ON o.id = l.holder_id
        CROSS JOIN LATERAL (
          WITH RECURSIVE inside(id, held_since) AS (
            SELECT c.id, c.held_since FROM labels c WHERE c.parent_id = l.id AND c.state = 'consolidated' AND c.holder_id = l.holder_id
            UNION ALL
            SELECT c.id, c.held_since FROM labels c JOIN inside i ON c.parent_id = i.id WHERE c.state = 'consolidated' AND c.holder_id = l.holder_id
          )
          SELECT LEAST(l.held_since, (SELECT min(held_since) FROM inside)) AS since) held
        WHERE l.category = 'HW01' AND l.state IN ${HELD_STATES} AND o.generator_class = 'medical'
          AND held.since <= ${before} AND ${range(sql`l.holder_region_code`, prefix)}`)) {
      const deadline = new Date(new Date(r.held_since as string).getTime() + a.medicalHoldDays * DAY);
      out.push({
        type: 'medical_hold_exceeded', severity: 'high', entityType: 'label', entityId: String(r.id), orgId: String(r.holder_id),
        regionCode: String(r.holder_region_code), deadline: deadline.toISOString(),
        lateBy: { value: Math.floor((now.getTime() - deadline.getTime()) / HOUR), unit: 'hours' },
        summary: `Medical waste ${r.digital_code} held more than ${a.medicalHoldDays} days at a medical institution`,
        details: { digitalCode: r.digital_code, heldSince: new Date(r.held_since as string).toISOString() },
      });
    }
  });

  if (wanted('in_transit_too_long')) checks.push(async (out) => {
    const before = new Date(now.getTime() - a.inTransitHours * HOUR);
    for (const r of await q(sql`SELECT id, number, generator_id, region_code, picked_up_at FROM manifests
        WHERE state = 'in_transit' AND picked_up_at <= ${before}
          AND (${range(sql`region_code`, prefix)} OR ${range(sql`receiver_region_code`, prefix)})`)) {
      const deadline = new Date(new Date(r.picked_up_at as string).getTime() + a.inTransitHours * HOUR);
      out.push({
        type: 'in_transit_too_long', severity: 'medium', entityType: 'manifest', entityId: String(r.id), orgId: String(r.generator_id),
        regionCode: String(r.region_code), deadline: deadline.toISOString(),
        lateBy: { value: Math.floor((now.getTime() - deadline.getTime()) / HOUR), unit: 'hours' },
        summary: `Manifest ${r.number} in transit for more than ${a.inTransitHours} hours`,
        details: { number: r.number, pickedUpAt: new Date(r.picked_up_at as string).toISOString() },
      });
    }
  });

  if (wanted('weight_discrepancy')) checks.push(async (out) => {
    // The open discrepancies first (a partial index holds them), then each one's containers: the
    // planner cannot tell how few they are, and a join would read every manifest's containers.
    for (const r of await q(sql`SELECT m.id, m.number, m.receiver_id, m.receiver_region_code, m.received_at, c.off
        FROM manifests m CROSS JOIN LATERAL (
          SELECT json_agg(json_build_object('labelId', ml.label_id, 'declaredKg', ml.declared_kg, 'measuredKg', ml.measured_kg,
            'mismatches', ml.mismatches, 'mismatchNote', ml.mismatch_note)) AS off
          FROM manifest_labels ml
          -- Weights off tolerance, and any mismatch the receiver reported (Art. 18, receipt-mismatches.ts).
          WHERE ml.manifest_id = m.id AND ((ml.accepted
            AND ${offToleranceSql(sql`ml.declared_kg`, sql`ml.measured_kg`, config.weightTolerancePct)}) OR cardinality(ml.mismatches) > 0)) c
        WHERE m.discrepant AND m.discrepancy_reviewed_at IS NULL AND m.state IN ${RECEIVED_STATES}
          AND ${range(sql`m.receiver_region_code`, prefix)} AND c.off IS NOT NULL`)) {
      out.push({
        type: 'weight_discrepancy', severity: 'medium', entityType: 'manifest', entityId: String(r.id), orgId: String(r.receiver_id),
        regionCode: String(r.receiver_region_code), deadline: new Date(r.received_at as string).toISOString(), lateBy: null,
        summary: `Manifest ${r.number}: measured weights differ from the declared by more than ${config.weightTolerancePct} %, or the receiver reported a mismatch`,
        details: { number: r.number, containers: r.off },
      });
    }
  });

  if (wanted('refusal')) checks.push(async (out) => {
    for (const r of await q(sql`SELECT m.id, m.number, m.generator_id, m.region_code, m.receiver_region_code, m.received_at,
          json_agg(json_build_object('labelId', ml.label_id, 'reason', ml.refusal_reason)) AS refused
        FROM manifests m JOIN manifest_labels ml ON ml.manifest_id = m.id JOIN labels l ON l.id = ml.label_id
        WHERE m.state IN ('received', 'rejected', 'completed') AND ml.accepted = false AND l.state = 'rejected'
          AND (${range(sql`m.receiver_region_code`, prefix)} OR ${range(sql`m.region_code`, prefix)})
        GROUP BY m.id`)) {
      out.push({
        type: 'refusal', severity: 'medium', entityType: 'manifest', entityId: String(r.id), orgId: String(r.generator_id),
        regionCode: String(r.region_code), deadline: new Date(r.received_at as string).toISOString(), lateBy: null,
        summary: `Manifest ${r.number}: refused containers not yet taken back by the generator`,
        details: { number: r.number, refused: r.refused },
      });
    }
  });

  if (wanted('licence_expiring')) checks.push(async (out) => {
    // A 经营许可证 must be renewed 30 working days before it expires (经营许可证管理办法 Art. 13,
    // docs/regulations.md#licence-renewal): the alert opens on that day. Other licences (approvals, transport)
    // follow the calendar-day policy ALERT_LICENCE_EXPIRY_DAYS. 30 working days never span more
    // than 60 calendar days, so that bounds the candidates.
    const horizon = shanghaiDate(new Date(now.getTime() + Math.max(60, a.licenceExpiryDays) * DAY));
    for (const r of await q(sql`SELECT id, number, kind, org_id, region_code, valid_to FROM licences l
        WHERE status = 'active' AND valid_to >= ${today} AND valid_to <= ${horizon} AND ${range(sql`region_code`, prefix)}
          AND NOT EXISTS (SELECT 1 FROM licences n WHERE n.org_id = l.org_id AND n.kind = l.kind AND n.status = 'active'
                          AND n.id <> l.id AND n.valid_to > l.valid_to AND n.valid_from <= l.valid_to + 1)`)) {
      const validTo = String(r.valid_to);
      const opens = licenceAlertOpens(String(r.kind), validTo, a.licenceExpiryDays);
      if (opens.on > today) continue;
      out.push({
        type: 'licence_expiring', severity: 'medium', entityType: 'licence', entityId: String(r.id), orgId: String(r.org_id),
        regionCode: String(r.region_code), deadline: new Date(shanghaiDayStart(validTo).getTime() + DAY).toISOString(), lateBy: null,
        summary: `${isOperatingLicenceKind(String(r.kind)) ? 'Operating licence' : r.kind === 'transport' ? 'Transport licence' : 'Collection approval'} ${r.number} expires on ${validTo} with no renewal registered`,
        details: { number: r.number, kind: r.kind, validTo, alertFrom: opens.on, counted: opens.counted },
      });
    }
  });


  if (wanted('capacity_near_limit')) checks.push(async (out) => {
    const { from, to } = yearInterval(Number(today.slice(0, 4)));
    for (const r of await q(sql`SELECT l.id, l.number, l.org_id, l.region_code, l.annual_capacity_kg, l.valid_to,
          ${receivedKgSql(sql`l.org_id`, from, to)} AS used_kg
        FROM licences l
        WHERE l.kind <> 'transport' AND l.status = 'active' AND l.annual_capacity_kg > 0 AND l.valid_to >= ${today}
          AND ${range(sql`l.region_code`, prefix)}`)) {
      const used = Number(r.used_kg);
      const cap = Number(r.annual_capacity_kg);
      const pct = (used / cap) * 100;
      if (pct < a.capacityWarnPct) continue;
      out.push({
        type: 'capacity_near_limit', severity: pct >= 100 ? 'high' : 'medium', entityType: 'licence', entityId: String(r.id), orgId: String(r.org_id),
        regionCode: String(r.region_code), deadline: new Date(to.getTime()).toISOString(), lateBy: null,
        summary: `Licence ${r.number} has used ${pct.toFixed(1)} % of its annual capacity`,
        details: { number: r.number, annualCapacityKg: cap, usedKg: used, usedPct: Math.round(pct * 10) / 10 },
      });
    }
  });

  if (wanted('paper_transfer_not_entered')) checks.push(async (out) => { out.push(...await paperTransferAlerts(db, prefix, today)); });
  if (wanted('calendar_year_missing')) checks.push(async (out) => { out.push(...calendarYearMissingAlerts(prefix, a.calendarMissingDays, now)); });
  if (wanted('late_report')) checks.push(async (out) => { out.push(...await lateReportAlerts(db, config, prefix, now)); });
  // The site facts that emergency_plan_missing and the filing alerts both start from, read once.
  let facts: Promise<SiteFacts[]> | undefined;
  const siteFacts = () => (facts ??= readSiteFacts(db, prefix, today));
  if (wanted('emergency_plan_missing')) checks.push(async (out) => { out.push(...await emergencyPlanAlerts(db, prefix, now, siteFacts())); });
  if (wanted('route_stop') || wanted('route_off_corridor') || wanted('route_silence')) checks.push(async (out) => { out.push(...await routeAlerts(db, config, prefix, wanted, now)); });
  if (wanted('management_plan_missing') || wanted('declaration_overdue')) checks.push(async (out) => { out.push(...await filingAlerts(db, config, prefix, wanted, now, siteFacts())); });

  const lists = checks.map(() => [] as Alert[]);
  await inLanes(checks.map((check, i) => () => check(lists[i])), isTransaction(db) ? 1 : CHECK_LANES);
  return lists.flat().sort(alertOrder);
}
