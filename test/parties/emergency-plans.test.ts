// Emergency plans (docs/regulations.md#emergency-plans, #emergency-measures): the filing of each
// unit's emergency plan (固废法 Art. 85) registered by a registrar of its region; submit refuses a
// manifest that states no emergency measures (转移管理办法 Art. 10); the alert emergency_plan_missing
// lists key-class (重点监管) sites with no filing in force.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, addFacility, addOperatingLicence, createCarrier, createSite, EMERGENCY_MEASURES, issueLabel, manifestAction,
  type CarrierSite, type Site,
} from '../support/world.js';
import { addDays, daysFromNow, today } from '../support/dates.js';
import { backdateLabel } from '../support/backdate.js';
import { monthsBefore, RISK_WINDOWS } from '../../src/supervision/risk.js';

const REGION = '140107';
let t: TestApp;
let admin: Client;
let district: Party;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  district = await createRegulator(t.app, admin, REGION);
});
afterAll(() => t.close());

function expectProblem(res: LightMyRequestResponse, status: number, rule?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  if (rule) expect(res.json().rule).toBe(rule);
}

const filing = (overrides: Record<string, unknown> = {}) => ({
  number: `140107-2026-${Math.floor(Math.random() * 1e9)}-L`, authority: '太原市生态环境局尖草坪分局',
  filedOn: daysFromNow(-30), validTo: daysFromNow(3 * 365), ...overrides,
});

async function register(orgId: string, body: Record<string, unknown>, by: Client = district.client) {
  return by.post(`/api/v1/orgs/${orgId}/emergency-plans`, body);
}

async function listed(orgId: string) {
  const res = await district.client.get(`/api/v1/orgs/${orgId}/emergency-plans`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ id: string; number: string; siteId: string | null; inForce: boolean }>;
}

async function sitesOf(p: Party) {
  const res = await p.client.get(`/api/v1/orgs/${p.org.id}/sites`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ id: string; name: string; isDefault: boolean }>;
}

async function addSite(p: Party, name: string): Promise<string> {
  const res = await p.client.post(`/api/v1/orgs/${p.org.id}/sites`, { name, address: `太原市尖草坪区${name}`, regionCode: REGION });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function missing(): Promise<Array<{ entityId: string; entityType: string; orgId: string; details: Record<string, unknown> }>> {
  const res = await district.client.get('/api/v1/supervision/alerts?type=emergency_plan_missing');
  expect(res.statusCode, res.body).toBe(200);
  const items = res.json().items as Array<{ type: string; entityId: string; entityType: string; orgId: string; details: Record<string, unknown> }>;
  expect(items.every((a) => a.type === 'emergency_plan_missing')).toBe(true);
  return items;
}

describe('emergency plan filings', () => {
  it('a registrar of the region registers a whole-organisation filing and a site filing; both listed, in force, audited', async () => {
    const gen = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const siteId = await addSite(gen, '二厂');
    const whole = await register(gen.org.id, filing());
    expect(whole.statusCode, whole.body).toBe(201);
    expect(whole.json()).toMatchObject({ orgId: gen.org.id, siteId: null, regionCode: REGION, inForce: true, authority: '太原市生态环境局尖草坪分局' });
    const site = await register(gen.org.id, filing({ siteId, filedOn: today(), validTo: today() }));
    expect(site.statusCode, site.body).toBe(201);
    expect(site.json()).toMatchObject({ siteId, inForce: true });
    const items = await listed(gen.org.id);
    expect(items.map((i) => i.id).sort()).toEqual([whole.json().id, site.json().id].sort());
    // The organisation itself reads its filings too.
    expect((await gen.client.get(`/api/v1/orgs/${gen.org.id}/emergency-plans`)).json().items).toHaveLength(2);
    const trail = (await admin.get(`/api/v1/audit?entityId=${whole.json().id}`)).json().items;
    expect(trail).toEqual([expect.objectContaining({ entityType: 'emergency_plan_filing', action: 'create' })]);
  });

  it('bad input is a 4xx problem and registers nothing', async () => {
    const gen = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const other = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const [otherSite] = await sitesOf(other);
    const outside = await createRegulator(t.app, admin, '140105');
    const taken = filing();
    expect((await register(other.org.id, taken)).statusCode).toBe(201);

    // An expired filing: the record is of a plan in force.
    expectProblem(await register(gen.org.id, filing({ filedOn: daysFromNow(-800), validTo: daysFromNow(-1) })), 422, 'emergency_plan_expired');
    // Filed tomorrow: not a filing yet.
    expectProblem(await register(gen.org.id, filing({ filedOn: daysFromNow(1) })), 422, 'emergency_plan_dates');
    // Valid to before the filing date.
    expectProblem(await register(gen.org.id, filing({ filedOn: daysFromNow(-10), validTo: daysFromNow(-20) })), 400);
    // Another organisation's site.
    expectProblem(await register(gen.org.id, filing({ siteId: otherSite.id })), 422, 'site');
    // A regulator files no plan here.
    expectProblem(await register(district.org.id, filing()), 422, 'holder_role');
    // A number already registered.
    expectProblem(await register(gen.org.id, filing({ number: taken.number })), 409);
    // Missing fields, blank authority, unknown fields.
    expectProblem(await register(gen.org.id, { number: 'X-1', filedOn: today(), validTo: today() }), 400);
    expectProblem(await register(gen.org.id, filing({ authority: ' ' })), 400);
    expectProblem(await register(gen.org.id, filing({ remarks: 'x' })), 400);
    // A registrar of another district, and the unit's own client (not a registrar).
    const res = await register(gen.org.id, filing(), outside.client);
    expect([403, 404]).toContain(res.statusCode);
    expect((await register(gen.org.id, filing(), gen.client)).statusCode).toBe(403);

    expect(await listed(gen.org.id)).toEqual([]);
  });
});

describe('emergency measures at submit (转移管理办法 Art. 10)', () => {
  let generator: Site;
  let receiver: Site;
  let carrier: CarrierSite;

  beforeAll(async () => {
    carrier = await createCarrier(t.app, admin, undefined, { regionCode: REGION });
    generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION });
    receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: REGION }, ['D10']);
    await addOperatingLicence(admin, receiver.org.id);
  });

  it('a manifest without emergency measures, or with blanks, is refused at submit and stays a draft; filled in, it is submitted', async () => {
    const label = await issueLabel(generator.client);
    const created = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date().toISOString(), intendedMethod: 'D10',
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;

    expectProblem(await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit' }), 422, 'emergency_measures');
    const blank = await generator.client.patch(`/api/v1/manifests/${id}`, { emergencyMeasures: '  \n ' });
    expect(blank.statusCode, blank.body).toBe(200);
    expectProblem(await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit' }), 422, 'emergency_measures');
    const draft = (await generator.client.get(`/api/v1/manifests/${id}`)).json();
    expect(draft).toMatchObject({ state: 'draft', number: null });

    const filled = await generator.client.patch(`/api/v1/manifests/${id}`, { emergencyMeasures: EMERGENCY_MEASURES });
    expect(filled.statusCode, filled.body).toBe(200);
    const submitted = await manifestAction(generator.client, id, { action: 'submit' });
    expect(submitted).toMatchObject({ state: 'submitted', emergencyMeasures: EMERGENCY_MEASURES });
  });
});

describe('alert emergency_plan_missing', () => {
  it('a licensed operator\'s site is key: listed until a whole-organisation filing is registered', async () => {
    const operator = await createParty(t.app, admin, { roles: ['receiver'], regionCode: REGION, name: '太原危废处置中心' });
    await addOperatingLicence(admin, operator.org.id);
    const [site] = await sitesOf(operator);
    const open = (await missing()).find((a) => a.entityId === site.id);
    expect(open).toMatchObject({ entityType: 'site', orgId: operator.org.id, details: { lastFilingValidTo: null } });
    expect(String(open!.details.managementClassReason)).toContain('operating licence');

    expect((await register(operator.org.id, filing())).statusCode).toBe(201);
    expect((await missing()).some((a) => a.orgId === operator.org.id)).toBe(false);
  });

  it('per site: a filing for one site leaves the other key site listed; a lapsed filing no longer counts', async () => {
    const gen = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const east = await addSite(gen, '东厂');
    const west = await addSite(gen, '西厂');
    // Both treat waste themselves (自行利用处置设施): key on that fact alone.
    for (const siteId of [east, west]) await addFacility(gen.client, gen.org.id, { siteId, kind: 'treatment', methods: ['D10'] });
    const ofGen = async () => (await missing()).filter((a) => a.orgId === gen.org.id).map((a) => a.entityId).sort();
    expect(await ofGen()).toEqual([east, west].sort());

    const eastFiling = await register(gen.org.id, filing({ siteId: east }));
    expect(eastFiling.statusCode, eastFiling.body).toBe(201);
    expect(await ofGen()).toEqual([west]);

    // The east filing lapses (written straight into the record: the API registers only filings in force).
    await t.database.db.execute(sql`UPDATE emergency_plan_filings SET filed_on = ${daysFromNow(-800)}::date, valid_to = ${daysFromNow(-1)}::date
      WHERE id = ${eastFiling.json().id}`);
    expect((await listed(gen.org.id)).find((f) => f.id === eastFiling.json().id)?.inForce).toBe(false);
    const again = (await missing()).find((a) => a.entityId === east);
    expect(again?.details.lastFilingValidTo).toBe(daysFromNow(-1));
  });

  it('by weight: a site that generated 100 t in 12 months is listed, one of 99.999 t (simplified) is not; other regions never see it', async () => {
    const heavy = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const light = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    for (const [p, kg] of [[heavy, 100_000], [light, 99_999.999]] as const) {
      const facilityId = await addFacility(p.client, p.org.id, { kind: 'storage', storageType: 'warehouse', capacityKg: 200_000 });
      await issueLabel(p.client, { facilityId, quantity: { value: kg, unit: 'kg' } });
    }
    const [heavySite] = await sitesOf(heavy);
    const items = await missing();
    expect(items.find((a) => a.entityId === heavySite.id)?.details.managementClassReason).toContain('100.000 t');
    expect(items.some((a) => a.orgId === light.org.id)).toBe(false);

    // Two sites: the 100 t are attributed to the site whose facility issued them, not the other.
    const twoSites = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const plant = await addSite(twoSites, '二厂');
    const plantStore = await addFacility(twoSites.client, twoSites.org.id, { siteId: plant, kind: 'storage', storageType: 'warehouse', capacityKg: 200_000 });
    await issueLabel(twoSites.client, { facilityId: plantStore, quantity: { value: 100_000, unit: 'kg' } });
    expect((await missing()).filter((a) => a.orgId === twoSites.org.id).map((a) => a.entityId)).toEqual([plant]);

    const elsewhere = await createRegulator(t.app, admin, '140105');
    const res = await elsewhere.client.get('/api/v1/supervision/alerts?type=emergency_plan_missing');
    expect(res.json().items.some((a: { orgId: string }) => a.orgId === heavy.org.id)).toBe(false);
  });

  it('by weight, the 12 months and the consolidation parents: the first day out of the window and a parent\'s own weight do not count', async () => {
    // "The last 12 months": the day 12 months back is out, the next day in (site-management.ts, risk.ts).
    const windowStart = monthsBefore(today(), RISK_WINDOWS.lookbackMonths);
    const issue = async (p: Party, facilityId: string, kg: number) => issueLabel(p.client, { facilityId, quantity: { value: kg, unit: 'kg' } });
    const store = async (p: Party) => addFacility(p.client, p.org.id, { kind: 'storage', storageType: 'warehouse', capacityKg: 500_000 });
    const listedOrgs = async () => new Set((await missing()).map((a) => a.orgId));

    const edge = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const edgeStore = await store(edge);
    await issue(edge, edgeStore, 60_000);
    const old = await issue(edge, edgeStore, 40_000);
    await backdateLabel(t.database.pool, old.id, windowStart);
    expect((await listedOrgs()).has(edge.org.id)).toBe(false); // 60 t in the window
    await backdateLabel(t.database.pool, old.id, addDays(windowStart, 1));
    const [site] = await sitesOf(edge);
    expect((await missing()).find((a) => a.entityId === site.id)?.details.managementClassReason).toContain('100.000 t');

    // 60 t put into a 50 t container: 110 t of labels, 60 t generated (the parent's weight is its
    // contents'), so no alert; 40 t more, 100 t, and it is listed.
    const boxed = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const boxedStore = await store(boxed);
    const bag = await issue(boxed, boxedStore, 60_000);
    const box = await issue(boxed, boxedStore, 50_000);
    const put = await act(boxed.client, bag.id, { action: 'consolidate', parentLabelId: box.id });
    expect(put.statusCode, put.body).toBe(200);
    expect((await listedOrgs()).has(boxed.org.id)).toBe(false);
    await issue(boxed, boxedStore, 40_000);
    const [boxedSite] = await sitesOf(boxed);
    expect((await missing()).find((a) => a.entityId === boxedSite.id)?.details.managementClassReason).toContain('100.000 t');
  });
});
