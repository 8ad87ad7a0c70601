import { licenceAlertOpens } from '../../src/supervision/licence-renewal.js';
import { coveredYears, workingDaysBetween } from '../../src/calendar/working-days.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiDate } from '../../src/calendar/working-days.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, issueLabelAsOf, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { calendarCovers, coveredPastDate, daysBetween, daysFromNow, today, windowDaysFor, yearsFromNow } from '../support/dates.js';
import { returnToGenerator } from '../support/return-trip.js';

let t: TestApp;
let city: Client;
let xiaodian: Party; // district regulator 140105
let yingze: Party; // district regulator 140106
let carrier: CarrierSite;
let generator: Site; // 140105
let receiver: Site; // 140106

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
// The overdue receipt needs a deadline in working days: its delivery lies in the years the
// working-day calendar covers (14 days ago, or the end of the last covered year once the suite runs
// past it), and the occurredAt window reaches back to it.
const OVERDUE_DELIVERY = coveredPastDate(14);

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: windowDaysFor(OVERDUE_DELIVERY) });
  city = await loginAdmin(t.app);
  xiaodian = await createRegulator(t.app, city, '140105');
  yingze = await createRegulator(t.app, city, '140106');
  carrier = await createCarrier(t.app, city);
  generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' }, ['R2']);
  receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
  await addOperatingLicence(city, receiver.org.id);
});
afterAll(() => t.close());

async function alerts(client: Client, type?: string) {
  const res = await client.get(`/api/v1/supervision/alerts${type ? `?type=${type}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ type: string; entityId: string; lateBy: { value: number; unit: string } | null; deadline: string }>;
}
const has = (items: Array<{ type: string; entityId: string }>, type: string, id: string) => items.some((a) => a.type === type && a.entityId === id);

/** A manifest drafted `daysAgo` days ago (history written straight into the record), then submitted as of then. */
async function manifestFrom(site: Site, labelIds: string[], daysAgo: number, to: Site = receiver) {
  const res = await site.client.post('/api/v1/manifests', {
    receiverId: to.org.id, carriers: [{ orgId: carrier.org.id }], labelIds, plannedAt: ago(daysAgo), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id;
  await t.database.pool.query('UPDATE manifests SET created_at = $1 WHERE id = $2', [ago(daysAgo + 0.1), id]);
  await manifestAction(site.client, id, { action: 'submit', occurredAt: ago(daysAgo) });
  return id as string;
}

describe('jurisdiction', () => {
  it('a district regulator sees its district and nothing of another; the city sees all', async () => {
    const l = await issueLabel(generator.client);
    const other = await createSite(t.app, city, { roles: ['generator'], regionCode: '140107' });
    const foreign = await issueLabel(other.client);
    const mine = (await xiaodian.client.get('/api/v1/supervision/labels?limit=500')).json().items.map((i: { id: string }) => i.id);
    expect(mine).toContain(l.id);
    expect(mine).not.toContain(foreign.id);
    const all = (await city.get('/api/v1/supervision/labels?limit=500')).json().items.map((i: { id: string }) => i.id);
    expect(all).toEqual(expect.arrayContaining([l.id, foreign.id]));
    expect((await xiaodian.client.get('/api/v1/supervision/labels?regionCode=140107')).statusCode).toBe(404);
    expect((await generator.client.get('/api/v1/supervision/labels')).statusCode).toBe(403);

    const m = await manifestFrom(generator, [l.id], 0);
    const yz = (await yingze.client.get('/api/v1/supervision/manifests')).json().items.map((i: { id: string }) => i.id);
    expect(yz).toContain(m); // the receiving district sees the transfer into it
    const third = await createRegulator(t.app, city, '140108');
    expect((await third.client.get('/api/v1/supervision/manifests')).json().items).toEqual([]);
    expect(await alerts(third.client)).toEqual([]);
  });

  it('filters by waste code, category, state, party and period, paging in a stable order', async () => {
    const site = await createSite(t.app, city, { roles: ['generator'], regionCode: '140109' });
    for (let i = 0; i < 5; i++) await issueLabel(site.client, { wasteCode: '900-041-49' });
    await issueLabel(site.client);
    const q = `/api/v1/supervision/labels?generatorId=${site.org.id}&category=HW49&limit=2`;
    const p1 = (await city.get(q)).json();
    const p2 = (await city.get(`${q}&cursor=${p1.nextCursor}`)).json();
    const p3 = (await city.get(`${q}&cursor=${p2.nextCursor}`)).json();
    const ids = [...p1.items, ...p2.items, ...p3.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(5);
    expect(p3.nextCursor).toBeNull();
    // Periods are calendar days in Asia/Shanghai.
    const tomorrow = shanghaiDate(new Date(Date.now() + DAY));
    expect((await city.get(`/api/v1/supervision/labels?generatorId=${site.org.id}&wasteCode=900-214-08&state=issued`)).json().items).toHaveLength(1);
    expect((await city.get(`/api/v1/supervision/labels?generatorId=${site.org.id}&from=${tomorrow}`)).json().items).toHaveLength(0);
    expect((await city.get(`/api/v1/supervision/labels?generatorId=${site.org.id}&to=${tomorrow}&from=${shanghaiDate(new Date(Date.now() - 2 * DAY))}`)).json().items).toHaveLength(6);
  });
});

describe('alerts appear for the records that trigger them and go when put right', () => {
  it('receipt overdue, counted in working days; confirmed receipt clears it', async () => {
    const d = daysBetween(OVERDUE_DELIVERY, today());
    const l = await issueLabelAsOf(t.database.pool, generator.client, ago(d + 6));
    const m = await manifestFrom(generator, [l.id], d + 1);
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: ago(d) });
    const delivered = await manifestAction(carrier.client, m, { action: 'deliver', occurredAt: ago(d) });
    const a = (await alerts(yingze.client, 'receipt_overdue')).find((x) => x.entityId === m)!;
    expect(a).toBeDefined();
    // In calendar days (and said so) once today is past the years the working-day calendar covers.
    expect(a.lateBy!.unit).toBe(calendarCovers(today()) ? 'working_days' : 'days');
    expect(a.lateBy!.value).toBeGreaterThan(0);
    expect(a.deadline.slice(0, 10) >= delivered.receiptDueOn).toBe(true);
    await manifestAction(receiver.client, m, { action: 'receive', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    expect(has(await alerts(yingze.client), 'receipt_overdue', m)).toBe(false);
  });

  it('storage near and over one year (a generator: the warning of its own type); treatment clears them', async () => {
    const near = await issueLabel(generator.client, { generatedAt: ago(310) });
    const over = await issueLabel(generator.client, { generatedAt: ago(365.5) });
    const list = await alerts(xiaodian.client);
    expect(has(list, 'storage_near_limit', near.id)).toBe(true);
    expect(has(list, 'storage_over_limit_generator', over.id)).toBe(true);
    expect(list.find((a) => a.entityId === over.id)!.lateBy).toEqual({ value: 0, unit: 'days' });
    for (const l of [near, over]) await act(generator.client, l.id, { action: 'treat', method: 'R2', facilityId: generator.treatmentId });
    const after = await alerts(xiaodian.client);
    expect(has(after, 'storage_near_limit', near.id) || has(after, 'storage_over_limit_generator', over.id)).toBe(false);
  });

  it('medical waste held over 2 days at a medical institution; shipping it clears it', async () => {
    const clinic = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105', generatorClass: 'medical', medicalTier: 'village_clinic' });
    const bag = await issueLabel(clinic.client, { wasteCode: '841-001-01', physicalForm: 'solid', generatedAt: ago(3) });
    const fresh = await issueLabel(clinic.client, { wasteCode: '841-001-01', physicalForm: 'solid' });
    const list = await alerts(xiaodian.client, 'medical_hold_exceeded');
    expect(has(list, 'medical_hold_exceeded', bag.id)).toBe(true);
    expect(has(list, 'medical_hold_exceeded', fresh.id)).toBe(false);
    const m = await manifestFrom(clinic, [bag.id], 0);
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [bag.id], vehiclePlate: carrier.plate, driver: DRIVER });
    expect(has(await alerts(xiaodian.client), 'medical_hold_exceeded', bag.id)).toBe(false);
  });

  it('boxing medical waste keeps the earliest clock of its bags: a bag issued at T, boxed at T+40 h, alerts at T+48 h', async () => {
    const clinic = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105', generatorClass: 'medical', medicalTier: 'township_health_centre' });
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const box = async (bagHoursAgo: number) => {
      const bag = await issueLabel(clinic.client, { wasteCode: '841-001-01', physicalForm: 'solid', generatedAt: hoursAgo(bagHoursAgo) });
      const turnover = await issueLabel(clinic.client, { wasteCode: '841-001-01', physicalForm: 'solid', generatedAt: hoursAgo(bagHoursAgo - 40) });
      const put = await act(clinic.client, bag.id, { action: 'consolidate', parentLabelId: turnover.id });
      expect(put.statusCode, put.body).toBe(200);
      return turnover.id;
    };
    const late = await box(49); // T = 49 h ago: boxed 9 h ago, the bag's 48 h are up
    const early = await box(46); // T = 46 h ago: 2 h to go
    const list = await alerts(xiaodian.client, 'medical_hold_exceeded');
    expect(has(list, 'medical_hold_exceeded', late)).toBe(true);
    expect(has(list, 'medical_hold_exceeded', early)).toBe(false);
  });

  it('in transit too long; delivery clears it', async () => {
    const l = await issueLabel(generator.client, { generatedAt: ago(5) });
    const m = await manifestFrom(generator, [l.id], 4);
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: ago(3) });
    const a = (await alerts(xiaodian.client, 'in_transit_too_long')).find((x) => x.entityId === m)!;
    expect(a.lateBy).toMatchObject({ unit: 'hours' });
    expect(a.lateBy!.value).toBeGreaterThanOrEqual(23);
    await manifestAction(carrier.client, m, { action: 'deliver' });
    expect(has(await alerts(xiaodian.client), 'in_transit_too_long', m)).toBe(false);
  });

  it('weight discrepancy and refusal: the review and the return trip clear them', async () => {
    const [a, b] = [await issueLabel(generator.client), await issueLabel(generator.client)];
    const m = await manifestFrom(generator, [a.id, b.id], 0);
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [a.id, b.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, m, { action: 'deliver' });
    await manifestAction(receiver.client, m, { action: 'receive', items: [
      { labelId: a.id, accepted: true, measuredQuantity: { value: 150, unit: 'kg' } },
      { labelId: b.id, accepted: false, measuredQuantity: { value: 180, unit: 'kg' }, refusalReason: '标签不清' },
    ] });
    const list = await alerts(yingze.client);
    expect(has(list, 'weight_discrepancy', m)).toBe(true);
    expect(has(list, 'refusal', m)).toBe(true);
    expect(has(await alerts(xiaodian.client), 'weight_discrepancy', m)).toBe(false); // the receiving region's regulator is told
    expect((await yingze.client.post(`/api/v1/supervision/manifests/${m}/discrepancy-review`, { note: '已核实：称重设备误差' })).statusCode).toBe(200);
    const calm = await manifestFrom(generator, [(await issueLabel(generator.client)).id], 0);
    expect((await city.post(`/api/v1/supervision/manifests/${calm}/discrepancy-review`, { note: 'x' })).json().rule).toBe('not_discrepant');
    await returnToGenerator({ generator, carrier, originalManifestId: m, labelIds: [b.id] });
    const after = await alerts(yingze.client);
    expect(has(after, 'weight_discrepancy', m)).toBe(false);
    expect(has(after, 'refusal', m)).toBe(false);
  });

  it('the alert on an operating licence opens 30 working days before expiry (Art. 12); beyond the calendar, 30 calendar days', () => {
    expect(licenceAlertOpens('comprehensive', '2026-06-30', 30)).toEqual({ on: '2026-05-18', counted: 'working_days' });
    // The Spring Festival holidays are not counted: 49 calendar days before 2026-03-31.
    expect(licenceAlertOpens('comprehensive', '2026-03-31', 30)).toEqual({ on: '2026-02-11', counted: 'working_days' });
    expect(workingDaysBetween('2026-02-11', '2026-03-31')).toBe(30);
    expect(licenceAlertOpens('transport', '2026-06-30', 30)).toEqual({ on: '2026-05-31', counted: 'days' });
    const beyond = `${Math.max(...coveredYears()) + 1}-06-30`;
    expect(licenceAlertOpens('comprehensive', beyond, 30)).toEqual({ on: beyond.replace('06-30', '05-31'), counted: 'days' });
  });

  it('licence expiring within 30 days; a registered renewal clears it', async () => {
    const op = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140105' });
    const soon = daysFromNow(10);
    const lic = await addOperatingLicence(city, op.org.id, { validFrom: yearsFromNow(-1), validTo: soon });
    expect(has(await alerts(xiaodian.client, 'licence_expiring'), 'licence_expiring', lic.id)).toBe(true);
    await addOperatingLicence(city, op.org.id, { validFrom: soon, validTo: yearsFromNow(3) });
    expect(has(await alerts(xiaodian.client, 'licence_expiring'), 'licence_expiring', lic.id)).toBe(false);
  });

  it('a receiver above 90 % of its annual capacity; suspending the licence clears it', async () => {
    const small = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' });
    const lic = await addOperatingLicence(city, small.org.id, { annualCapacityKg: 190 });
    const l = await issueLabel(generator.client);
    const m = await manifestFrom(generator, [l.id], 0, small);
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, m, { action: 'deliver' });
    await manifestAction(small.client, m, { action: 'receive', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    expect(has(await alerts(yingze.client, 'capacity_near_limit'), 'capacity_near_limit', lic.id)).toBe(true);
    expect((await city.patch(`/api/v1/licences/${lic.id}`, { status: 'suspended' })).statusCode).toBe(200);
    expect(has(await alerts(yingze.client, 'capacity_near_limit'), 'capacity_near_limit', lic.id)).toBe(false);
  });
});

describe('the alerts page in pages', () => {
  it('limit and cursor walk every open alert once, in deadline order, and total counts them all', async () => {
    for (let i = 0; i < 5; i += 1) await issueLabel(generator.client, { generatedAt: ago(305 + i) });
    const whole = (await city.get('/api/v1/supervision/alerts?limit=500')).json();
    expect(whole.total).toBeGreaterThanOrEqual(5);
    expect(whole.items).toHaveLength(whole.total);
    expect(whole.nextCursor).toBeNull();
    const walked: Array<{ type: string; entityId: string; deadline: string }> = [];
    let cursor: string | null = null;
    do {
      const res = await city.get(`/api/v1/supervision/alerts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.total).toBe(whole.total);
      walked.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(walked.map((a) => `${a.type} ${a.entityId}`)).toEqual(whole.items.map((a: { type: string; entityId: string }) => `${a.type} ${a.entityId}`));
    expect(walked.map((a) => a.deadline)).toEqual([...walked.map((a) => a.deadline)].sort());
    // Without a limit, the first 50, as every list of the API.
    expect((await city.get('/api/v1/supervision/alerts')).json().items).toEqual(whole.items.slice(0, 50));
  });

  it('a cursor the API did not issue, or a limit out of range, is a 400', async () => {
    for (const q of ['cursor=not-a-cursor', `cursor=${Buffer.from('[1,2]').toString('base64url')}`, 'limit=0', 'limit=501']) {
      const res = await city.get(`/api/v1/supervision/alerts?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });
});
