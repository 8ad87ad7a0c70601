// Management plans (管理计划, HJ 1259-2022 §5) and declarations (申报, §7) of a site, drafted from a
// year of back-dated ledger records (docs/regulations.md#management-plans, #declarations).
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, addFacility, addOperatingLicence, createCarrier, createSite, issueLabel, transfer, type CarrierSite, type Site,
} from '../support/world.js';
import { thisYear } from '../support/dates.js';
import { backdateLabel, shanghaiMorning } from '../support/backdate.js';

const REGION = '140107'; // 杏花岭区
const YEAR = thisYear();
const LAST = YEAR - 1;
let t: TestApp;
let admin: Client;
let district: Party;
let carrier: CarrierSite;
let plant: Site;
let R1: Site;
let siteId: string;

const put = (c: Client, url: string, body: unknown) =>
  t.app.inject({ method: 'PUT', url, headers: { authorization: `Bearer ${c.token}` }, payload: body as object });
const sh = shanghaiMorning;
const tonnes = (value: number, wasteCode = '900-214-08') => ({ quantity: { value, unit: 't' }, wasteCode });

const backdate = (labelId: string, generated: string, byKind: Record<string, string> = {}) => backdateLabel(t.database.pool, labelId, generated, byKind);

// Last year at the plant (key supervision: it runs its own utilisation facility):
const L1 = 2; //    t, 900-214-08, generated 10 Feb, stored, shipped to R1 for D10 on 5 May
const L2 = 1.5; //  t, 900-214-08, generated 1 Mar, utilised in-house (R9) on 2 Apr
const L3 = 0.75; // t, 900-214-08, generated 20 Nov, still in store
const L4 = 0.3; //  t, 900-249-08, generated 30 Dec, still in store
let manifestNumber: string;

beforeAll(async () => {
  // Every period of last year is checked for declaration_overdue, however late in this year the test runs.
  t = await buildTestApp({ DECLARATION_ALERT_LOOKBACK_DAYS: '800', OCCURRED_AT_WINDOW_DAYS: '800' });
  admin = await loginAdmin(t.app);
  district = await createRegulator(t.app, admin, REGION);
  carrier = await createCarrier(t.app, admin);
  plant = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'industrial' }, ['R9']);
  R1 = await createSite(t.app, admin, { roles: ['receiver'], regionCode: REGION }, ['D10']);
  await addOperatingLicence(admin, R1.org.id, { modes: ['disposal'], wasteCodes: ['HW08'], number: `OP-R1-${randomInt(1e9)}` });
  siteId = (await plant.client.get(`/api/v1/orgs/${plant.org.id}/sites`)).json().items[0].id;

  const l1 = await issueLabel(plant.client, { ...tonnes(L1), facilityId: plant.storageId });
  expect((await act(plant.client, l1.id, { action: 'store', facilityId: plant.storageId })).statusCode).toBe(200);
  manifestNumber = (await transfer({ from: plant, to: R1, carrier, labelIds: [l1.id], measured: { value: L1, unit: 't' } })).number;
  await backdate(l1.id, `${LAST}-02-10`, { HWCK: `${LAST}-05-05`, HWWWCZ: `${LAST}-05-05` });

  const l2 = await issueLabel(plant.client, { ...tonnes(L2), facilityId: plant.storageId });
  expect((await act(plant.client, l2.id, { action: 'treat', method: 'R9', facilityId: plant.treatmentId })).statusCode).toBe(200);
  await backdate(l2.id, `${LAST}-03-01`, { HWZXLY: `${LAST}-04-02` });

  const l3 = await issueLabel(plant.client, { ...tonnes(L3), facilityId: plant.storageId });
  await backdate(l3.id, `${LAST}-11-20`);
  const l4 = await issueLabel(plant.client, { ...tonnes(L4, '900-249-08'), facilityId: plant.storageId });
  await backdate(l4.id, `${LAST}-12-30`);
}, 300_000);
afterAll(() => t.close());

const planUrl = (year = YEAR) => `/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan?year=${year}`;
const declUrl = () => `/api/v1/orgs/${plant.org.id}/sites/${siteId}/declarations`;

async function draftDecl(period: string, client = plant.client) {
  const res = await client.get(`${declUrl()}/draft?period=${period}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

type Row = { wasteCode: string; openingStockT: number; generatedT: number; receivedT: number; transferredOutT: number;
  utilisedInHouseT: number; disposedInHouseT: number; closingStockT: number };
const reconciles = (r: Row) => expect(r.openingStockT + r.generatedT + r.receivedT - r.transferredOutT - r.utilisedInHouseT - r.disposedInHouseT)
  .toBeCloseTo(r.closingStockT, 6);

describe('management plan drafted from last year\'s records', () => {
  it('matches the figures of the year: A.3 generation, A.4 year-end stock, A.5 in-house, A.7 transfers per receiver; class key, all tables', async () => {
    const res = await plant.client.get(planUrl());
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json();
    expect(plan).toMatchObject({ state: 'draft', saved: false, version: 1, year: YEAR, managementClass: 'key', dueOn: `${YEAR}-03-31` });
    expect(plan.managementClassReason).toContain('own');
    expect(plan.requiredTables).toEqual(['A.1', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7']);
    const a3 = Object.fromEntries(plan.tables['A.3'].map((r: { wasteCode: string }) => [r.wasteCode, r]));
    expect(a3['900-214-08'].lastYearGeneratedT).toBeCloseTo(L1 + L2 + L3, 6);
    expect(a3['900-214-08'].expectedGeneratedT).toBeCloseTo(L1 + L2 + L3, 6);
    expect(a3['900-249-08'].lastYearGeneratedT).toBeCloseTo(L4, 6);
    const a4 = Object.fromEntries(plan.tables['A.4'].map((r: { wasteCode: string }) => [r.wasteCode, r]));
    expect(a4['900-214-08'].expectedYearEndStockT).toBeCloseTo(L3, 6);
    expect(a4['900-249-08'].lastYearClosingStockT).toBeCloseTo(L4, 6);
    expect(plan.tables['A.5']).toMatchObject([{ wasteCode: '900-214-08', kind: 'utilisation', method: 'R9', lastYearT: L2 }]);
    expect(plan.tables['A.7']).toMatchObject([{
      wasteCode: '900-214-08', receiverId: R1.org.id, receiverName: R1.org.name, method: 'D10', transferType: 'in_province', lastYearT: L1,
    }]);
    expect(plan.tables['A.7'][0].licenceNumber).toMatch(/^OP-R1-/);
    expect(plan.tables['A.1']).toMatchObject({ unitName: plant.org.name, managementClass: 'key' });
  });

  it('edit, submit, locked; a change is a new version with a reason; the regulator sees both; events are written', async () => {
    const edit = await put(plant.client, planUrl(), {
      waste: [{ wasteCode: '900-214-08', expectedGeneratedT: 3.5, expectedReductionT: 0.5 }],
      inHouse: [{ wasteCode: '900-214-08', method: 'R9', expectedT: 2 }],
      reductionPlan: '改进清洗工艺', measures: '更换长寿命切削液',
    });
    expect(edit.statusCode, edit.body).toBe(200);
    expect(edit.json()).toMatchObject({ state: 'draft', saved: true, version: 1 });
    expect(edit.json().tables['A.6']).toMatchObject({ reductionPlan: '改进清洗工艺', total: { expectedGeneratedT: 3.5 + L4, expectedReductionT: 0.5 } });
    expect(edit.json().tables['A.5'][0]).toMatchObject({ expectedT: 2, lastYearT: L2 });

    // Filed in the national system last December, entered here now.
    const submitUrl = `/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan/submit?year=${YEAR}`;
    expect((await plant.client.post(submitUrl, { submittedAt: new Date(Date.now() + 3_600_000).toISOString() })).statusCode).toBe(400);
    expect((await plant.client.post(submitUrl, { submittedAt: sh(`${LAST - 1}-12-31`) })).statusCode).toBe(400);
    const submitted = await plant.client.post(submitUrl, { submittedAt: sh(`${LAST}-12-20`) });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ state: 'submitted', version: 1, submittedLate: false, submittedAt: new Date(sh(`${LAST}-12-20`)).toISOString() });
    // Locked: submitting again, or editing without a reason, is refused.
    expect((await plant.client.post(`/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan/submit?year=${YEAR}`, {})).statusCode).toBe(409);
    const noReason = await put(plant.client, planUrl(), { reductionPlan: 'x' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().rule).toBe('change_reason');
    // A record written now does not change the submitted figures.
    expect((await plant.client.get(planUrl())).json().tables['A.3']).toEqual(submitted.json().tables['A.3']);

    const change = await put(plant.client, planUrl(), { waste: [{ wasteCode: '900-214-08', expectedGeneratedT: 5 }], changeReason: '新增生产线' });
    expect(change.statusCode, change.body).toBe(200);
    expect(change.json()).toMatchObject({ state: 'draft', version: 2, changeReason: '新增生产线' });
    // While the unit edits the change, its regulator still sees version 1 as filed.
    expect((await district.client.get(planUrl())).json()).toMatchObject({ state: 'submitted', version: 1 });
    const v2 = await plant.client.post(`/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan/submit?year=${YEAR}`, {});
    expect(v2.json()).toMatchObject({ state: 'submitted', version: 2, versions: [{ version: 2 }, { version: 1 }] });
    expect(v2.json().submittedLate).toBe(new Date().toISOString().slice(5, 10) > '03-31');

    const list = await district.client.get(`/api/v1/supervision/management-plans?year=${YEAR}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.filter((p: { siteId: string }) => p.siteId === siteId).map((p: { version: number }) => p.version)).toEqual([1, 2]);
    const events = await t.database.pool.query(`SELECT type FROM events WHERE aggregate_type = 'management_plan' ORDER BY position`);
    expect(events.rows.map((r) => r.type)).toEqual(expect.arrayContaining(['management_plan.save', 'management_plan.submit']));
  });

  it('bad input: year out of range 400, unknown site 404, another unit 403/404, an edit row last year lacks 422', async () => {
    expect((await plant.client.get(`/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan?year=1999`)).statusCode).toBe(400);
    expect((await plant.client.get(`/api/v1/orgs/${plant.org.id}/sites/${plant.org.id}/management-plan?year=${YEAR}`)).statusCode).toBe(404);
    expect((await R1.client.get(planUrl())).statusCode).toBe(404);
    const row = await put(plant.client, planUrl(YEAR + 1), { transfers: [{ wasteCode: '900-214-08', receiverName: 'nobody', expectedT: 1 }] });
    expect(row.statusCode, row.body).toBe(422);
    expect(row.json().rule).toBe('plan_row');
    expect((await put(plant.client, planUrl(YEAR + 1), { waste: [{ wasteCode: 'x', expectedGeneratedT: -1 }] })).statusCode).toBe(400);
    expect((await put(plant.client, planUrl(YEAR + 1), { waste: [{ wasteCode: '999-999-99', expectedGeneratedT: 1 }] })).statusCode).toBe(400);
    // A waste new this year is named from the 名录.
    const added = await put(plant.client, planUrl(YEAR + 1), { waste: [{ wasteCode: '900-041-49', expectedGeneratedT: 0.4 }] });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().tables['A.3'].find((r: { wasteCode: string }) => r.wasteCode === '900-041-49')).toMatchObject({ category: 'HW49', lastYearGeneratedT: 0, expectedGeneratedT: 0.4 });
    // A regulator cannot submit for the unit; an unknown field is a 400.
    const url = `/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan/submit?year=${YEAR + 1}`;
    expect((await district.client.post(url, {})).statusCode).toBe(403);
    expect((await plant.client.post(url, { filedBy: 'x' })).statusCode).toBe(400);
    expect((await plant.client.post(url, {})).statusCode).toBe(200);
  });
});

describe('declarations', () => {
  it('the year reconciles, its flows name their batch codes, and its closing stock opens the next year', async () => {
    const y = await draftDecl(String(LAST));
    expect(y).toMatchObject({ periodKind: 'year', managementClass: 'key', required: true, ended: true, dueOn: `${YEAR}-03-31` });
    const row = y.rows.find((r: Row) => r.wasteCode === '900-214-08');
    expect(row).toMatchObject({ openingStockT: 0, receivedT: 0, disposedInHouseT: 0 });
    expect(row.generatedT).toBeCloseTo(L1 + L2 + L3, 6);
    expect(row.transferredOutT).toBeCloseTo(L1, 6);
    expect(row.utilisedInHouseT).toBeCloseTo(L2, 6);
    expect(row.closingStockT).toBeCloseTo(L3, 6);
    expect(row.batchCodes.generated.every((c: string) => c.startsWith('HWCS'))).toBe(true);
    expect(row.batchCodes.transferredOut).toHaveLength(1);
    expect(row.batchCodes.utilisedInHouse[0]).toMatch(/^HWZXLY/);
    expect(row.transfers).toMatchObject([{ receiverName: R1.org.name, method: 'D10', manifestNumbers: [manifestNumber] }]);
    for (const r of y.rows) reconciles(r);
    const next = await draftDecl(`${YEAR}-01`);
    for (const r of y.rows) expect(next.rows.find((n: Row) => n.wasteCode === r.wasteCode).openingStockT).toBeCloseTo(r.closingStockT, 6);
  });

  it('a month: stock at the start, the transfer out, nothing left; the months of the year add up to the year', async () => {
    const may = await draftDecl(`${LAST}-05`);
    const row = may.rows.find((r: Row) => r.wasteCode === '900-214-08');
    expect(row.openingStockT).toBeCloseTo(L1, 6);
    expect(row.transferredOutT).toBeCloseTo(L1, 6);
    expect(row.closingStockT).toBeCloseTo(0, 6);
    let generated = 0;
    for (let m = 1; m <= 12; m += 1) {
      const d = await draftDecl(`${LAST}-${String(m).padStart(2, '0')}`);
      for (const r of d.rows) { reconciles(r); generated += r.generatedT; }
    }
    expect(generated).toBeCloseTo(L1 + L2 + L3 + L4, 6);
  });

  it('submits and locks; a correction is a new version with a reason; periods the class does not declare and open periods are refused', async () => {
    expect((await plant.client.post(declUrl(), { period: `${LAST}-05`, submittedAt: sh(`${LAST}-05-31`) })).statusCode).toBe(400);
    const first = await plant.client.post(declUrl(), { period: `${LAST}-05`, submittedAt: sh(`${LAST}-06-10`) });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ state: 'submitted', version: 1, period: `${LAST}-05`, dueOn: `${LAST}-06-15`, submittedLate: false });
    expect(first.json().recordedAt > first.json().submittedAt).toBe(true);
    const again = await plant.client.post(declUrl(), { period: `${LAST}-05` });
    expect(again.statusCode).toBe(422);
    expect(again.json().rule).toBe('change_reason');
    const fix = await plant.client.post(declUrl(), { period: `${LAST}-05`, changeReason: '联单重量更正' });
    expect(fix.statusCode, fix.body).toBe(201);
    expect(fix.json()).toMatchObject({ version: 2, changeReason: '联单重量更正' });
    const read = await district.client.get(`${declUrl()}/${LAST}-05`);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(read.json().rows).toEqual(first.json().rows);
    const quarter = await plant.client.post(declUrl(), { period: `${LAST}-Q2` });
    expect(quarter.statusCode).toBe(422);
    expect(quarter.json().rule).toBe('period_kind');
    const open = await plant.client.post(declUrl(), { period: String(YEAR) });
    expect(open.statusCode).toBe(422);
    expect(open.json().rule).toBe('period_not_ended');
    expect((await plant.client.post(declUrl(), { period: '2026-13' })).statusCode).toBe(400);
    expect((await plant.client.get(`${declUrl()}/draft?period=Q3-2026`)).statusCode).toBe(400);
    expect((await district.client.post(declUrl(), { period: `${LAST}-06` })).statusCode).toBe(403);
    const listed = await district.client.get(`/api/v1/supervision/declarations?period=${LAST}-05`);
    expect(listed.json().items.map((d: { version: number }) => d.version)).toEqual([1, 2]);
    const events = await t.database.pool.query(`SELECT type FROM events WHERE aggregate_type = 'declaration' ORDER BY position`);
    expect(events.rows.map((r) => r.type)).toEqual(['declaration.submit', 'declaration.correct']);
  });
});

describe('per site (生产经营场所, §5.1)', () => {
  it('a unit with two sites: each site\'s declaration and plan hold the containers issued at its facilities', async () => {
    const unit = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const site = await unit.client.post(`/api/v1/orgs/${unit.org.id}/sites`, { name: '二厂', address: '太原市杏花岭区二厂路1号', regionCode: REGION });
    expect(site.statusCode, site.body).toBe(201);
    const store = await addFacility(unit.client, unit.org.id, { siteId: site.json().id, kind: 'storage', storageType: 'warehouse', capacityKg: 50_000 });
    const atSecond = 1.25;
    const atDefault = 0.5;
    await issueLabel(unit.client, { ...tonnes(atSecond), facilityId: store });
    await issueLabel(unit.client, tonnes(atDefault));
    const sites = (await unit.client.get(`/api/v1/orgs/${unit.org.id}/sites`)).json().items as Array<{ id: string; isDefault: boolean }>;
    const generatedAt = async (id: string) => {
      const res = await unit.client.get(`/api/v1/orgs/${unit.org.id}/sites/${id}/declarations/draft?period=${YEAR}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().rows.reduce((sum: number, r: Row) => sum + r.generatedT, 0);
    };
    expect(await generatedAt(site.json().id)).toBeCloseTo(atSecond, 6);
    expect(await generatedAt(sites.find((x) => x.isDefault)!.id)).toBeCloseTo(atDefault, 6);
    const plan = await unit.client.get(`/api/v1/orgs/${unit.org.id}/sites/${site.json().id}/management-plan?year=${YEAR + 1}`);
    expect(plan.json().tables['A.3']).toMatchObject([{ wasteCode: '900-214-08', lastYearGeneratedT: atSecond }]);
    expect(plan.json()).toMatchObject({ managementClass: 'registration', requiredTables: ['A.1', 'A.3', 'A.7'] });
  });
});

describe('alerts', () => {
  it('declaration_overdue for a period past its deadline without a submission, and not for a declared one; management_plan_missing for a site without this year\'s plan', async () => {
    const res = await district.client.get('/api/v1/supervision/alerts?type=declaration_overdue');
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json().items.filter((a: { orgId: string }) => a.orgId === plant.org.id);
    const periods = mine.map((a: { details: { period: string } }) => a.details.period);
    expect(periods).not.toContain(`${LAST}-05`);
    expect(periods).toContain(`${LAST}-06`);
    expect(mine.find((a: { details: { period: string } }) => a.details.period === `${LAST}-06`)).toMatchObject({
      entityType: 'site_period', entityId: `${siteId}/${LAST}-06`, details: { dueOn: `${LAST}-07-15`, managementClass: 'key' },
    });
    // The plant filed its plan; another generator that generated waste last year did not.
    const other = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const l = await issueLabel(other.client, { ...tonnes(0.2), facilityId: other.storageId });
    await backdate(l.id, `${LAST}-08-08`);
    const missing = (await district.client.get('/api/v1/supervision/alerts?type=management_plan_missing')).json().items
      .map((a: { entityId: string }) => a.entityId);
    // Last year's plan: the plant is key on its facts (an own treatment facility) and filed none.
    expect(missing).toContain(`${siteId}/${LAST}`);
    const today = new Date().toISOString().slice(5, 10);
    if (today > '03-31') {
      const otherSite = (await other.client.get(`/api/v1/orgs/${other.org.id}/sites`)).json().items[0].id;
      expect(missing).toContain(`${otherSite}/${YEAR}`);
      expect(missing).not.toContain(`${siteId}/${YEAR}`);
      // A registration site declares yearly: the year past its 31 March deadline is overdue.
      const annual = (await district.client.get('/api/v1/supervision/alerts?type=declaration_overdue')).json().items
        .filter((a: { orgId: string }) => a.orgId === other.org.id).map((a: { details: { period: string } }) => a.details.period);
      expect(annual).toEqual([String(LAST)]);
    }
  });
});
