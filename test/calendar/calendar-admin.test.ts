// Calendar administration (issue 12, item 12): a city regulator loads a year of holidays and
// make-up workdays through the API; deadlines that fell beyond the calendar are computed when the
// year arrives; an alert opens 60 days before year end while the next year is missing.
//
// The years loaded here are TEST FIXTURES, not the State Council's notices: only New Year's Day
// (全国年节及纪念日放假办法 Art. 2) and dates chosen for their weekday. Fixed past years (2023, 2024)
// are used because the bundled calendar does not cover them, whatever day the suite runs on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, DRIVER, issueLabelAsOf, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { today, windowDaysFor } from '../support/dates.js';
import { coveredYears, isWorkingDay } from '../../src/calendar/working-days.js';
import { calendarAlertOpensOn, calendarYearMissingAlerts } from '../../src/supervision/calendar-year-missing.js';
import { refreshCalendarAndDeadlines } from '../../src/calendar/calendar-refresh.js';

let t: TestApp;
let city: Client; // the bootstrap city regulator's admin + registrar client (140100)
let district: Party; // a district regulator (140105) with a registrar client
let carrier: CarrierSite;
let generator: Site;
let receiver: Site;

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: windowDaysFor('2023-12-01') });
  city = await loginAdmin(t.app);
  district = await createRegulator(t.app, city, '140105');
  carrier = await createCarrier(t.app, city);
  generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
  receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
  await addOperatingLicence(city, receiver.org.id);
});
afterAll(() => t.close());

const put = (client: Client, year: number | string, body: unknown, headers: Record<string, string> = {}) => t.app.inject({
  method: 'PUT', url: `/api/v1/calendar/years/${year}`, headers: { authorization: `Bearer ${client.token}`, ...headers }, payload: body as object,
});
const years = async (client: Client = city) => {
  const res = await client.get('/api/v1/calendar/years');
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Array<{ year: number; origin: string; holidays: string[]; workdays: string[]; source: string | null }>; coveredYears: number[] };
};
const auditOf = async (entityType: string, entityId: string) => {
  const res = await city.get(`/api/v1/audit?entityType=${entityType}&entityId=${entityId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ action: string; before: unknown; after: Record<string, unknown> }>;
};

/** A manifest delivered at `at` (an instant of the past), its history written as of then. */
async function deliveredAt(at: string): Promise<{ id: string; receiptDueOn: string | null }> {
  const before = (ms: number) => new Date(Date.parse(at) - ms).toISOString();
  const l = await issueLabelAsOf(t.database.pool, generator.client, before(3 * 3_600_000));
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l.id], plannedAt: before(2 * 3_600_000), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  await t.database.pool.query('UPDATE manifests SET created_at = $1 WHERE id = $2', [before(150 * 60_000), id]);
  await manifestAction(generator.client, id, { action: 'submit', occurredAt: before(2 * 3_600_000) });
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: before(3_600_000) });
  const m = await manifestAction(carrier.client, id, { action: 'deliver', occurredAt: at });
  return { id, receiptDueOn: m.receiptDueOn };
}

describe('the calendar as the API shows it', () => {
  it('lists the bundled years, whoever asks', async () => {
    const list = await years(generator.client);
    expect(list.coveredYears).toEqual(expect.arrayContaining([2025, 2026]));
    const y2026 = list.items.find((y) => y.year === 2026)!;
    expect(y2026).toMatchObject({ origin: 'bundled', source: null });
    expect(y2026.holidays).toContain('2026-10-01');
    expect(y2026.workdays).toContain('2026-10-10');
  });
});

describe('loading a year: only a city-level regulator, only a valid year', () => {
  // 2024-01-01 is a Monday; 2024-01-06 a Saturday, 2024-01-08 a Monday.
  const valid = { holidays: ['2024-01-01'], workdays: ['2024-01-06'], source: 'test fixture' };

  it('refuses a district regulator and a non-regulator (403), and changes nothing', async () => {
    const before = await years();
    expect((await put(district.client, 2024, valid)).statusCode).toBe(403);
    expect((await put(generator.client, 2024, valid)).statusCode).toBe(403);
    expect(await years()).toEqual(before);
  });

  const bad: Array<[string, number | string, Record<string, unknown>, string]> = [
    ['a date of another year', 2024, { ...valid, holidays: ['2024-01-01', '2025-01-01'] }, 'body.holidays.1'],
    ['a date listed twice', 2024, { ...valid, holidays: ['2024-01-01', '2024-01-01'] }, 'body.holidays.1'],
    ['a date both a holiday and a make-up workday', 2024, { ...valid, holidays: ['2024-01-01', '2024-01-06'] }, 'body.workdays.0'],
    ['a make-up workday on a weekday', 2024, { ...valid, workdays: ['2024-01-08'] }, 'body.workdays.0'],
    ['an impossible date', 2024, { ...valid, holidays: ['2024-02-30'] }, 'body.holidays.0'],
  ];
  for (const [what, year, body, path] of bad) {
    it(`refuses ${what} (400 problem+json naming ${path}), and changes nothing`, async () => {
      const res = await put(city, year, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
      expect((await years()).coveredYears).not.toContain(2024);
      expect(await auditOf('calendar_year', '2024')).toEqual([]);
    });
  }

  it('refuses malformed requests with 400', async () => {
    for (const [year, body] of [
      ['20x4', valid], [1999, valid], [2024, { ...valid, extra: 1 }], [2024, { holidays: ['2024-01-01'], workdays: [] }],
      [2024, { ...valid, holidays: ['1 Jan 2024'] }], [2024, { ...valid, source: '' }], [2024, { ...valid, holidays: [] }],
    ] as const) {
      const res = await put(city, year, body);
      expect(res.statusCode, `${year} ${JSON.stringify(body)}: ${res.body}`).toBe(400);
    }
    expect((await years()).coveredYears).not.toContain(2024);
  });
});

describe('deadlines beyond the loaded calendar are computed when the year arrives', () => {
  it('a delivery on 2024-12-30 has no receipt deadline until 2024 is loaded; the load computes it and the alert follows', async () => {
    const m = await deliveredAt('2024-12-30T02:00:00.000Z'); // 10:00 in Shanghai
    expect(m.receiptDueOn).toBeNull(); // 2024 is not covered: the deadline is not guessed

    const res = await put(city, 2024, { holidays: ['2024-01-01'], workdays: ['2024-01-06'], source: 'test fixture' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ year: 2024, origin: 'loaded', holidays: ['2024-01-01'], workdays: ['2024-01-06'], source: 'test fixture' });
    expect(res.json().receiptDeadlinesComputed).toBeGreaterThanOrEqual(1);
    // 5 working days after Monday 2024-12-30: 31 Dec, (1 Jan holiday), 2, 3, 6, 7 Jan 2025.
    const got = await receiver.client.get(`/api/v1/manifests/${m.id}`);
    expect(got.json().receiptDueOn).toBe('2025-01-07');
    const overdue = (await city.get('/api/v1/supervision/alerts?type=receipt_overdue')).json().items;
    expect(overdue.some((a: { entityId: string }) => a.entityId === m.id)).toBe(true);

    // Audited: the load, and the deadline it computed.
    expect((await auditOf('calendar_year', '2024')).map((e) => e.action)).toEqual(['load']);
    const computed = (await auditOf('manifest', m.id)).filter((e) => e.action === 'compute_receipt_deadline');
    expect(computed.map((e) => e.after)).toEqual([{ receiptDueOn: '2025-01-07' }]);

    const list = await years();
    expect(list.coveredYears).toContain(2024);
    expect(list.items.find((y) => y.year === 2024)).toMatchObject({ origin: 'loaded', source: 'test fixture' });
    expect(isWorkingDay('2024-01-06')).toBe(true); // a make-up Saturday
  });

  it('a correction replaces the year (audited with what it replaced)', async () => {
    const res = await put(city, 2024, { holidays: ['2024-01-01', '2024-02-12'], workdays: [], source: 'test fixture, corrected' });
    expect(res.statusCode, res.body).toBe(200);
    const trail = await auditOf('calendar_year', '2024');
    expect(trail.map((e) => e.action)).toEqual(['load', 'replace']);
    expect(trail[1].before).toMatchObject({ holidays: ['2024-01-01'], workdays: ['2024-01-06'] });
    expect(isWorkingDay('2024-01-06')).toBe(false);
    expect(isWorkingDay('2024-02-12')).toBe(false);
  });

  it('a year another instance loaded is taken up by the periodic refresh, which computes the deadlines that waited for it', async () => {
    const m = await deliveredAt('2023-12-28T02:00:00.000Z'); // Thursday
    expect(m.receiptDueOn).toBeNull();
    // Written straight into the table, as another API instance's load would be.
    await t.database.pool.query(`INSERT INTO calendar_years (year, holidays, workdays, source, loaded_by)
      VALUES (2023, ARRAY['2023-01-01']::date[], ARRAY[]::date[], 'test fixture', $1)`, [district.org.id]);
    expect(coveredYears()).not.toContain(2023);
    expect(await refreshCalendarAndDeadlines(t.database.db, t.config.receiptWorkingDays)).toBeGreaterThanOrEqual(1);
    expect(coveredYears()).toContain(2023);
    // 28 Dec 2023 + 5 working days: 29 Dec, 2 (after the 1 Jan 2024 holiday), 3, 4, 5 Jan 2024.
    expect((await receiver.client.get(`/api/v1/manifests/${m.id}`)).json().receiptDueOn).toBe('2024-01-05');
  });

  it('leaves an intact audit trail (the loads and the computed deadlines are chained like any entry)', async () => {
    const res = await city.get('/api/v1/audit/verify');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ok).toBe(true);
  });
});

describe('calendar_year_missing', () => {
  it('opens 60 days before the year ends: on 2026-11-02 for 2027', () => {
    expect(calendarAlertOpensOn(2027, 60)).toBe('2026-11-02');
    // 2026-11-02 00:00 in Shanghai is 2026-11-01T16:00Z. (Pure: 2027 is missing from the calendar
    // as long as no one loads it; these dates are the worked example of the rule.)
    if (!coveredYears().includes(2027)) {
      expect(calendarYearMissingAlerts('1401', 60, new Date('2026-11-01T15:59:59Z'))).toEqual([]);
      const [a] = calendarYearMissingAlerts('1401', 60, new Date('2026-11-01T16:00:00Z'));
      expect(a).toMatchObject({ type: 'calendar_year_missing', entityType: 'calendar_year', entityId: '2027', regionCode: '140100' });
      expect(a.deadline).toBe('2026-12-31T16:00:00.000Z');
      expect(calendarYearMissingAlerts('140105', 60, new Date('2026-12-01T00:00:00Z'))).toEqual([]); // districts do not load it
    }
  });

  it('is open for the city while next year is missing and goes once it is loaded', async () => {
    const next = Number(today().slice(0, 4)) + 1;
    const open = async (client: Client) => (await client.get('/api/v1/supervision/alerts?type=calendar_year_missing')).json().items as Array<{ entityId: string }>;
    const due = today() >= calendarAlertOpensOn(next, 60) && !coveredYears().includes(next);
    expect((await open(city)).map((a) => a.entityId)).toEqual(due ? [String(next)] : []);
    expect(await open(district.client)).toEqual([]);
    // New Year's Day is a holiday every year (全国年节及纪念日放假办法 Art. 2); the rest is a fixture.
    const res = await put(city, next, { holidays: [`${next}-01-01`], workdays: [], source: 'test fixture' });
    expect(res.statusCode, res.body).toBe(200);
    expect(await open(city)).toEqual([]);
  });
});
