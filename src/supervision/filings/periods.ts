// Declaration periods and their deadlines (申报, HJ 1259-2022 §7.2, docs/regulations.md#declarations):
// 重点监管 declares every month and every year, 简化管理 every quarter and every year, 登记管理 every
// year. A month is due by the 15th of the next month, a quarter by the 15th of the first month of
// the next quarter, a year by 31 March of the next year. Calendar dates, not working days. Pure.
import type { ManagementClass } from '../management-class.js';

export const PERIOD_KINDS = ['month', 'quarter', 'year'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  /** 2026-10, 2026-Q3 or 2026. */
  id: string;
  kind: PeriodKind;
  year: number;
  /** First and last day, Asia/Shanghai calendar dates. */
  from: string;
  to: string;
  /** The last day to declare it (§7.2). */
  dueOn: string;
}

/** The pattern the API accepts for a period. */
export const PERIOD_PATTERN = '^\\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$';

/** The periods each class declares (§7.2). */
export const PERIOD_KINDS_BY_CLASS: Record<ManagementClass, readonly PeriodKind[]> = {
  key: ['month', 'year'],
  simplified: ['quarter', 'year'],
  registration: ['year'],
};

/** Day of the month by which a month or quarter is declared, and the month and day of the annual deadline. */
export const DECLARATION_DEADLINES = { periodDay: 15, annual: '03-31' } as const;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The period of months [m1, m2] of year y. */
function months(id: string, kind: PeriodKind, y: number, m1: number, m2: number): Period {
  const nextY = m2 === 12 ? y + 1 : y;
  const nextM = m2 === 12 ? 1 : m2 + 1;
  const dueOn = kind === 'year' ? `${y + 1}-${DECLARATION_DEADLINES.annual}` : `${nextY}-${pad(nextM)}-${pad(DECLARATION_DEADLINES.periodDay)}`;
  return { id, kind, year: y, from: `${y}-${pad(m1)}-01`, to: `${y}-${pad(m2)}-${pad(lastDay(y, m2))}`, dueOn };
}

/** Parses 2026-10, 2026-Q3 or 2026; undefined when it is none of them. */
export function parsePeriod(id: string): Period | undefined {
  const m = /^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$/.exec(id);
  if (!m) return undefined;
  const y = Number(m[1]);
  if (y < 2000) return undefined;
  if (m[2]) return months(id, 'month', y, Number(m[2]), Number(m[2]));
  if (m[3]) return months(id, 'quarter', y, Number(m[3]) * 3 - 2, Number(m[3]) * 3);
  return months(id, 'year', y, 1, 12);
}

/** Every period of these kinds that ends in year y, in order of their ends. */
export function periodsOfYear(y: number, kinds: readonly PeriodKind[]): Period[] {
  const out: Period[] = [];
  for (let m = 1; m <= 12; m += 1) {
    if (kinds.includes('month')) out.push(parsePeriod(`${y}-${pad(m)}`)!);
    if (kinds.includes('quarter') && m % 3 === 0) out.push(parsePeriod(`${y}-Q${m / 3}`)!);
  }
  if (kinds.includes('year')) out.push(parsePeriod(String(y))!);
  return out;
}
