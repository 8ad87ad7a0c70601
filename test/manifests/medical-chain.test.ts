// The plan's medical chain (村卫生站分类、乡镇集中暂存、县人民医院收集) and the receipt clock,
// with steps reported as of dates in the past (offline handsets, window widened for the test).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, issueLabelAsOf, manifestAction, medicalChain, MEDICAL_BAG, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { windowDaysFor } from '../support/dates.js';

// The receipt clock below is worked by hand over the 2026 National Day holiday of the working-day
// calendar data (src/calendar/data): those dates are fixed on purpose. The steps are reported as of
// then, so the occurredAt window reaches back to them from whatever day the suite runs on (the
// service allows at most 3650 days: past September 2036 the example needs a holiday of a later year).
const RECEIPT_CLOCK_FROM = '2026-09-20';

let t: TestApp;
let admin: Client;
let carrier: CarrierSite;

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: windowDaysFor(RECEIPT_CLOCK_FROM) });
  admin = await loginAdmin(t.app);
  carrier = await createCarrier(t.app, admin);
});
afterAll(() => t.close());


/** Ships labels from one site to another through a one-carrier manifest and receives them all. */
async function ship(from: Site, to: Site, labelIds: string[], intendedMethod = 'D10') {
  const res = await from.client.post('/api/v1/manifests', {
    receiverId: to.org.id, carriers: [{ orgId: carrier.org.id }], labelIds, plannedAt: new Date().toISOString(), intendedMethod, emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id;
  await manifestAction(from.client, id, { action: 'submit' });
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds, vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, id, { action: 'deliver' });
  const items = labelIds.map((labelId) => ({ labelId, accepted: true, measuredQuantity: { value: 2.5, unit: 'kg' } }));
  await manifestAction(to.client, id, { action: 'receive', items });
  return id;
}

describe('village clinic → township centre → county hospital → incinerator', () => {
  it('the bag\'s trace ends at the box\'s incineration, and every manifest completes', async () => {
    const { clinic, township, county, incinerator } = await medicalChain(t.app, admin);

    const bags = [await issueLabel(clinic.client, MEDICAL_BAG), await issueLabel(clinic.client, MEDICAL_BAG)];
    const m1 = await ship(clinic, township, bags.map((b) => b.id));
    const box = await issueLabel(township.client, { ...MEDICAL_BAG, packaging: { type: 'turnover_box', volumeL: 60 }, quantity: { value: 5, unit: 'kg' } });
    for (const bag of bags) expect((await act(township.client, bag.id, { action: 'consolidate', parentLabelId: box.id })).statusCode).toBe(200);
    const m2 = await ship(township, county, [box.id]);
    expect((await act(county.client, box.id, { action: 'store', facilityId: county.storageId })).statusCode).toBe(200);
    const m3 = await ship(county, incinerator, [box.id]);
    expect((await act(incinerator.client, box.id, { action: 'treat', method: 'D10', facilityId: incinerator.treatmentId })).statusCode).toBe(200);

    const trace = (await clinic.client.get(`/api/v1/labels/${bags[0].id}/trace`)).json();
    const actions = trace.steps.map((s: { action: string; viaParent: boolean }) => `${s.viaParent ? 'box:' : ''}${s.action}`);
    expect(actions).toEqual(['issue', 'dispatch', 'accept', 'consolidate', 'box:dispatch', 'box:accept', 'box:store', 'box:dispatch', 'box:accept', 'box:treat']);
    expect(trace.steps[trace.steps.length - 1]).toMatchObject({ method: 'D10', orgId: incinerator.org.id });
    for (const id of [m1, m2, m3]) expect((await admin.get(`/api/v1/manifests/${id}`)).json().state, id).toBe('completed');
  });
});

describe('the receipt clock', () => {
  it('counts 5 working days from arrival, skipping the National Day holiday and counting the make-up Saturday', async () => {
    const generator = await createSite(t.app, admin, { roles: ['generator'] });
    const receiver = await createSite(t.app, admin, { roles: ['receiver'] }, ['D10']);
    await addOperatingLicence(admin, receiver.org.id);
    const l = await issueLabelAsOf(t.database.pool, generator.client, `${RECEIPT_CLOCK_FROM}T09:00:00+08:00`);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l.id], plannedAt: '2026-09-28T09:00:00+08:00', intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    const id = res.json().id;
    // The draft was written in September, before the steps below were reported.
    await t.database.pool.query(`UPDATE manifests SET created_at = '2026-09-25T09:00:00+08:00' WHERE id = $1`, [id]);
    await manifestAction(generator.client, id, { action: 'submit', occurredAt: '2026-09-28T09:00:00+08:00' });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: '2026-09-29T09:00:00+08:00' });
    // Before the pickup: refused.
    await manifestAction(carrier.client, id, { action: 'deliver', occurredAt: '2026-09-28T10:00:00+08:00' }, 400);
    const delivered = await manifestAction(carrier.client, id, { action: 'deliver', occurredAt: '2026-09-30T10:00:00+08:00' });
    // Oct 1–7 holidays; Oct 8, 9, 10 (make-up Saturday), 12, 13.
    expect(delivered.receiptDueOn).toBe('2026-10-13');
    expect(delivered.deliveredAt).toBe('2026-09-30T02:00:00.000Z');
    // Received and treated as of October: the manifest completes when the waste was treated.
    await manifestAction(receiver.client, id, { action: 'receive', occurredAt: '2026-10-09T09:00:00+08:00', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    expect((await act(receiver.client, l.id, { action: 'treat', method: 'D10', facilityId: receiver.treatmentId, occurredAt: '2026-10-20T15:00:00+08:00' })).statusCode).toBe(200);
    const done = (await generator.client.get(`/api/v1/manifests/${id}`)).json();
    expect(done).toMatchObject({ state: 'completed', completedAt: '2026-10-20T07:00:00.000Z' });
  });
});
