// The waste-oil recycler's capacity story (planOil) on any date: `capacity_near_limit` counts only what
// was received in the current calendar year (Asia/Shanghai), so every oil shipment must be received
// between 1 January and now, and together they must fill over 90 % of the capacity the demo
// registers. The full demo (seed-demo.test.ts) runs at today's date only; this checks the plan's
// timetable with the clock the demo would use on other days, early January among them.
import { describe, expect, it } from 'vitest';
import { cycleAt, DemoClock, OIL_LEAVE_HOUR, oilCapacityKg, planOil } from '../../src/demo/demo-city.js';
import { yearInterval } from '../../src/manifests/received-weight.js';
import { shanghaiDate } from '../../src/calendar/working-days.js';

const MINUTE = 60_000;
/** ALERT_CAPACITY_WARN_PCT's default (src/config.ts). */
const CAPACITY_WARN_PCT = 90;

const NOW = [
  '2027-01-01T00:10:00+08:00', '2027-01-01T09:00:00+08:00', '2027-01-01T23:30:00+08:00',
  '2027-01-02T08:00:00+08:00', '2027-01-03T10:00:00+08:00', '2027-01-15T10:00:00+08:00',
  '2026-01-02T10:00:00+08:00', '2026-01-05T10:00:00+08:00', '2026-02-20T10:00:00+08:00', '2026-05-31T10:00:00+08:00',
  '2026-06-01T10:00:00+08:00', '2026-12-02T10:00:00+08:00', '2026-12-28T10:00:00+08:00', '2026-12-31T23:50:00+08:00',
];

describe('the demo city: the oil recycler nears its annual capacity on any date', () => {
  it.each(NOW)('at %s every oil shipment is received this year before now and fills over 90 per cent of the capacity', (iso) => {
    const clock = new DemoClock(new Date(iso));
    const year = Number(shanghaiDate(clock.now).slice(0, 4));
    const { from } = yearInterval(year);
    const plan = planOil(clock);
    const capacity = oilCapacityKg(plan);
    let usedKg = 0;
    for (const f of plan) {
      for (const c of f.cycles) {
        const at = (x: number) => cycleAt(clock, c, OIL_LEAVE_HOUR, x).getTime();
        const where = `${f.gen} cycle d=${c.d}`;
        // submit (-0.5 h) … receive (+5.4 h) … treat on the day (+7 h): inside [1 January, now).
        expect(at(-0.5), `${where}: submitted before 1 January`).toBeGreaterThanOrEqual(from.getTime());
        expect(at(7), `${where}: treated in the future`).toBeLessThan(clock.now.getTime());
        // A backdated submit needs its draft moved back: the demo does so for submits over a minute old.
        expect(at(-0.5), `${where}: submit too recent`).toBeLessThan(clock.now.getTime() - MINUTE);
        expect(at(-0.5)).toBeLessThan(at(0));
        expect(at(5.4)).toBeGreaterThan(at(5));
        usedKg += c.kgs.reduce((t, kg, i) => t + Math.round(kg * c.factors[i] * 10) / 10, 0);
      }
    }
    expect((usedKg / capacity) * 100).toBeGreaterThanOrEqual(CAPACITY_WARN_PCT);
    expect(usedKg).toBeLessThanOrEqual(capacity);
  });

  it('keeps the usual days (working days, five months back) once the year is old enough', () => {
    const clock = new DemoClock(new Date('2026-12-02T10:00:00+08:00'));
    const steel = planOil(clock).find((f) => f.gen === 'steel')!;
    expect(steel.cycles.map((c) => c.d)).toEqual([145, 115, 85, 55, 28].map((d) => clock.workday(d)));
    expect(steel.cycles.every((c) => c.hour === undefined && c.pace === undefined)).toBe(true);
  });

  it('squeezes the story into the days of a young year, on working days where the calendar has them', () => {
    const clock = new DemoClock(new Date('2026-02-20T10:00:00+08:00')); // 2026: Spring Festival 15–23 Feb
    const days = planOil(clock).flatMap((f) => f.cycles.map((c) => c.d));
    expect(Math.min(...days)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...days)).toBeLessThanOrEqual(clock.daysIntoYear());
    expect(new Set(days).size).toBeGreaterThan(5);
    for (const d of days) expect(clock.workday(d), clock.date(d)).toBe(d);
  });
});
