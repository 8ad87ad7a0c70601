// What a receipt records. The weight discrepancy (docs/regulations.md#weight-tolerance): one exact
// decimal test, the same at receipt and in the alert; examples at the default 10 %: 100 kg → 110 kg
// is within, 110.01 is off; 0.3 kg → 0.33 kg is within. The receiver's 入库 record
// (docs/regulations.md#ledger-records): one per container received, also when it is stored after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES } from '../support/world.js';
import { offTolerance, offToleranceSql } from '../../src/manifests/weight-discrepancy.js';

const EXAMPLES: Array<[number, number, boolean]> = [
  [100, 110, false], [100, 110.01, true], [100, 89.99, true], [100, 90, false], [0.3, 0.33, false], [0.3, 0.331, true], [0, 5, false],
];

describe('the test itself', () => {
  it('gives the examples in TypeScript', () => {
    for (const [declared, measured, off] of EXAMPLES) expect(offTolerance(declared, measured, 10), `${declared} → ${measured}`).toBe(off);
    expect(offTolerance(100, 102.5, 2.5)).toBe(false);
    expect(offTolerance(100, 102.501, 2.5)).toBe(true);
  });
});

describe('over HTTP and in SQL', () => {
  let t: TestApp;
  let city: Client;
  let generator: Site;
  let receiver: Site;
  let carrier: CarrierSite;

  beforeAll(async () => {
    t = await buildTestApp();
    city = await loginAdmin(t.app);
    carrier = await createCarrier(t.app, city);
    generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
    receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
    await addOperatingLicence(city, receiver.org.id);
  });
  afterAll(() => t.close());

  it('gives the examples in SQL, on numeric columns as stored', async () => {
    for (const [declared, measured, off] of EXAMPLES) {
      const { rows: [row] } = await t.database.db.execute<{ off: boolean }>(
        sql`SELECT ${offToleranceSql(sql`${declared}::numeric(14,3)`, sql`${measured}::numeric(14,3)`, 10)} AS off`);
      expect(row.off, `${declared} → ${measured}`).toBe(off);
    }
  });

  /** A manifest of one container declared at `declaredKg`, received at `measuredKg`. */
  async function received(declaredKg: number, measuredKg: number) {
    const label = await issueLabel(generator.client, { quantity: { value: declaredKg, unit: 'kg' } });
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date().toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    await manifestAction(generator.client, id, { action: 'submit' });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [label.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, id, { action: 'deliver' });
    const done = await manifestAction(receiver.client, id, { action: 'receive', items: [{ labelId: label.id, accepted: true, measuredQuantity: { value: measuredKg, unit: 'kg' } }] });
    return { id, labelId: label.id as string, discrepant: done.discrepant as boolean };
  }

  it('a container received and then stored has one 入库 (HWRK) record at the receiver, the receipt\'s', async () => {
    const { labelId } = await received(50, 50);
    const stored = await act(receiver.client, labelId, { action: 'store', facilityId: receiver.storageId });
    expect(stored.statusCode, stored.body).toBe(200);
    const ledger = (await receiver.client.get(`/api/v1/orgs/${receiver.org.id}/ledger`)).json().items
      .filter((r: { labelId: string }) => r.labelId === labelId).map((r: { kind: string }) => r.kind);
    expect(ledger).toEqual(['HWRK']);
    const trace = (await receiver.client.get(`/api/v1/labels/${labelId}/trace`)).json();
    expect(trace.steps.map((s: { action: string }) => s.action)).toEqual(['issue', 'dispatch', 'accept', 'store']);
  });

  it('the receipt and the alert agree on every example, including exactly 10 %', async () => {
    const outcomes = [];
    for (const [declared, measured, off] of EXAMPLES.filter(([d]) => d > 0)) outcomes.push({ ...(await received(declared, measured)), off, declared, measured });
    const alerts = (await city.get('/api/v1/supervision/alerts?type=weight_discrepancy')).json().items as Array<{ entityId: string }>;
    for (const o of outcomes) {
      expect(o.discrepant, `receipt ${o.declared} → ${o.measured}`).toBe(o.off);
      expect(alerts.some((a) => a.entityId === o.id), `alert ${o.declared} → ${o.measured}`).toBe(o.off);
    }
  });
});
