import { date, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

// Years of the working-day calendar loaded by a regulator through the API (migration 0010). The
// years bundled in src/calendar/data are the seed; a row here lays its year over them.
export const calendarYears = pgTable('calendar_years', {
  year: integer().primaryKey(),
  holidays: date({ mode: 'string' }).array().notNull(),
  workdays: date({ mode: 'string' }).array().notNull(),
  /** The notice the dates come from, as the regulator names it (e.g. 国办发明电〔2025〕N号). */
  source: text().notNull(),
  loadedBy: uuid().notNull(),
  loadedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
