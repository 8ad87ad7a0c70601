// Dates for tests, computed from the clock so that no test depends on the calendar year it runs
// in. Calendar dates are YYYY-MM-DD in Asia/Shanghai, the calendar every date of the service is
// read in (not the host's time zone).
//
// Fixed dates stay fixed only where the date itself is the point: a holiday of the working-day
// calendar data (src/calendar/data), a documented edge of the accepted range (src/http/date-range.ts),
// an impossible date, a worked example of a pure function. Those tests say so where they use them.
import { addWorkingDays, CalendarNotCoveredError, coveredYears, shanghaiDate } from '../../src/calendar/working-days.js';

const DAY_MS = 86_400_000;

/** `date` plus `n` calendar days (negative: before). */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Today in Asia/Shanghai. */
export const today = (): string => shanghaiDate(new Date());

/** The year of today in Asia/Shanghai (not the host's `getFullYear()`, which differs for 8 hours a year). */
export const thisYear = (): number => Number(today().slice(0, 4));

/** Today plus `n` days. */
export const daysFromNow = (n: number): string => addDays(today(), n);

/** The same day `n` years from today (29 February becomes the 28th in a common year). */
export function yearsFromNow(n: number): string {
  const [y, m, d] = today().split('-').map(Number);
  const year = y + n;
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

// ---- the working-day calendar ---------------------------------------------------------------------
// src/calendar/data holds only the years whose official holiday notice is published. Deadlines in
// working days exist only inside them: past the last year the service records a delivery without a
// receipt deadline and counts lateness in calendar days. Tests that need a deadline take their dates
// from the covered years; tests that only pass through it expect whichever answer the calendar allows.

/** Whether the working-day calendar covers the year of every date given. */
export function calendarCovers(...dates: string[]): boolean {
  const years = new Set(coveredYears());
  return dates.every((d) => years.has(Number(d.slice(0, 4))));
}

/**
 * The receipt deadline the service sets for a delivery on `day` (`n` working days later), or null
 * where the calendar does not reach (the service then records no deadline).
 */
export function receiptDueFor(day: string, n = 5): string | null {
  try {
    return addWorkingDays(day, n);
  } catch (e) {
    if (e instanceof CalendarNotCoveredError) return null;
    throw e;
  }
}

/**
 * The latest date at least `minDaysAgo` days back from which the next `span` days all lie in the
 * working-day calendar: `minDaysAgo` days ago when the calendar covers that stretch (the usual
 * case), otherwise the end of the last covered year less `span` days. A test that reports steps
 * as of this date also needs an occurredAt window of `windowDaysFor(date)`.
 */
export function coveredPastDate(minDaysAgo: number, span = 30): string {
  let d = daysFromNow(-minDaysAgo);
  if (!calendarCovers(d, addDays(d, span))) {
    const last = Math.max(...coveredYears().filter((y) => y <= Number(d.slice(0, 4))));
    if (!Number.isFinite(last)) throw new Error(`the working-day calendar covers no year before ${d}`);
    d = addDays(`${last}-12-31`, -span);
  }
  return d;
}

/** An OCCURRED_AT_WINDOW_DAYS reaching back to `date` with room to spare (never below `min`). */
export function windowDaysFor(date: string, min = 400): string {
  return String(Math.max(min, daysBetween(date, today()) + 40));
}
