// The emergency disposal resource list, the management class and the risk tier of an organisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, issueLabelAsOf, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { shanghaiDate } from '../../src/calendar/working-days.js';
import { managementClass } from '../../src/supervision/management-class.js';
import { monthsBefore, riskTier } from '../../src/supervision/risk.js';
import { coveredPastDate, daysBetween, windowDaysFor, yearsFromNow } from '../support/dates.js';

const REGION = '140122'; // 阳曲县
const DAY_MS = 86_400_000;
const TODAY = shanghaiDate(new Date());
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString();
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
// The overdue receipt below needs a deadline in working days: its delivery lies in the years the
// working-day calendar covers (18 days ago, or the end of the last covered year once the suite runs
// past it), and the occurredAt window reaches back to it.
const DELIVERED_DAYS_AGO = daysBetween(coveredPastDate(18), TODAY);

let t: TestApp;
let admin: Client;
let district: Party;
let carrier: CarrierSite;
let generator: Site;
let R1: Site;
let R2: Site;
let elsewhere: Site;

async function receiver(licence: Record<string, unknown>, region = REGION, status?: string) {
  const r = await createSite(t.app, admin, { roles: ['receiver'], regionCode: region }, ['D10', 'R2']);
  const lic = await addOperatingLicence(admin, r.org.id, licence);
  if (status) expect((await admin.patch(`/api/v1/licences/${lic.id}`, { status })).statusCode).toBe(200);
  return r;
}

async function draft(from: Site, to: Site, labelIds: string[], plannedAt = new Date().toISOString()) {
  const res = await from.client.post('/api/v1/manifests', {
    receiverId: to.org.id, carriers: [{ orgId: carrier.org.id }], labelIds, plannedAt, intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

const risk = async (client: Client, orgId: string) => {
  const res = await client.get(`/api/v1/supervision/orgs/${orgId}/risk`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const codes = (r: { reasons: Array<{ code: string }> }) => r.reasons.map((x) => x.code).sort();

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: windowDaysFor(coveredPastDate(18)) });
  admin = await loginAdmin(t.app);
  district = await createRegulator(t.app, admin, REGION);
  carrier = await createCarrier(t.app, admin);
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION });

  R1 = await receiver({ modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 10_000 });
  R2 = await receiver({ modes: ['utilisation'], wasteCodes: ['900-214-08'], annualCapacityKg: 50_000 });
  await receiver({ wasteCodes: ['HW49'], annualCapacityKg: 90_000 }); // another category
  await receiver({ wasteCodes: ['HW08'], annualCapacityKg: 90_000 }, REGION, 'suspended');
  await receiver({ wasteCodes: ['HW08'], annualCapacityKg: 90_000, validFrom: yearsFromNow(-2), validTo: addDays(TODAY, -1) }); // expired
  elsewhere = await receiver({ wasteCodes: ['HW08'], annualCapacityKg: 90_000 }, '140105');

  // 2 × 180 kg to R1, one measured 150 kg (16.7 % light): received, discrepant.
  const ls = [await issueLabel(generator.client), await issueLabel(generator.client)];
  const id = await draft(generator, R1, ls.map((l) => l.id));
  await manifestAction(generator.client, id, { action: 'submit' });
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds: ls.map((l) => l.id), vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, id, { action: 'deliver' });
  const received = await manifestAction(R1.client, id, {
    action: 'receive',
    items: [
      { labelId: ls[0].id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } },
      { labelId: ls[1].id, accepted: true, measuredQuantity: { value: 150, unit: 'kg' } },
    ],
  });
  expect(received).toMatchObject({ state: 'received', discrepant: true });
}, 300_000);
afterAll(() => t.close());

describe('capacity (应急处置资源清单)', () => {
  it('lists licences in force covering the code in the jurisdiction, with used and remaining this year, most remaining first', async () => {
    const res = await district.client.get('/api/v1/supervision/capacity?wasteCode=900-214-08');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ wasteCode: '900-214-08', category: 'HW08', asOf: TODAY });
    expect(body.items.map((i: { receiverId: string }) => i.receiverId)).toEqual([R2.org.id, R1.org.id]);
    expect(body.items[0]).toMatchObject({ annualCapacityKg: 50_000, usedKg: 0, remainingKg: 50_000, usedPct: 0, modes: ['utilisation'], regionCode: REGION });
    expect(body.items[1]).toMatchObject({ receiverName: R1.org.name, annualCapacityKg: 10_000, usedKg: 330, remainingKg: 9670, usedPct: 3.3, modes: ['disposal'] });
    expect(body.items[1].licenceNumber).toMatch(/^OP-/);
  });

  it('filters by mode; the city sees every district; bad codes are 400, unknown 404; parties 403', async () => {
    const util = (await district.client.get('/api/v1/supervision/capacity?wasteCode=900-214-08&mode=utilisation')).json();
    expect(util.items.map((i: { receiverId: string }) => i.receiverId)).toEqual([R2.org.id]);
    const city = (await admin.get('/api/v1/supervision/capacity?wasteCode=900-214-08')).json();
    expect(city.items.map((i: { receiverId: string }) => i.receiverId)).toContain(elsewhere.org.id);
    expect((await district.client.get('/api/v1/supervision/capacity?wasteCode=900-214-08&regionCode=140105')).statusCode).toBe(404);
    expect((await district.client.get('/api/v1/supervision/capacity?wasteCode=999-999-99')).statusCode).toBe(404);
    expect((await district.client.get('/api/v1/supervision/capacity?wasteCode=HW08')).statusCode).toBe(400);
    expect((await district.client.get('/api/v1/supervision/capacity')).statusCode).toBe(400);
    expect((await generator.client.get('/api/v1/supervision/capacity?wasteCode=900-214-08')).statusCode).toBe(403);
  });
});

describe('management class (HJ 1259-2022 §4.2)', () => {
  const facts = (kg: number, own = false, licence = false) => ({ generatedLast12MonthsKg: kg, hasOwnTreatmentFacility: own, holdsOperatingLicence: licence });
  it('key at 100 t and above, simplified from 10 t, registration below', () => {
    expect(managementClass(facts(100_000))).toBe('key');
    expect(managementClass(facts(250_000))).toBe('key');
    expect(managementClass(facts(99_999.999))).toBe('simplified');
    expect(managementClass(facts(10_000))).toBe('simplified');
    expect(managementClass(facts(9_999.999))).toBe('registration');
    expect(managementClass(facts(0))).toBe('registration');
  });
  it('key whatever the weight with a treatment facility of its own or an operating licence', () => {
    expect(managementClass(facts(0, true))).toBe('key');
    expect(managementClass(facts(0, false, true))).toBe('key');
    expect(managementClass(facts(50_000, true, true))).toBe('key');
  });
  it('risk tier: the highest tier among the reasons', () => {
    expect(riskTier([])).toBe('low');
    expect(riskTier([{ code: 'management_class_key' }, { code: 'discrepancy' }])).toBe('medium');
    expect(riskTier([{ code: 'licence_expiring' }, { code: 'receipt_overdue' }])).toBe('high');
    // Worked examples of the month arithmetic (a leap day, a month end): fixed on purpose.
    expect(monthsBefore('2024-02-29', 12)).toBe('2023-02-28');
    expect(monthsBefore('2026-03-31', 1)).toBe('2026-02-28');
  });
});

describe('risk', () => {
  it('a fresh generator: registration, low, no reasons', async () => {
    const fresh = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    expect(await risk(district.client, fresh.org.id)).toMatchObject({
      orgId: fresh.org.id, managementClass: 'registration', generatedLast12MonthsKg: 0, riskTier: 'low', reasons: [],
    });
  });

  it('a receiver with a receipt overdue: high, and key for its licence', async () => {
    const late = await receiver({ wasteCodes: ['HW08'] });
    // A generator of its own: how long ago this label was generated depends on the calendar data.
    const shipper = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const d = DELIVERED_DAYS_AGO;
    const l = await issueLabelAsOf(t.database.pool, shipper.client, daysAgo(d + 12));
    const id = await draft(shipper, late, [l.id], daysAgo(d + 2));
    await t.database.pool.query('UPDATE manifests SET created_at = $2 WHERE id = $1', [id, daysAgo(d + 7)]);
    await manifestAction(shipper.client, id, { action: 'submit', occurredAt: daysAgo(d + 2) });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: daysAgo(d + 1) });
    const delivered = await manifestAction(carrier.client, id, { action: 'deliver', occurredAt: daysAgo(d) });
    expect(delivered.receiptDueOn < TODAY).toBe(true);

    const r = await risk(district.client, late.org.id);
    expect(r).toMatchObject({ managementClass: 'key', riskTier: 'high', holdsOperatingLicence: true, hasOwnTreatmentFacility: true });
    expect(codes(r)).toEqual(['management_class_key', 'receipt_overdue']);
    expect(r.reasons.find((x: { code: string }) => x.code === 'receipt_overdue')).toMatchObject({ tier: 'high', count: 1 });
    expect(r.reasons.find((x: { code: string }) => x.code === 'receipt_overdue').detail).toContain(delivered.receiptDueOn);
  });

  it('discrepancies make the generator and the receiver medium; the generator\'s weight is summed over 12 months', async () => {
    const g = await risk(district.client, generator.org.id);
    expect(g).toMatchObject({ managementClass: 'registration', riskTier: 'medium', generatedLast12MonthsKg: 360 });
    expect(codes(g)).toEqual(['discrepancy']);
    const r1 = await risk(district.client, R1.org.id);
    expect(codes(r1)).toEqual(['discrepancy', 'management_class_key']);
    expect(r1.riskTier).toBe('medium');
  });

  it('storage over a year and a failed inspection are high; an expiring licence medium; 100 t makes a unit key', async () => {
    const hoarder = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const generatedAt = daysAgo(365.5);
    await issueLabel(hoarder.client, { generatedAt });
    const h = await risk(district.client, hoarder.org.id);
    expect(h.riskTier).toBe('high');
    expect(codes(h)).toEqual(['storage_over_year']);
    // Generated 365.5 days ago: outside the last 12 months, unless those hold a 29 February (366 days).
    const inWindow = shanghaiDate(new Date(generatedAt)) > monthsBefore(TODAY, 12);
    expect(h.generatedLast12MonthsKg).toBe(inWindow ? 180 : 0);

    const failed = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    expect((await admin.post('/api/v1/inspections', { orgId: failed.org.id, date: TODAY, passed: false, findings: '标签缺失' })).statusCode).toBe(201);
    const f = await risk(district.client, failed.org.id);
    expect(f.riskTier).toBe('high');
    expect(codes(f)).toEqual(['failed_inspection']);

    const expiring = await receiver({ wasteCodes: ['HW08'], validTo: addDays(TODAY, 10) });
    const e = await risk(district.client, expiring.org.id);
    expect(e.riskTier).toBe('medium');
    expect(codes(e)).toEqual(['licence_expiring', 'management_class_key']);

    const big = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION });
    await issueLabel(big.client, { quantity: { value: 60, unit: 't' } });
    expect((await risk(district.client, big.org.id)).managementClass).toBe('simplified');
    await issueLabel(big.client, { quantity: { value: 40, unit: 't' } });
    const b = await risk(district.client, big.org.id);
    expect(b).toMatchObject({ managementClass: 'key', generatedLast12MonthsKg: 100_000, riskTier: 'medium' });

    const own = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION }, ['R2']);
    expect(await risk(district.client, own.org.id)).toMatchObject({ managementClass: 'key', hasOwnTreatmentFacility: true, riskTier: 'medium' });
  });

  it('outside the jurisdiction or unknown: 404; a generator: 403', async () => {
    expect((await district.client.get(`/api/v1/supervision/orgs/${elsewhere.org.id}/risk`)).statusCode).toBe(404);
    expect((await admin.get(`/api/v1/supervision/orgs/${elsewhere.org.id}/risk`)).statusCode).toBe(200);
    expect((await district.client.get('/api/v1/supervision/orgs/00000000-0000-4000-8000-000000000000/risk')).statusCode).toBe(404);
    expect((await generator.client.get(`/api/v1/supervision/orgs/${generator.org.id}/risk`)).statusCode).toBe(403);
  });
});
