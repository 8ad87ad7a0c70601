// The working-day calendar as the API shows it, and a regulator's load of a year
// (docs/regulations.md#working-day-calendar).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { responses } from '../http/schemas.js';
import { runCommand } from '../http/command.js';
import { AppError, invalid } from '../core/errors.js';
import { requireClientRole, requireOrgRole, type Caller } from '../auth/roles.js';
import { calendarYears } from './schema.js';
import { loadedYears, lockedYear, refreshCalendar, toCalendarYear, type CalendarYearRow } from './calendar-store.js';
import { bundledYears, coveredYears, currentCalendar } from './working-days.js';
import { yearProblems } from './year-rules.js';
import { deadlineAudit, fillReceiptDeadlines } from './pending-deadlines.js';

const DateList = (description: string, minItems = 0) =>
  Type.Array(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { minItems, maxItems: 366, description });

const YearBody = Type.Object({
  // Never empty: every year has at least New Year's Day off, so an empty list is a mistake.
  holidays: DateList('Every day off of the notice (放假), weekends inside a holiday included', 1),
  workdays: DateList('The make-up workdays (调休上班): Saturdays or Sundays that are worked'),
  source: Type.String({ minLength: 1, maxLength: 200, description: 'The State Council General Office notice the dates come from' }),
}, { additionalProperties: false });

const YearView = Type.Object({
  year: Type.Integer(),
  origin: Type.Union([Type.Literal('bundled'), Type.Literal('loaded')], { description: 'Shipped with the code, or loaded through this API' }),
  holidays: Type.Array(Type.String({ format: 'date' })),
  workdays: Type.Array(Type.String({ format: 'date' })),
  source: Type.Union([Type.String(), Type.Null()]),
  loadedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const loadedView = (r: CalendarYearRow) => ({
  ...toCalendarYear(r), origin: 'loaded' as const, source: r.source, loadedAt: r.loadedAt.toISOString(),
});

/**
 * The calendar is national and every deadline in the city hangs on it: the city's (or the
 * province's) regulator loads it, through a registrar client, as it keeps the other registers.
 * A district regulator's jurisdiction is a 6-digit prefix.
 */
const CITY_PREFIX_MAX = 4;
function requireCityRegistrar(caller: Caller): void {
  requireOrgRole(caller, 'regulator');
  requireClientRole(caller, 'registrar');
  if ((caller.jurisdiction ?? '').length > CITY_PREFIX_MAX) {
    throw new AppError('FORBIDDEN', 'The working-day calendar is loaded by a city-level (or provincial) regulator');
  }
}

export const calendarRoutes: RouteModule = (app, ctx) => {
  app.get('/api/v1/calendar/years', {
    schema: {
      operationId: 'listCalendarYears', tags: ['calendar'],
      summary: 'The years the working-day calendar covers: bundled with the code or loaded by a regulator',
      response: responses({ 200: Type.Object({ items: Type.Array(YearView), coveredYears: Type.Array(Type.Integer()) }) }, 401),
    },
  }, async () => {
    const loaded = new Map((await loadedYears(ctx.db)).map((r) => [r.year, r]));
    const cal = currentCalendar();
    const years = [...new Set([...bundledYears(), ...loaded.keys()])].sort((a, b) => a - b);
    const items = years.map((y) => {
      const row = loaded.get(y);
      if (row) return loadedView(row);
      const b = cal.years.get(y)!;
      return { year: y, origin: 'bundled' as const, holidays: b.holidays, workdays: b.workdays, source: null, loadedAt: null };
    });
    return { items, coveredYears: coveredYears() };
  });

  app.put('/api/v1/calendar/years/:year', {
    schema: {
      operationId: 'loadCalendarYear', tags: ['calendar'],
      summary: 'Load (or correct) a year of holidays and make-up workdays from the State Council notice (city regulator, registrar client)',
      params: Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2099 }) }),
      body: YearBody,
      response: responses({ 200: Type.Object({ ...YearView.properties, receiptDeadlinesComputed: Type.Integer() }) }, 400, 401, 403),
    },
    // Once the load has committed and before the answer leaves: this instance takes the table as it
    // now is, so a client that reads after the answer sees the year in use; other instances take it
    // at their next refresh (calendar-refresh.ts).
    onSend: async (request, _reply, payload) => {
      // A failed re-read leaves the answer as it is: the periodic refresh takes the year up.
      await refreshCalendar(ctx.db).catch((err) => request.log.warn({ err }, 'calendar not re-read after a load'));
      return payload;
    },
  }, async (request, reply) => {
    const { year } = request.params;
    return runCommand(ctx, request, reply, async (cmd) => {
      const { caller } = cmd.actor;
      requireCityRegistrar(caller);
      const problems = yearProblems(year, request.body);
      if (problems.length) throw invalid(`The ${year} calendar is not valid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
      const entered = toCalendarYear({ year, ...request.body });
      const before = await lockedYear(cmd.tx, year);
      const values = { ...entered, source: request.body.source, loadedBy: caller.orgId, loadedAt: new Date() };
      const [row] = await cmd.tx.insert(calendarYears).values(values)
        .onConflictDoUpdate({ target: calendarYears.year, set: values }).returning();
      // Deadlines that waited for this year are computed now, with the calendar as it will be.
      const filled = await fillReceiptDeadlines(cmd.tx, currentCalendar().with([entered]), ctx.config.receiptWorkingDays);
      await cmd.audit(
        { chain: caller.regionCode, entityType: 'calendar_year', entityId: String(year), action: before ? 'replace' : 'load',
          before: before && loadedView(before), after: loadedView(row) },
        ...filled.map(deadlineAudit),
      );
      return { status: 200, body: { ...loadedView(row), receiptDeadlinesComputed: filled.length } };
    });
  });
};
