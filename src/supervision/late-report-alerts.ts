// Steps recorded long after they say they happened (docs/regulations.md#late-report). Every step
// keeps both times: occurredAt, reported by the handset, and recorded_at, the server's. Deadlines
// count from occurredAt, so a step reported days later with an earlier occurredAt could make a late
// duty look kept; this alert shows the regulator each step recorded more than LATE_REPORT_HOURS
// after its occurredAt, for LATE_REPORT_WINDOW_DAYS after it was recorded.
//
// - A manifest step is one alert (entity: the manifest). The containers' steps that a manifest step
//   writes (dispatch at pickup, accept/refuse at receipt) carry its manifest_id and are left out:
//   the manifest step already reports them.
// - The other container steps of one request (a handset storing twenty drums at once) are one alert
//   (entity: the first container), listing the containers.
// - `issue` is left out: its time is the waste's generation date, which may lie back up to a year
//   for existing stock (docs/regulations.md#generation-date), not a report of a step.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import type { Config } from '../config.js';
import { inRegion } from './jurisdiction.js';
import type { Alert } from './alerts.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Containers listed in one alert's details; `count` says how many there were. */
const MAX_LISTED = 50;

// The same literal as the partial indexes of migration 0013, so the planner can use them; the
// setting (at least 1 hour) narrows it further.
const LATE_BY_AN_HOUR = sql.raw(`recorded_at - occurred_at > interval '1 hour'`);

type Row = Record<string, unknown>;

export async function lateReportAlerts(db: DbOrTx, config: Config, prefix: string, now: Date): Promise<Alert[]> {
  const { lateReportHours: hours, lateReportWindowDays: windowDays } = config.alerts;
  const since = new Date(now.getTime() - windowDays * DAY);
  const late: SQL = sql`recorded_at - occurred_at > make_interval(hours => ${hours}::int)`;
  const region = (column: SQL) => sql`(${inRegion(column, prefix)})`;

  const manifestSteps = (await db.execute(sql`SELECT s.id, s.manifest_id, m.number, s.action, s.org_id, o.region_code,
        s.occurred_at, s.recorded_at
      FROM (SELECT * FROM manifest_steps WHERE recorded_at >= ${since} AND ${LATE_BY_AN_HOUR} AND ${late}) s
      JOIN manifests m ON m.id = s.manifest_id JOIN organisations o ON o.id = s.org_id
      -- A manifest back-entered from paper reports every step late by design: its entry is timed by
      -- the paper rule (docs/regulations.md#paper-manifests), not by this alert.
      WHERE m.origin = 'electronic' AND (${region(sql`m.region_code`)} OR ${region(sql`m.receiver_region_code`)})`)).rows as Row[];

  const labelSteps = (await db.execute(sql`SELECT s.org_id, o.region_code, s.action, min(s.occurred_at) AS occurred_at,
        max(s.recorded_at) AS recorded_at, (array_agg(s.label_id ORDER BY s.id))[1:${MAX_LISTED}] AS label_ids, count(*)::int AS n
      FROM (SELECT * FROM label_steps WHERE recorded_at >= ${since} AND ${LATE_BY_AN_HOUR} AND ${late}
              AND manifest_id IS NULL AND action <> 'issue') s
      JOIN organisations o ON o.id = s.org_id
      WHERE ${region(sql`o.region_code`)}
      GROUP BY s.org_id, o.region_code, s.action, coalesce(s.request_id, s.id::text)`)).rows as Row[];

  const alert = (r: Row, entityType: Alert['entityType'], entityId: string, summary: (h: number) => string, details: Record<string, unknown>): Alert => {
    const occurredAt = new Date(r.occurred_at as string);
    const recordedAt = new Date(r.recorded_at as string);
    const deadline = new Date(occurredAt.getTime() + hours * HOUR);
    const after = Math.floor((recordedAt.getTime() - occurredAt.getTime()) / HOUR);
    return {
      type: 'late_report', severity: 'medium', entityType, entityId, orgId: String(r.org_id), regionCode: String(r.region_code),
      deadline: deadline.toISOString(),
      lateBy: { value: Math.floor((recordedAt.getTime() - deadline.getTime()) / HOUR), unit: 'hours' },
      summary: summary(after),
      details: { action: r.action, occurredAt: occurredAt.toISOString(), recordedAt: recordedAt.toISOString(), hoursAfter: after, ...details },
    };
  };

  return [
    ...manifestSteps.map((r) => alert(r, 'manifest', String(r.manifest_id),
      (h) => `Manifest ${r.number}: ${r.action} recorded ${h} hours after the time it reports`,
      { number: r.number, stepId: String(r.id) })),
    ...labelSteps.map((r) => {
      const ids = r.label_ids as string[];
      return alert(r, 'label', ids[0],
        (h) => `${r.n === 1 ? 'A container\'s' : `${r.n} containers'`} ${r.action} recorded ${h} hours after the time it reports`,
        { labelIds: ids, count: r.n });
    }),
  ];
}
