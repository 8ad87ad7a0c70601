// The plan's indicators computed from a small, deliberate dataset in a region of its own (140181
// 古交市), each value checked against the figure worked out by hand below.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { shanghaiDate } from '../../src/calendar/working-days.js';

const REGION = '140181';
const TODAY = shanghaiDate(new Date());
const YEAR = Number(TODAY.slice(0, 4));

let t: TestApp;
let admin: Client;
let regulator: Party; // 古交市's own regulator (jurisdiction 140181)
let carrier: CarrierSite;

interface Item { row: string; value: number | null; met: boolean | null; target: number; unit: string; inputs?: Record<string, unknown>; missing?: string[] }

function put(client: Client, year: number | string, key: string, body: unknown) {
  return t.app.inject({
    method: 'PUT', url: `/api/v1/supervision/indicator-inputs/${year}/${key}`,
    headers: { authorization: `Bearer ${client.token}` }, payload: body as object,
  });
}

const HW08 = (kg: number, extra: Record<string, unknown> = {}) => ({ quantity: { value: kg, unit: 'kg' }, ...extra });
const BAG = { wasteCode: '841-001-01', physicalForm: 'solid', mainComponents: '棉签、纱布', harmfulComponents: '病原微生物', packaging: { type: 'bag', volumeL: 10 }, quantity: { value: 2.5, unit: 'kg' } };
const SMALL = { wasteCode: '900-047-49', physicalForm: 'liquid', mainComponents: '实验室废液', harmfulComponents: '有机溶剂', packaging: { type: 'bottle', volumeL: 5 }, quantity: { value: 4, unit: 'kg' } };

/** Ships labels through a one-carrier manifest; receives them all at their declared weight unless `receive` is false. */
async function ship(from: Party, to: Party, labels: Array<{ id: string; kg: number }>, intendedMethod: string, receive = true) {
  const res = await from.client.post('/api/v1/manifests', {
    receiverId: to.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: labels.map((l) => l.id), plannedAt: new Date().toISOString(), intendedMethod, emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id;
  await manifestAction(from.client, id, { action: 'submit' });
  if (!receive) return id;
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds: labels.map((l) => l.id), vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, id, { action: 'deliver' });
  await manifestAction(to.client, id, {
    action: 'receive', items: labels.map((l) => ({ labelId: l.id, accepted: true, measuredQuantity: { value: l.kg, unit: 'kg' } })),
  });
  return id;
}

async function issue(site: Party, body: Record<string, unknown>) {
  const l = await issueLabel(site.client, body);
  return { id: l.id as string, kg: l.quantity.value as number };
}

async function inspect(orgId: string, passed: boolean, date = TODAY) {
  const res = await admin.post('/api/v1/inspections', { orgId, date, passed, findings: passed ? '' : '台账不全' });
  expect(res.statusCode, res.body).toBe(201);
}

async function insure(orgId: string) {
  const res = await admin.post(`/api/v1/orgs/${orgId}/insurance`, {
    policyNo: `PL-${randomInt(1e9)}`, insurer: '人保财险', validFrom: `${YEAR}-01-01`, validTo: `${YEAR}-12-31`,
  });
  expect(res.statusCode, res.body).toBe(201);
}

async function indicators(client: Client, query = '') {
  const res = await client.get(`/api/v1/supervision/indicators${query}`);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  return { body, row: (r: string) => body.items.find((i: Item) => i.row === r) as Item };
}

let G1: Site;
let S1: Party;

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: '400' });
  admin = await loginAdmin(t.app);
  regulator = await createRegulator(t.app, admin, REGION);
  carrier = await createCarrier(t.app, admin);

  // ---- operators in 古交市: a landfill, a medical-waste incinerator, a small-source collection point ----
  const landfill = await createSite(t.app, admin, { roles: ['receiver'], regionCode: REGION }, ['D1']);
  await addOperatingLicence(admin, landfill.org.id, { modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 1_000_000 });
  const incinerator = await createSite(t.app, admin, { roles: ['receiver'], regionCode: REGION }, ['D10']);
  await addOperatingLicence(admin, incinerator.org.id, { modes: ['disposal'], wasteCodes: ['HW01'], annualCapacityKg: 1_000_000 });
  const collector = await createSite(t.app, admin, { roles: ['collector'], regionCode: REGION });
  await addOperatingLicence(admin, collector.org.id, { kind: 'collection_pilot', modes: ['collection', 'storage'], wasteCodes: ['HW49', 'HW08'], annualCapacityKg: 100_000 });

  // ---- industrial generation, utilisation and landfill ----
  // G1 runs its own R2 facility: a1..a4 500 kg each; a1, a2 treated R2; a3 consolidated into a tote P
  // (a parent: not counted again) that is treated R2; a4 stays.
  G1 = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'industrial' }, ['R2']);
  const a = [await issue(G1, HW08(500)), await issue(G1, HW08(500)), await issue(G1, HW08(500)), await issue(G1, HW08(500))];
  const tote = await issue(G1, HW08(500, { packaging: { type: 'tote', volumeL: 1000 } }));
  for (const l of [a[0], a[1]]) expect((await act(G1.client, l.id, { action: 'treat', method: 'R2', facilityId: G1.treatmentId })).statusCode).toBe(200);
  expect((await act(G1.client, a[2].id, { action: 'consolidate', parentLabelId: tote.id })).statusCode).toBe(200);
  expect((await act(G1.client, tote.id, { action: 'treat', method: 'R2', facilityId: G1.treatmentId })).statusCode).toBe(200);

  // G2: b1, b2 1000 kg this year and b5 4000 kg generated last Dec 31, all landfilled (D1) this year;
  // b3 voided; b4 stays.
  const G2 = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'industrial' });
  const b1 = await issue(G2, HW08(1000));
  const b2 = await issue(G2, HW08(1000));
  const b3 = await issue(G2, HW08(1000));
  await issue(G2, HW08(1000));
  const b5 = await issue(G2, HW08(4000, { generatedAt: `${YEAR - 1}-12-31T12:00:00+08:00` }));
  expect((await act(G2.client, b3.id, { action: 'void', reason: '重复打印' })).statusCode).toBe(200);
  await ship(G2, landfill, [b1, b2, b5], 'D1');
  for (const l of [b1, b2, b5]) expect((await act(landfill.client, l.id, { action: 'treat', method: 'D1', facilityId: landfill.treatmentId })).statusCode).toBe(200);

  // Elsewhere (小店区): an industrial generator whose waste must not count for 古交市.
  const elsewhere = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105', generatorClass: 'industrial' }, ['R2']);
  const e1 = await issue(elsewhere, HW08(9000));
  await act(elsewhere.client, e1.id, { action: 'treat', method: 'R2', facilityId: elsewhere.treatmentId });
  await inspect(elsewhere.org.id, false);

  // ---- medical: K1's bags reach the incinerator inside the township centre's box; H ships directly;
  // K3's bags wait at the centre; K2 ships nothing ----
  const township = await createSite(t.app, admin, { roles: ['generator', 'collector'], regionCode: REGION, generatorClass: 'medical', medicalTier: 'township_health_centre' });
  await addOperatingLicence(admin, township.org.id, { kind: 'medical_collection_point', modes: ['collection', 'storage'], wasteCodes: ['HW01'], annualCapacityKg: 50_000 });
  const K1 = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'medical', medicalTier: 'village_clinic' });
  await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'medical', medicalTier: 'village_clinic' }); // K2
  const K3 = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'medical', medicalTier: 'village_clinic' });
  const H = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'medical', medicalTier: 'other' });
  const k1Bags = [await issue(K1, BAG), await issue(K1, BAG)];
  await ship(K1, township, k1Bags, 'D10');
  await ship(K3, township, [await issue(K3, BAG)], 'D10');
  const box = await issue(township, { ...BAG, packaging: { type: 'turnover_box', volumeL: 60 }, quantity: { value: 5, unit: 'kg' } });
  for (const b of k1Bags) expect((await act(township.client, b.id, { action: 'consolidate', parentLabelId: box.id })).statusCode).toBe(200);
  await ship(township, incinerator, [box], 'D10');
  await ship(H, incinerator, [await issue(H, BAG)], 'D10');

  // ---- small sources: S1's transfer received; S2's only submitted; S3 nothing ----
  S1 = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'small_source' });
  const S2 = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'small_source' });
  await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'small_source' }); // S3
  await ship(S1, collector, [await issue(S1, SMALL)], 'D10');
  await ship(S2, collector, [await issue(S2, SMALL)], 'D10', false);

  // ---- insurance: the landfill, the incinerator and the township centre; not the collection point ----
  for (const o of [landfill, incinerator, township]) await insure(o.org.id);

  // ---- spot checks this year: operators 2 of 3 passed; generators 3 of 4; one of last year not counted ----
  await inspect(landfill.org.id, true);
  await inspect(incinerator.org.id, false);
  await inspect(collector.org.id, true);
  await inspect(G1.org.id, true);
  await inspect(G2.org.id, true);
  await inspect(S1.org.id, false);
  await inspect(K1.org.id, true);
  await inspect(G1.org.id, false, `${YEAR - 1}-06-01`);
}, 300_000);
afterAll(() => t.close());

describe('indicator inputs', () => {
  it('are entered by a registrar of the region, upserted and audited with before/after', async () => {
    const first = await put(regulator.client, YEAR, 'industrial_value_added_10k_cny', { regionCode: REGION, value: 900 });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ year: YEAR, regionCode: REGION, key: 'industrial_value_added_10k_cny', value: 900, enteredBy: regulator.client.clientId });
    const second = await put(regulator.client, YEAR, 'industrial_value_added_10k_cny', { regionCode: REGION, value: 1000 });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, value: 1000 });
    expect((await put(regulator.client, YEAR, 'landfill_baseline_t', { regionCode: REGION, value: 10 })).statusCode).toBe(200);

    const audit = (await regulator.client.get(`/api/v1/audit?entityType=indicator_input&entityId=${first.json().id}`)).json().items;
    expect(audit.map((e: { action: string; chain: string }) => [e.action, e.chain])).toEqual([['create', REGION], ['update', REGION]]);
    expect(audit[0].before).toBeNull();
    expect(audit[1].before).toMatchObject({ value: 900 });
    expect(audit[1].after).toMatchObject({ value: 1000 });

    const list = await regulator.client.get(`/api/v1/supervision/indicator-inputs?year=${YEAR}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((i: { key: string; value: number }) => [i.key, i.value])).toEqual([['industrial_value_added_10k_cny', 1000], ['landfill_baseline_t', 10]]);
  });

  it('are refused outside the jurisdiction (404), to non-regulators (403), for unknown keys and non-positive values (400)', async () => {
    expect((await put(regulator.client, YEAR, 'industrial_value_added_10k_cny', { regionCode: '140105', value: 1 })).statusCode).toBe(404);
    expect((await put(regulator.client, YEAR, 'industrial_value_added_10k_cny', { regionCode: '140100', value: 1 })).statusCode).toBe(404);
    expect((await put(G1.client, YEAR, 'industrial_value_added_10k_cny', { regionCode: REGION, value: 1 })).statusCode).toBe(403);
    expect((await put(regulator.client, YEAR, 'population', { regionCode: REGION, value: 1 })).statusCode).toBe(400);
    // GDP is not industrial value added: the old key is refused, not mapped.
    expect((await put(regulator.client, YEAR, 'gdp_10k_cny', { regionCode: REGION, value: 1 })).statusCode).toBe(400);
    expect((await put(regulator.client, YEAR, 'industrial_value_added_10k_cny', { regionCode: REGION, value: 0 })).statusCode).toBe(400);
    expect((await regulator.client.get('/api/v1/supervision/indicator-inputs?regionCode=140105')).statusCode).toBe(404);
  });
});

describe('indicators', () => {
  it('each value equals the one worked out by hand from the dataset', async () => {
    const { body, row } = await indicators(regulator.client, `?year=${YEAR}`);
    expect(body).toMatchObject({ year: YEAR, regionCode: REGION, from: `${YEAR}-01-01`, to: `${YEAR}-12-31` });
    expect(body.items.map((i: Item) => i.row)).toEqual(['2', '15', '25', '26', '27', '39', '44', '45', 'text']);

    // Industrial generated this year: a1..a4 (4 × 500) + b1, b2, b4 (3 × 1000) = 5000 kg = 5 t
    // (the tote is a consolidation parent, b3 voided, b5 generated last year). Industrial value added 1000 万元.
    expect(row('2').value).toBeCloseTo(5 / 1000, 9);
    expect(row('2')).toMatchObject({ met: true, unit: '吨/万元', target: 0.012, inputs: { industrialGeneratedT: 5, industrialValueAdded10kCny: 1000 } });
    // Utilised (R2): a1 + a2 + a3 through its tote = 1500 kg of 5000 kg (no prior years' stock utilised).
    expect(row('15').value).toBeCloseTo(30, 6);
    expect(row('15')).toMatchObject({ met: false, target: 80, inputs: { utilisedT: 1.5, industrialGeneratedT: 5, priorStockUtilisedT: 0 } });
    // Landfilled (D1) this year: b1 + b2 + b5 = 6 t against a 10 t baseline: (10 − 6) / 10.
    expect(row('25').value).toBeCloseTo(40, 6);
    expect(row('25')).toMatchObject({ met: true, target: 33.57, inputs: { landfillBaselineT: 10, landfilledT: 6 } });
    // Medical: K1 (via the box), the township centre (its box) and H reached the incinerator; K2 and
    // K3 did not: 3 of 5.
    expect(row('26').value).toBeCloseTo(60, 6);
    expect(row('26')).toMatchObject({ met: false, inputs: { reachedDisposer: 3, registeredMedicalInstitutions: 5 } });
    // Small sources: only S1's manifest was received: 1 of 3.
    expect(row('27').value).toBeCloseTo(100 / 3, 4);
    expect(row('27')).toMatchObject({ met: false, inputs: { withTransfer: 1, registeredSmallSources: 3 } });
    // 经营单位 (危险废物经营许可证 holders): the landfill and the incinerator, both insured. The collection
    // point and the township centre hold approvals, not 经营许可证: not counted.
    expect(row('39').value).toBeCloseTo(100, 6);
    expect(row('39')).toMatchObject({ met: true, inputs: { insuredOperators: 2, licensedOperators: 2, asOf: TODAY } });
    // Manifests ran through the platform: established.
    expect(row('44')).toMatchObject({ value: 1, met: true, unit: '', target: 1 });
    // 经营单位' spot checks: the landfill passed, the incinerator failed (the collection point's pass is
    // not a 经营单位's): 1 of 2.
    expect(row('45').value).toBeCloseTo(50, 6);
    expect(row('45')).toMatchObject({ met: false, baseline: 100, inputs: { passedInspections: 1, inspections: 2 } });
    // Generators' spot checks this year: G1, G2, K1 passed, S1 failed (G1's failure last year is not counted).
    expect(row('text').value).toBeCloseTo(75, 6);
    expect(row('text')).toMatchObject({ met: false, target: 95, inputs: { passedInspections: 3, inspections: 4 } });
    for (const i of body.items as Item[]) expect(i.missing, i.row).toBeUndefined();

    // The city regulator asking for 古交市 gets the same figures.
    const city = await indicators(admin, `?year=${YEAR}&regionCode=${REGION}`);
    expect(city.body.items).toEqual(body.items);
  });

  it('a missing input or an empty denominator gives no value and says why', async () => {
    const { row } = await indicators(regulator.client, `?year=${YEAR - 1}`);
    expect(row('2')).toMatchObject({ value: null, met: null, missing: ['industrial_value_added_10k_cny'], inputs: { industrialGeneratedT: 4, industrialValueAdded10kCny: null } });
    expect(row('25')).toMatchObject({ value: null, met: null, missing: ['landfill_baseline_t'] });
    // Last year: b5 (4 t) generated, nothing utilised.
    expect(row('15')).toMatchObject({ value: 0, met: false });
    // Nobody was registered before this year.
    expect(row('26')).toMatchObject({ value: null, met: null, missing: ['no records'] });
    expect(row('44')).toMatchObject({ value: 0, met: false });
    // G1's failed spot check last year.
    expect(row('text')).toMatchObject({ value: 0, met: false });
    expect(row('45')).toMatchObject({ value: null, missing: ['no records'] });
  });

  it('a district regulator cannot read another district (404); a generator cannot read them at all (403)', async () => {
    expect((await regulator.client.get('/api/v1/supervision/indicators?regionCode=140105')).statusCode).toBe(404);
    expect((await regulator.client.get('/api/v1/supervision/indicators?regionCode=140100')).statusCode).toBe(404);
    expect((await regulator.client.get('/api/v1/supervision/indicators?regionCode=149999')).statusCode).toBe(404);
    expect((await regulator.client.get('/api/v1/supervision/indicators?regionCode=1401')).statusCode).toBe(400);
    expect((await G1.client.get('/api/v1/supervision/indicators')).statusCode).toBe(403);
    expect((await S1.client.get('/api/v1/supervision/indicator-inputs')).statusCode).toBe(403);
  });
});
