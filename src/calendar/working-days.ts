// Chinese working-day calendar (statutory holidays + make-up workdays), Asia/Shanghai.
// Dates are plain 'YYYY-MM-DD' calendar-date strings. All arithmetic is done on UTC
// midnights so the host's local timezone never shifts a date.
//
// The calendar in force is held in memory so that these functions stay synchronous (they are used
// everywhere): the years bundled in data/cn-work-calendar.json are the seed, and the years a
// regulator loads through the API (table calendar_years, docs/regulations.md#working-day-calendar)
// are laid over them by setLoadedYears, which calendar-store.ts calls at start-up, after a load and
// periodically, so that several API instances converge.
import { readFileSync } from 'node:fs';

interface CalendarFile {
  timezone: string;
  holidays: Record<string, string[]>;
  makeupWorkdays: Record<string, string[]>;
}

/** One year of the official notice: its holidays and its make-up workdays (调休上班). */
export interface CalendarYear {
  year: number;
  holidays: string[];
  workdays: string[];
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
const BUNDLED: ReadonlyMap<number, CalendarYear> = new Map(Object.keys(data.holidays).map((y) => [Number(y), {
  year: Number(y), holidays: data.holidays[y], workdays: data.makeupWorkdays[y] ?? [],
}]));

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000; // UTC+8, no DST

/** The dates of a set of years, as lookups. A new one replaces the old in one assignment. */
export class WorkCalendar {
  private readonly covered: Set<number>;
  private readonly holidays: Set<string>;
  private readonly workdays: Set<string>;

  constructor(readonly years: ReadonlyMap<number, CalendarYear>) {
    this.covered = new Set(years.keys());
    this.holidays = new Set([...years.values()].flatMap((y) => y.holidays));
    this.workdays = new Set([...years.values()].flatMap((y) => y.workdays));
  }

  /** This calendar with `extra` laid over it (a year loaded replaces the bundled one). */
  with(extra: readonly CalendarYear[]): WorkCalendar {
    return new WorkCalendar(new Map([...this.years, ...extra.map((y) => [y.year, y] as const)]));
  }

  covers(year: number): boolean {
    return this.covered.has(year);
  }

  checkCovered(ms: number): void {
    const year = new Date(ms).getUTCFullYear();
    if (!this.covered.has(year)) throw new CalendarNotCoveredError(year);
  }

  isWorkingMs(ms: number): boolean {
    this.checkCovered(ms);
    const d = format(ms);
    if (this.workdays.has(d)) return true;
    if (this.holidays.has(d)) return false;
    const dow = new Date(ms).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /** The n-th working day after `date` (n = 0 returns `date`, after validating it). */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer: ${n}`);
    let ms = parse(date);
    this.checkCovered(ms);
    for (let left = n; left > 0; ) {
      ms += DAY_MS;
      if (this.isWorkingMs(ms)) left--;
    }
    return format(ms);
  }
}

let current = new WorkCalendar(BUNDLED);

/** The calendar in force now (bundled years with the loaded ones laid over them). */
export function currentCalendar(): WorkCalendar {
  return current;
}

/** Replaces the API-loaded years (all of them, as the table holds them) over the bundled seed. */
export function setLoadedYears(loaded: readonly CalendarYear[]): void {
  current = new WorkCalendar(BUNDLED).with(loaded);
}

/** Years shipped with the code (the seed), whatever the table holds. */
export function bundledYears(): number[] {
  return [...BUNDLED.keys()].sort((a, b) => a - b);
}

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

/** Is `date` a real calendar date in 'YYYY-MM-DD' form? */
export function isCalendarDate(date: string): boolean {
  try {
    parse(date);
    return true;
  } catch {
    return false;
  }
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(parse(date)).getUTCDay();
}

export function coveredYears(): number[] {
  return [...current.years.keys()].sort((a, b) => a - b);
}

export function isWorkingDay(date: string): boolean {
  return current.isWorkingMs(parse(date));
}

/** The n-th working day after `date` (n = 0 returns `date`, after validating it). */
export function addWorkingDays(date: string, n: number): string {
  return current.addWorkingDays(date, n);
}

/**
 * The working day `n` working days before `date`: the latest working day d with n working days in
 * (d, date]. A licence valid to 2026-06-30 must be renewed 30 working days before: by 2026-05-18.
 */
export function workingDaysBefore(date: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer: ${n}`);
  const cal = current;
  let ms = parse(date);
  for (let left = n; ; ms -= DAY_MS) {
    if (cal.isWorkingMs(ms)) left--;
    if (left === 0) break;
  }
  do ms -= DAY_MS; while (!cal.isWorkingMs(ms));
  return format(ms);
}

/** Number of working days d with from < d ≤ to; 0 when to ≤ from. */
export function workingDaysBetween(from: string, to: string): number {
  const cal = current;
  const start = parse(from);
  const end = parse(to);
  cal.checkCovered(start);
  cal.checkCovered(end);
  let count = 0;
  for (let ms = start + DAY_MS; ms <= end; ms += DAY_MS) if (cal.isWorkingMs(ms)) count++;
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
