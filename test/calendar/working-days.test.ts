import { describe, it, expect } from 'vitest';
import {
  CalendarNotCoveredError,
  addWorkingDays,
  coveredYears,
  isWorkingDay,
  shanghaiDate,
  shanghaiDayStart,
  workingDaysBetween,
} from '../../src/calendar/working-days.js';

describe('coveredYears', () => {
  it('lists 2025 and 2026', () => {
    expect(coveredYears()).toEqual([2025, 2026]);
  });
});

describe('isWorkingDay', () => {
  it('ordinary weekdays and weekends', () => {
    expect(isWorkingDay('2026-03-02')).toBe(true); // Monday
    expect(isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(isWorkingDay('2026-03-08')).toBe(false); // Sunday
  });

  it('holidays are not working days', () => {
    expect(isWorkingDay('2026-10-01')).toBe(false); // Thursday, National Day
    expect(isWorkingDay('2026-02-16')).toBe(false); // Monday, Spring Festival
    expect(isWorkingDay('2025-01-01')).toBe(false);
  });

  it('make-up workdays are working even on weekends', () => {
    expect(isWorkingDay('2026-02-14')).toBe(true); // Saturday
    expect(isWorkingDay('2026-10-10')).toBe(true); // Saturday
    expect(isWorkingDay('2025-01-26')).toBe(true); // Sunday
  });

  it('throws CalendarNotCoveredError for uncovered years', () => {
    expect(() => isWorkingDay('2024-06-03')).toThrow(CalendarNotCoveredError);
    try {
      isWorkingDay('2027-01-04');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CalendarNotCoveredError);
      expect((e as CalendarNotCoveredError).year).toBe(2027);
    }
  });

  it('rejects malformed dates with TypeError', () => {
    expect(() => isWorkingDay('2026-2-14')).toThrow(TypeError);
    expect(() => isWorkingDay('2026-02-30')).toThrow(TypeError);
    expect(() => isWorkingDay('2026-02-14T00:00:00Z')).toThrow(TypeError);
    expect(() => isWorkingDay('')).toThrow(TypeError);
  });
});

describe('addWorkingDays', () => {
  it('n = 0 returns the date itself', () => {
    expect(addWorkingDays('2026-10-01', 0)).toBe('2026-10-01');
  });

  it('one working day after Friday 2026-02-13 is the make-up Saturday', () => {
    expect(addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    // next after that skips the Spring Festival holiday (02-15..02-23)
    expect(addWorkingDays('2026-02-14', 1)).toBe('2026-02-24');
  });

  it('skips the October holiday and counts the 10-10 make-up Saturday', () => {
    // 10-08 Thu, 10-09 Fri, 10-10 Sat (make-up), 10-12 Mon, 10-13 Tue
    expect(addWorkingDays('2026-09-30', 5)).toBe('2026-10-13');
  });

  it('crosses from 2025 into 2026', () => {
    // 12-31 Wed → 2026-01-01..03 holiday, 01-04 Sun make-up workday
    expect(addWorkingDays('2025-12-31', 1)).toBe('2026-01-04');
  });

  it('throws when counting runs into an uncovered year', () => {
    expect(() => addWorkingDays('2026-12-30', 5)).toThrow(CalendarNotCoveredError);
    expect(() => addWorkingDays('2024-12-30', 0)).toThrow(CalendarNotCoveredError);
  });

  it('rejects a negative or fractional n', () => {
    expect(() => addWorkingDays('2026-03-02', -1)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-03-02', 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts working days in (from, to]', () => {
    expect(workingDaysBetween('2026-09-30', '2026-10-13')).toBe(5);
    expect(workingDaysBetween('2026-03-02', '2026-03-03')).toBe(1);
    expect(workingDaysBetween('2026-03-06', '2026-03-09')).toBe(1); // Fri → Mon
  });

  it('is 0 when to <= from', () => {
    expect(workingDaysBetween('2026-03-03', '2026-03-03')).toBe(0);
    expect(workingDaysBetween('2026-03-05', '2026-03-03')).toBe(0);
  });

  it('agrees with addWorkingDays', () => {
    for (const n of [1, 3, 10, 30]) {
      expect(workingDaysBetween('2025-09-26', addWorkingDays('2025-09-26', n))).toBe(n);
    }
  });

  it('throws for uncovered years', () => {
    expect(() => workingDaysBetween('2026-12-30', '2027-01-05')).toThrow(CalendarNotCoveredError);
    expect(() => workingDaysBetween('2024-12-30', '2025-01-05')).toThrow(CalendarNotCoveredError);
  });
});

describe('Shanghai time helpers', () => {
  it('shanghaiDate uses UTC+8', () => {
    expect(shanghaiDate(new Date('2026-02-13T15:59:59Z'))).toBe('2026-02-13');
    expect(shanghaiDate(new Date('2026-02-13T16:00:00Z'))).toBe('2026-02-14');
    expect(() => shanghaiDate(new Date('nope'))).toThrow(TypeError);
  });

  it('shanghaiDayStart is 16:00 UTC the previous day', () => {
    expect(shanghaiDayStart('2026-02-14').toISOString()).toBe('2026-02-13T16:00:00.000Z');
    expect(shanghaiDate(shanghaiDayStart('2026-02-14'))).toBe('2026-02-14');
  });
});
