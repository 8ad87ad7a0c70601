// Keeps this process's in-memory calendar in step with calendar_years: once at start-up and then
// every CALENDAR_REFRESH_INTERVAL_S, so that a year loaded through another API instance is used
// here too. Each refresh also computes the receipt deadlines that waited for a year now loaded
// (a delivery recorded by an instance that did not have the year yet).
import type { Db } from '../db/database.js';
import { appendAuditMany } from '../audit/trail.js';
import { every, type Periodic, type TaskLog } from '../background/periodic.js';
import { refreshCalendar } from './calendar-store.js';
import { deadlineAudit, fillReceiptDeadlines } from './pending-deadlines.js';
import { currentCalendar } from './working-days.js';

export interface CalendarRefreshDeps { db: Db; intervalS: number; receiptWorkingDays: number; log: TaskLog }

export async function refreshCalendarAndDeadlines(db: Db, receiptWorkingDays: number): Promise<number> {
  await refreshCalendar(db);
  return db.transaction(async (tx) => {
    const filled = await fillReceiptDeadlines(tx, currentCalendar(), receiptWorkingDays);
    await appendAuditMany(tx, {}, filled.map(deadlineAudit));
    return filled.length;
  });
}

/**
 * The first refresh runs before the app answers; if the database is unreachable then, the bundled
 * years serve until the next tick succeeds (start-up must not depend on this table).
 */
export async function startCalendarRefresh(deps: CalendarRefreshDeps): Promise<Periodic> {
  const { db, receiptWorkingDays, log } = deps;
  const tick = async () => {
    const filled = await refreshCalendarAndDeadlines(db, receiptWorkingDays);
    if (filled > 0) log.info({ filled }, 'receipt deadlines computed with a newly loaded calendar year');
  };
  await tick().catch((err) => log.warn({ err }, 'working-day calendar not read at start-up; the bundled years serve until the next refresh'));
  if (!(deps.intervalS > 0)) return { stop: async () => {} };
  return every(deps.intervalS * 1000, 'calendar refresh', tick, log);
}
