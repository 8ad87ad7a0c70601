// The loaded years of the working-day calendar: read from calendar_years into the in-memory
// calendar (at start-up, after a load, periodically), and written by a regulator's load.
import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { calendarYears } from './schema.js';
import { setLoadedYears, type CalendarYear } from './working-days.js';

export type CalendarYearRow = typeof calendarYears.$inferSelect;

export async function loadedYears(db: DbOrTx): Promise<CalendarYearRow[]> {
  return db.select().from(calendarYears).orderBy(asc(calendarYears.year));
}

export const toCalendarYear = (r: Pick<CalendarYearRow, 'year' | 'holidays' | 'workdays'>): CalendarYear =>
  ({ year: r.year, holidays: [...r.holidays].sort(), workdays: [...r.workdays].sort() });

/** Lays the table's years over the bundled ones in this process. */
export async function refreshCalendar(db: DbOrTx): Promise<void> {
  setLoadedYears((await loadedYears(db)).map(toCalendarYear));
}

/** The year's row, locked until the transaction ends (so two loads of a year are ordered). */
export async function lockedYear(db: DbOrTx, year: number): Promise<CalendarYearRow | undefined> {
  const [row] = await db.select().from(calendarYears).where(eq(calendarYears.year, year)).for('update');
  return row;
}
