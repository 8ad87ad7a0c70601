// The dates the API accepts: every `format: date` and `format: date-time` input, in bodies, queries
// and paths, must be a real calendar date inside this range. Dates far outside it are typing
// mistakes, and date arithmetic at the edges of JavaScript's and PostgreSQL's ranges fails
// (Date.UTC maps years 0–99 to 1900–1999; PostgreSQL's `date` has no year 10000).

export const EARLIEST_DATE = '2000-01-01';
export const LATEST_DATE = '2100-12-31';
export const DATE_RANGE_TEXT = `${EARLIEST_DATE} to ${LATEST_DATE}`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?([Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** A real calendar date (no 02-30) written YYYY-MM-DD, between EARLIEST_DATE and LATEST_DATE. */
export function isDateInRange(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(2000, mo, 0)).getUTCDate(); // year 2000 is a leap year
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && !leap ? 28 : daysInMonth)) return false;
  return value >= EARLIEST_DATE && value <= LATEST_DATE;
}

/** An RFC 3339 date-time with a time-zone offset, whose date part is in range. */
export function isDateTimeInRange(value: string): boolean {
  const m = DATE_TIME.exec(value);
  return m !== null && isDateInRange(m[1]) && Number.isFinite(Date.parse(value));
}

/** Replaces ajv-formats' `date` and `date-time` with the range-checked ones (fastify's ajv.onCreate). */
interface FormatRegistry { addFormat(name: string, format: { type: 'string'; validate: (value: string) => boolean }): unknown }

export function addDateFormats(ajv: FormatRegistry): void {
  ajv.addFormat('date', { type: 'string', validate: isDateInRange });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTimeInRange });
}
