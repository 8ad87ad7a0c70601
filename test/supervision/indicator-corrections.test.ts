// The indicator rows as the 无废城市 indicator system defines them (docs/regulations.md#indicators),
// each on the issue's worked example, in a region of its own so nothing else counts.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { act, addOperatingLicence, createSite, issueLabel, issueLabelAsOf } from '../support/world.js';
import { shanghaiDate } from '../../src/calendar/working-days.js';

const YEAR = Number(shanghaiDate(new Date()).slice(0, 4));
const TODAY = shanghaiDate(new Date());

let t: TestApp;
let admin: Client;

interface Item { row: string; value: number | null; met: boolean | null; inputs?: Record<string, unknown>; missing?: string[] }

async function row(client: Client, regionCode: string, r: string): Promise<Item> {
  const res = await client.get(`/api/v1/supervision/indicators?year=${YEAR}&regionCode=${regionCode}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.find((i: Item) => i.row === r);
}

const tonnes = (t: number) => ({ quantity: { value: t, unit: 't' } });

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
});
afterAll(() => t.close());

describe('row 2: 工业危险废物产生强度 = industrial hazardous waste generated ÷ industrial value added', () => {
  it('15,000 t over 1,250,000 万元 of industrial value added → 0.012 t/万元, target met', async () => {
    const region = '140122';
    const regulator = await createRegulator(t.app, admin, region);
    const plant = await createSite(t.app, admin, { roles: ['generator'], regionCode: region, generatorClass: 'industrial' });
    await issueLabel(plant.client, tonnes(10_000));
    await issueLabel(plant.client, tonnes(5_000));
    expect(await row(regulator.client, region, '2')).toMatchObject({ value: null, missing: ['industrial_value_added_10k_cny'] });
    const put = await t.app.inject({
      method: 'PUT', url: `/api/v1/supervision/indicator-inputs/${YEAR}/industrial_value_added_10k_cny`,
      headers: { authorization: `Bearer ${regulator.client.token}` }, payload: { regionCode: region, value: 1_250_000 },
    });
    expect(put.statusCode, put.body).toBe(200);
    const r2 = await row(regulator.client, region, '2');
    expect(r2.value).toBeCloseTo(0.012, 9);
    expect(r2).toMatchObject({ met: true, inputs: { industrialGeneratedT: 15_000, industrialValueAdded10kCny: 1_250_000 } });
  });
});

describe('row 15: 综合利用率 = utilised ÷ (generated this year + prior years\' stock utilised this year)', () => {
  it('1,000 t generated this year, 700 t of it utilised, plus 300 t stored since last year utilised this year → 1,000 ÷ 1,300 = 76.92 %, not met', async () => {
    const region = '140123';
    const regulator = await createRegulator(t.app, admin, region);
    // A plant that utilises its own waste: R9 (re-refining) and C2 (building materials, a utilisation code).
    const plant = await createSite(t.app, admin, { roles: ['generator'], regionCode: region, generatorClass: 'industrial' }, ['R9', 'C2']);
    const utilised = await issueLabel(plant.client, tonnes(700));
    await issueLabel(plant.client, tonnes(300)); // stays in store
    // Stored since last year (Dec 20), utilised this year.
    const stock = await issueLabelAsOf(t.database.pool, plant.client, `${YEAR - 1}-12-20T10:00:00+08:00`, tonnes(300));
    expect((await act(plant.client, utilised.id, { action: 'treat', method: 'R9', facilityId: plant.treatmentId })).statusCode).toBe(200);
    expect((await act(plant.client, stock.id, { action: 'treat', method: 'C2', facilityId: plant.treatmentId })).statusCode).toBe(200);

    const r15 = await row(regulator.client, region, '15');
    expect(r15.value).toBeCloseTo(100_000 / 1_300, 4); // 76.923077 %
    expect(r15.value!.toFixed(2)).toBe('76.92');
    expect(r15).toMatchObject({ met: false, inputs: { utilisedT: 1_000, industrialGeneratedT: 1_000, priorStockUtilisedT: 300 } });
  });
});

describe('rows 39 and 45 count 危险废物经营许可证 holders only', () => {
  it('a township health centre consolidating village clinics\' bags under a collection-point approval is not a 经营单位', async () => {
    const region = '140181';
    const regulator = await createRegulator(t.app, admin, region);
    const disposer = await createParty(t.app, admin, { roles: ['receiver'], regionCode: region });
    await addOperatingLicence(admin, disposer.org.id, { modes: ['disposal'], wasteCodes: ['HW01'] });
    const centre: Party = await createParty(t.app, admin, {
      roles: ['generator', 'collector'], regionCode: region, generatorClass: 'medical', medicalTier: 'township_health_centre',
    });
    await addOperatingLicence(admin, centre.org.id, { kind: 'medical_collection_point', modes: undefined, wasteCodes: ['HW01'], annualCapacityKg: undefined });
    const policy = await admin.post(`/api/v1/orgs/${disposer.org.id}/insurance`, {
      policyNo: `PL-${randomInt(1e9)}`, insurer: '人保财险', validFrom: `${YEAR}-01-01`, validTo: `${YEAR}-12-31`,
    });
    expect(policy.statusCode, policy.body).toBe(201);
    for (const [orgId, passed] of [[disposer.org.id, true], [centre.org.id, false]] as const) {
      expect((await admin.post('/api/v1/inspections', { orgId, date: TODAY, passed, findings: passed ? '' : '暂存超时' })).statusCode).toBe(201);
    }
    // Counted, the uninsured centre would make row 39 50 % and its failed check row 45 50 %.
    expect(await row(regulator.client, region, '39')).toMatchObject({ value: 100, met: true, inputs: { insuredOperators: 1, licensedOperators: 1 } });
    expect(await row(regulator.client, region, '45')).toMatchObject({ value: 100, met: true, inputs: { passedInspections: 1, inspections: 1 } });
  });
});
