// What a year of holidays and make-up workdays must look like before it is loaded
// (docs/regulations.md#working-day-calendar). Pure: the route turns the errors into a 400.
import type { FieldError } from '../core/errors.js';
import { dayOfWeek, isCalendarDate } from './working-days.js';

export interface YearInput { holidays: string[]; workdays: string[] }

const SATURDAY = 6;
const SUNDAY = 0;

/** Every problem with a year's lists, each at its path; empty when the year may be loaded. */
export function yearProblems(year: number, input: YearInput): FieldError[] {
  const errors: FieldError[] = [];
  const check = (list: string[], field: 'holidays' | 'workdays') => {
    const seen = new Set<string>();
    list.forEach((d, i) => {
      const path = `body.${field}.${i}`;
      if (!isCalendarDate(d)) errors.push({ path, message: `${d} is not a date (YYYY-MM-DD)` });
      else if (!d.startsWith(`${year}-`)) errors.push({ path, message: `${d} is not in ${year}` });
      else if (seen.has(d)) errors.push({ path, message: `${d} is listed twice` });
      // A make-up workday (调休上班) moves a working day onto a weekend: one on a weekday would
      // change nothing, so it is a mistake in the list.
      else if (field === 'workdays' && ![SATURDAY, SUNDAY].includes(dayOfWeek(d))) {
        errors.push({ path, message: `${d} is a weekday: a make-up workday falls on a Saturday or Sunday` });
      }
      seen.add(d);
    });
    return seen;
  };
  const holidays = check(input.holidays, 'holidays');
  check(input.workdays, 'workdays').forEach((d) => {
    if (holidays.has(d)) errors.push({ path: `body.workdays.${input.workdays.indexOf(d)}`, message: `${d} is also listed as a holiday` });
  });
  return errors;
}
