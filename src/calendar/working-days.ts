// Chinese working-day calendar (statutory holidays + make-up workdays), Asia/Shanghai.
// Dates are plain 'YYYY-MM-DD' calendar-date strings. All arithmetic is done on UTC
// midnights so the host's local timezone never shifts a date.
import { readFileSync } from 'node:fs';

interface CalendarFile {
  timezone: string;
  holidays: Record<string, string[]>;
  makeupWorkdays: Record<string, string[]>;
}

export class CalendarNotCoveredError extends Error {
  constructor(readonly year: number) {
    super(`working-day calendar does not cover year ${year}`);
    this.name = 'CalendarNotCoveredError';
  }
}

const data = JSON.parse(
  readFileSync(new URL('./data/cn-work-calendar.json', import.meta.url), 'utf8'),
) as CalendarFile;

// A year is covered only if it has a holiday list (the official notice was published).
const years = Object.keys(data.holidays).map(Number).sort((a, b) => a - b);
const covered = new Set(years);
const holidays = new Set(Object.values(data.holidays).flat());
const makeupWorkdays = new Set(Object.values(data.makeupWorkdays).flat());

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // UTC+8, no DST

/** Parses and validates a date string into a UTC-midnight epoch ms. */
function parse(date: string): number {
  const m = typeof date === 'string' ? DATE_RE.exec(date) : null;
  if (!m) throw new TypeError(`malformed date (expected YYYY-MM-DD): ${String(date)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls over (e.g. 02-30 → 03-02); round-tripping detects impossible dates.
  if (format(ms) !== date) throw new TypeError(`invalid calendar date: ${date}`);
  return ms;
}

function format(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function checkCovered(ms: number): void {
  const year = new Date(ms).getUTCFullYear();
  if (!covered.has(year)) throw new CalendarNotCoveredError(year);
}

function isWorkingMs(ms: number): boolean {
  checkCovered(ms);
  const d = format(ms);
  if (makeupWorkdays.has(d)) return true;
  if (holidays.has(d)) return false;
  const dow = new Date(ms).getUTCDay();
  return dow !== 0 && dow !== 6;
}

export function coveredYears(): number[] {
  return [...years];
}

export function isWorkingDay(date: string): boolean {
  return isWorkingMs(parse(date));
}

/** The n-th working day after `date` (n = 0 returns `date`, after validating it). */
export function addWorkingDays(date: string, n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer: ${n}`);
  let ms = parse(date);
  checkCovered(ms);
  for (let left = n; left > 0; ) {
    ms += DAY_MS;
    if (isWorkingMs(ms)) left--;
  }
  return format(ms);
}

/**
 * The working day `n` working days before `date`: the latest working day d with n working days in
 * (d, date]. A licence valid to 2026-06-30 must be renewed 30 working days before: by 2026-05-18.
 */
export function workingDaysBefore(date: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer: ${n}`);
  let ms = parse(date);
  for (let left = n; ; ms -= DAY_MS) {
    if (isWorkingMs(ms)) left--;
    if (left === 0) break;
  }
  do ms -= DAY_MS; while (!isWorkingMs(ms));
  return format(ms);
}

/** Number of working days d with from < d ≤ to; 0 when to ≤ from. */
export function workingDaysBetween(from: string, to: string): number {
  const start = parse(from);
  const end = parse(to);
  checkCovered(start);
  checkCovered(end);
  let count = 0;
  for (let ms = start + DAY_MS; ms <= end; ms += DAY_MS) if (isWorkingMs(ms)) count++;
  return count;
}

/** Asia/Shanghai calendar date of an instant. */
export function shanghaiDate(instant: Date): string {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new TypeError('invalid Date');
  return format(t + SHANGHAI_OFFSET_MS);
}

/** An instant as Asia/Shanghai local time with its offset: 2026-03-13T23:00Z → "2026-03-14T07:00:00.000+08:00". */
export function shanghaiDateTime(instant: Date): string {
  const t = instant.getTime();
  if (Number.isNaN(t)) throw new TypeError('invalid Date');
  return `${new Date(t + SHANGHAI_OFFSET_MS).toISOString().slice(0, 23)}+08:00`;
}

/** The instant of 00:00 Asia/Shanghai on `date`. */
export function shanghaiDayStart(date: string): Date {
  return new Date(parse(date) - SHANGHAI_OFFSET_MS);
}
