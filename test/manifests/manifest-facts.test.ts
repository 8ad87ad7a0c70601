// The facts kept on a manifest row by triggers (migrations/0028_manifest_facts.sql): the accepted
// weight and the containers' waste codes and categories. Walked through the write paths that change
// them (a draft's containers replaced, a receipt with a refusal and measured weights, a revision
// correcting a weight, one correcting the outcome, one correcting a waste code): after each, the
// stored facts equal what the containers say, recomputed here, and the capacity alert, the
// capacity list and the manifest search answer from them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction, transferParties, type CarrierSite, type Site } from '../support/world.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrier: CarrierSite;
let receiver: Site;
let regulator: Party;
let licenceId: string;

const OIL = '900-214-08';
const OIL_2 = '900-200-08';
const LAB = '900-041-49';

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  ({ generator, carrier, receiver, licenceId } = await transferParties(t.app, admin, { wasteCodes: ['HW08', 'HW49'], annualCapacityKg: 250 }));
  regulator = await createRegulator(t.app, admin, '140100');
});
afterAll(() => t.close());

interface Facts { acceptedKg: number; wasteCodes: string[]; categories: string[] }

/** The facts as stored on the manifest row. */
async function stored(id: string): Promise<Facts> {
  const { rows: [r] } = await t.database.pool.query(
    'SELECT accepted_kg::float8 AS "acceptedKg", waste_codes AS "wasteCodes", categories FROM manifests WHERE id = $1', [id]);
  return r as Facts;
}

/** The facts recomputed here from the containers, as receivedKgSql and the search filter read them before 0028. */
async function recomputed(id: string): Promise<Facts> {
  const { rows } = await t.database.pool.query<{ accepted: boolean | null; measured: string | null; declared: string; waste_code: string; category: string }>(
    `SELECT ml.accepted, ml.measured_kg AS measured, ml.declared_kg AS declared, l.waste_code, l.category
     FROM manifest_labels ml JOIN labels l ON l.id = ml.label_id WHERE ml.manifest_id = $1`, [id]);
  const sorted = (xs: string[]) => [...new Set(xs)].sort();
  const kg = rows.filter((r) => r.accepted).reduce((s, r) => s + Number(r.measured ?? r.declared), 0);
  return { acceptedKg: Math.round(kg * 1000) / 1000, wasteCodes: sorted(rows.map((r) => r.waste_code)), categories: sorted(rows.map((r) => r.category)) };
}

async function expectFacts(id: string, expected: Facts) {
  const facts = await stored(id);
  expect(facts).toEqual(await recomputed(id));
  expect(facts).toEqual(expected);
}

const found = async (filter: string, id: string) => {
  const res = await regulator.client.get(`/api/v1/supervision/manifests?limit=200&${filter}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json().items as Array<{ id: string }>).some((m) => m.id === id);
};
const capacityAlert = async () => ((await regulator.client.get('/api/v1/supervision/alerts?type=capacity_near_limit')).json().items as
  Array<{ entityId: string; severity: string; details: { usedKg: number } }>).find((a) => a.entityId === licenceId);
const capacityUsed = async () => ((await regulator.client.get(`/api/v1/supervision/capacity?wasteCode=${OIL}`)).json().items as
  Array<{ licenceId: string; usedKg: number }>).find((i) => i.licenceId === licenceId)?.usedKg;

const clientOf = (orgId: string) => [generator, carrier, receiver].find((p) => p.org.id === orgId)!.client;
/** Proposes a revision and has every party it names approve it. */
async function revise(proposer: Client, id: string, changes: unknown) {
  const res = await proposer.post(`/api/v1/manifests/${id}/revisions`, { reason: '各方核实后更正', changes });
  expect(res.statusCode, res.body).toBe(201);
  const r = res.json() as { id: string; approvers: string[] };
  for (const orgId of r.approvers) {
    const a = await clientOf(orgId).post(`/api/v1/manifests/${id}/revisions/${r.id}/approve`, { comment: '同意' });
    expect(a.statusCode, a.body).toBe(200);
  }
}

describe('manifest facts kept by triggers', () => {
  it('follow the draft, the receipt and its revisions, and the capacity alert, capacity list and search answer from them', async () => {
    const oil = (await issueLabel(generator.client)).id as string; // 180 kg
    const lab = (await issueLabel(generator.client, { wasteCode: LAB, quantity: { value: 20, unit: 'kg' } })).id as string;
    const oil2 = (await issueLabel(generator.client, { quantity: { value: 40, unit: 'kg' } })).id as string;

    // A draft: codes and categories of its containers, nothing accepted.
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [oil, lab],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    await expectFacts(id, { acceptedKg: 0, wasteCodes: [LAB, OIL], categories: ['HW08', 'HW49'] });
    expect(await found(`wasteCode=${LAB}`, id)).toBe(true);
    expect(await found('category=HW49', id)).toBe(true);
    expect(await found(`wasteCode=${LAB}&category=HW49`, id)).toBe(true);
    expect(await found(`wasteCode=${LAB}&category=HW08`, id)).toBe(false); // one container with both, as before

    // The draft's containers replaced: the HW49 drum is gone from it.
    const patched = await generator.client.patch(`/api/v1/manifests/${id}`, { labelIds: [oil, oil2] });
    expect(patched.statusCode, patched.body).toBe(200);
    await expectFacts(id, { acceptedKg: 0, wasteCodes: [OIL], categories: ['HW08'] });
    expect(await found(`wasteCode=${LAB}`, id)).toBe(false);
    expect(await found('category=HW49', id)).toBe(false);
    expect(await found(`wasteCode=${OIL}`, id)).toBe(true);

    // Received (capacity 250 kg, alert from 90 %): the first drum accepted and weighed at 230 kg,
    // the second refused (weighed at 60 kg, which does not count).
    const qr = await Promise.all([oil, oil2].map(async (l) => (await generator.client.get(`/api/v1/labels/${l}`)).json().qrContent));
    await manifestAction(generator.client, id, { action: 'submit' });
    await manifestAction(carrier.client, id, { action: 'pickup', qr, vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, id, { action: 'deliver' });
    expect(await capacityAlert()).toBeUndefined();
    expect(await capacityUsed()).toBe(0);
    await manifestAction(receiver.client, id, {
      action: 'receive',
      items: [
        { labelId: oil, accepted: true, measuredQuantity: { value: 230, unit: 'kg' } },
        { labelId: oil2, accepted: false, measuredQuantity: { value: 60, unit: 'kg' }, refusalReason: '包装破损，渗漏' },
      ],
    });
    await expectFacts(id, { acceptedKg: 230, wasteCodes: [OIL], categories: ['HW08'] });
    expect(await capacityAlert()).toMatchObject({ severity: 'medium', details: { usedKg: 230 } });
    expect(await capacityUsed()).toBe(230);

    // A revision correcting the weight: reweighed at 200 kg, 80 %, the alert closes.
    await revise(receiver.client, id, { containers: [{ labelId: oil, measuredKg: 200 }] });
    await expectFacts(id, { acceptedKg: 200, wasteCodes: [OIL], categories: ['HW08'] });
    expect(await capacityAlert()).toBeUndefined();
    expect(await capacityUsed()).toBe(200);

    // A revision correcting the outcome: the refused drum was accepted after all (its 60 kg count), 104 %.
    await revise(generator.client, id, { containers: [{ labelId: oil2, accepted: true }] });
    await expectFacts(id, { acceptedKg: 260, wasteCodes: [OIL], categories: ['HW08'] });
    expect(await capacityAlert()).toMatchObject({ severity: 'high', details: { usedKg: 260 } });
    expect(await capacityUsed()).toBe(260);
    // The submit check holds another manifest against the same figure.
    const more = (await issueLabel(generator.client, { quantity: { value: 10, unit: 'kg' } })).id as string;
    const next = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [more],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(next.statusCode, next.body).toBe(201);
    expect(await manifestAction(generator.client, next.json().id, { action: 'submit' }, 422)).toMatchObject({ rule: 'capacity', usedKg: 260, manifestKg: 10 });

    // A revision correcting a waste code: the label's code changes, and with it the manifest's codes.
    await revise(generator.client, id, { containers: [{ labelId: oil, wasteCode: OIL_2 }] });
    await expectFacts(id, { acceptedKg: 260, wasteCodes: [OIL_2, OIL], categories: ['HW08'] });
    expect(await found(`wasteCode=${OIL_2}`, id)).toBe(true);
    await revise(generator.client, id, { containers: [{ labelId: oil2, wasteCode: OIL_2 }] });
    await expectFacts(id, { acceptedKg: 260, wasteCodes: [OIL_2], categories: ['HW08'] });
    expect(await found(`wasteCode=${OIL}`, id)).toBe(false);
    expect(await found(`wasteCode=${OIL_2}&category=HW08`, id)).toBe(true);
  });
});
