// The alert sweep (docs/events.md#alert-events): alerts are computed on read (alerts.ts), so nobody
// hears of one until someone asks. The sweep computes every open alert, compares them with the
// ones it saw open last time (alert_states), and writes an `alert.opened` event for each alert that
// appeared and an `alert.closed` event for each that went away, in the transaction that records the
// new states: an event exists if and only if its state change committed.
//
// Every replica may run it (a scheduled job); an advisory lock held to commit makes one of them
// sweep while another that comes at the same moment skips its turn. A sweep that finds nothing
// changed writes no event, so sweeping often costs reads only.
import { sql } from 'drizzle-orm';
import type { Static } from 'typebox';
import type { Db, DbOrTx } from '../db/database.js';
import type { Config } from '../config.js';
import type { AlertEventData } from '../events/catalogue.js';
import { listRegions, jurisdictionPrefix } from '../catalog/regions.js';
import { openAlerts, type Alert } from './alerts.js';
import { ALL_REGIONS } from './jurisdiction.js';
import { calendarYearMissingAlerts } from './calendar-year-missing.js';
import type { RecurringJob } from '../jobs/recurring.js';

/**
 * The PostgreSQL advisory lock that makes sweeping one replica's job at a time. Any fixed number
 * unique in this database works; this one is "hwalrts" read as a big-endian integer.
 */
export const ALERT_SWEEP_LOCK_KEY = '29404657892881523';
const LOCK_KEY_SQL = sql.raw(`${ALERT_SWEEP_LOCK_KEY}::bigint`);

export type SweepOutcome =
  | { outcome: 'swept'; opened: number; closed: number; open: number }
  /** Another process holds the lock: it is sweeping now. */
  | { outcome: 'busy' };

type AlertData = Static<typeof AlertEventData>;

/** The key of an alert across sweeps, and the id of its events' aggregate. */
export const alertKey = (a: { type: string; entityType: string; entityId: string }) => `${a.type}:${a.entityType}:${a.entityId}`;

/** The alert as its events carry it: as GET /supervision/alerts shows it, less how late it is (that changes every hour). */
export function alertEventData(a: Alert): AlertData {
  return {
    alertType: a.type, severity: a.severity, entityType: a.entityType, entityId: a.entityId, orgId: a.orgId,
    regionCode: a.regionCode, deadline: a.deadline, summary: a.summary, details: a.details,
  };
}

/**
 * The jurisdiction that loads the working-day calendar: the catalogue's city. Its alert
 * calendar_year_missing takes its region from the prefix it is computed for, so it is computed for
 * the city, whose regulators (and the province's) see it, not for "every region".
 */
const CITY_PREFIX = jurisdictionPrefix(listRegions().find((r) => r.level === 'city')!.code);

/** Every open alert of every region, one per key (the first, by deadline, when an entity has several). */
async function currentAlerts(db: DbOrTx, config: Config, now: Date): Promise<Map<string, Alert>> {
  const all = [
    ...(await openAlerts(db, config, ALL_REGIONS, undefined, now)).filter((a) => a.type !== 'calendar_year_missing'),
    ...calendarYearMissingAlerts(CITY_PREFIX, config.alerts.calendarMissingDays, now),
  ];
  const byKey = new Map<string, Alert>();
  for (const a of all) if (!byKey.has(alertKey(a))) byKey.set(alertKey(a), a);
  return byKey;
}

export async function sweepAlerts(db: Db, config: Config, now = new Date()): Promise<SweepOutcome> {
  return db.transaction(async (tx) => {
    // The lock is held to commit: a sweep stuck on a slow database must not hold it for long.
    await tx.execute(sql`SET LOCAL statement_timeout = '60s'`);
    const { rows: [lock] } = await tx.execute<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${LOCK_KEY_SQL}) AS locked`);
    if (!lock.locked) return { outcome: 'busy' } as const;

    // Both read after the lock (READ COMMITTED: each statement sees every commit before it), so a
    // sweep sees the records at least as new as the previous sweep did, and that sweep's states.
    const current = await currentAlerts(tx, config, now);
    const { rows: openRows } = await tx.execute<{ alert_type: string; entity_type: string; entity_id: string; alert: Alert }>(
      sql`SELECT alert_type, entity_type, entity_id, alert FROM alert_states WHERE closed_at IS NULL`);
    const wasOpen = new Map(openRows.map((r) => [alertKey({ type: r.alert_type, entityType: r.entity_type, entityId: r.entity_id }), r.alert]));

    const opened = [...current].filter(([key]) => !wasOpen.has(key)).map(([, a]) => a);
    const still = [...current].filter(([key]) => wasOpen.has(key)).map(([, a]) => a);
    const closed = [...wasOpen].filter(([key]) => !current.has(key)).map(([, a]) => a);
    const json = (alerts: Alert[]) => JSON.stringify(alerts.map((a) => ({
      alert_type: a.type, entity_type: a.entityType, entity_id: a.entityId, region_code: a.regionCode, org_id: a.orgId || null, alert: a,
    })));
    const Row = sql.raw('(alert_type text, entity_type text, entity_id text, region_code text, org_id text, alert jsonb)');

    if (opened.length) {
      // A key closed before opens again on its row.
      await tx.execute(sql`INSERT INTO alert_states (alert_type, entity_type, entity_id, region_code, org_id, opened_at, closed_at, alert)
        SELECT alert_type, entity_type, entity_id, region_code, org_id, ${now}, NULL, alert FROM jsonb_to_recordset(${json(opened)}::jsonb) AS ${Row}
        ON CONFLICT (alert_type, entity_type, entity_id) DO UPDATE SET region_code = excluded.region_code, org_id = excluded.org_id,
          opened_at = excluded.opened_at, closed_at = NULL, alert = excluded.alert`);
    }
    if (still.length) {
      // Keep the last image for the closing event; rows whose alert did not change are not written.
      await tx.execute(sql`UPDATE alert_states s SET region_code = v.region_code, org_id = v.org_id, alert = v.alert
        FROM jsonb_to_recordset(${json(still)}::jsonb) AS v${Row}
        WHERE s.alert_type = v.alert_type AND s.entity_type = v.entity_type AND s.entity_id = v.entity_id
          AND s.alert IS DISTINCT FROM v.alert`);
    }
    if (closed.length) {
      await tx.execute(sql`UPDATE alert_states s SET closed_at = ${now}
        FROM jsonb_to_recordset(${json(closed)}::jsonb) AS v${Row}
        WHERE s.alert_type = v.alert_type AND s.entity_type = v.entity_type AND s.entity_id = v.entity_id AND s.closed_at IS NULL`);
    }

    const events = [
      ...opened.map((a) => ({ type: 'alert.opened', aggregate_id: alertKey(a), region_code: a.regionCode, snapshot: alertEventData(a) })),
      ...closed.map((a) => ({ type: 'alert.closed', aggregate_id: alertKey(a), region_code: a.regionCode, snapshot: alertEventData(a) })),
    ];
    if (events.length) {
      await tx.execute(sql`INSERT INTO events (type, aggregate_type, aggregate_id, region_code, occurred_at, snapshot)
        SELECT type, 'alert', aggregate_id, region_code, ${now}, snapshot
        FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS v(type text, aggregate_id text, region_code text, snapshot jsonb)`);
    }
    return { outcome: 'swept', opened: opened.length, closed: closed.length, open: current.size } as const;
  });
}

export const ALERT_SWEEP_TASK = 'alert_sweep';

/** The sweep as a recurring job every ALERT_SWEEP_INTERVAL_S seconds, or none when that is 0. */
export function alertSweepJob(db: Db, config: Config, log: { info(obj: object, msg: string): void }): RecurringJob | undefined {
  if (!(config.alertSweepIntervalS > 0)) return undefined;
  return {
    task: ALERT_SWEEP_TASK,
    intervalMs: config.alertSweepIntervalS * 1000,
    run: async () => {
      const r = await sweepAlerts(db, config);
      if (r.outcome === 'swept' && (r.opened > 0 || r.closed > 0)) log.info({ opened: r.opened, closed: r.closed, open: r.open }, 'alert sweep');
    },
  };
}
