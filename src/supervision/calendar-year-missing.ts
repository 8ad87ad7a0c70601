// Alert calendar_year_missing (docs/regulations.md#working-day-calendar): from
// ALERT_CALENDAR_MISSING_DAYS (60) days before the year ends while next year's working-day calendar
// is not loaded, every working-day deadline that reaches into it cannot be computed. Shown to the
// regulators who can load it: city-level (or provincial) jurisdictions.
import { coveredYears, shanghaiDate, shanghaiDayStart } from '../calendar/working-days.js';
import type { Alert } from './alerts.js';

const DAY = 86_400_000;
const CITY_PREFIX_MAX = 4;

/** The first day the alert is open for `year`'s calendar: `days` days before 1 January of it (2026-11-02 for 2027 at 60). */
export function calendarAlertOpensOn(year: number, days: number): string {
  return shanghaiDate(new Date(shanghaiDayStart(`${year}-01-01`).getTime() - days * DAY));
}

export function calendarYearMissingAlerts(prefix: string, days: number, now: Date): Alert[] {
  if (prefix.length > CITY_PREFIX_MAX) return [];
  const today = shanghaiDate(now);
  const next = Number(today.slice(0, 4)) + 1;
  if (coveredYears().includes(next) || today < calendarAlertOpensOn(next, days)) return [];
  return [{
    type: 'calendar_year_missing', severity: 'high', entityType: 'calendar_year', entityId: String(next),
    // Nobody owns the national calendar; the alert sits with the jurisdiction that loads it.
    orgId: '', regionCode: prefix.padEnd(6, '0'),
    deadline: shanghaiDayStart(`${next}-01-01`).toISOString(), lateBy: null,
    summary: `The ${next} working-day calendar (State Council holiday notice) is not loaded: receipt deadlines from late ${next - 1} on cannot be computed`,
    details: { year: next, alertFrom: calendarAlertOpensOn(next, days), coveredYears: coveredYears(), load: `PUT /api/v1/calendar/years/${next}` },
  }];
}
