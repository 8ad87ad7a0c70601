// Management class per site (生产经营场所, HJ 1259-2022 §4.2.1; docs/regulations.md#management-class):
// each site of an organisation is classed by what its own facilities generated (and whether it
// treats waste or holds a 经营许可证); the organisation shows the highest class of its sites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { addFacility, addOperatingLicence, issueLabel } from '../support/world.js';

const REGION = '140106';
let t: TestApp;
let admin: Client;
let district: Party;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  district = await createRegulator(t.app, admin, REGION);
});
afterAll(() => t.close());

async function addSite(p: Party, name: string): Promise<string> {
  const res = await p.client.post(`/api/v1/orgs/${p.org.id}/sites`, { name, address: `太原市迎泽区${name}`, regionCode: REGION });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function risk(orgId: string) {
  const res = await district.client.get(`/api/v1/supervision/orgs/${orgId}/risk`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

type SiteClass = { name: string; managementClass: string; generatedLast12MonthsKg: number };
const byName = (r: { sites: SiteClass[] }) => Object.fromEntries(r.sites.map((s) => [s.name, s]));

describe('management class per site', () => {
  it('100,000 kg → key, 99,999.999 kg → simplified, 10,000 kg → simplified, 9,999.999 kg → registration; the organisation takes the highest', async () => {
    const org = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION, name: '太原多厂区化工有限公司' });
    const examples: Array<[string, number, string]> = [
      ['一厂', 100_000, 'key'], ['二厂', 99_999.999, 'simplified'], ['三厂', 10_000, 'simplified'], ['四厂', 9_999.999, 'registration'],
    ];
    for (const [name, kg] of examples) {
      const siteId = await addSite(org, name);
      const facilityId = await addFacility(org.client, org.org.id, { siteId, kind: 'storage', storageType: 'warehouse', capacityKg: 200_000 });
      await issueLabel(org.client, { facilityId, quantity: { value: kg, unit: 'kg' } });
    }
    const r = await risk(org.org.id);
    const sites = byName(r);
    for (const [name, kg, cls] of examples) expect(sites[name], name).toMatchObject({ managementClass: cls, generatedLast12MonthsKg: kg });
    // The default site (registered address) generated nothing here.
    expect(r.sites[0]).toMatchObject({ isDefault: true, managementClass: 'registration', generatedLast12MonthsKg: 0 });
    expect(r).toMatchObject({ managementClass: 'key', generatedLast12MonthsKg: 219_999.998, riskTier: 'medium' });
    expect(r.reasons.find((x: { code: string }) => x.code === 'management_class_key').detail).toContain('一厂');
  });

  it('two sites of 9,999.999 kg each stay registration, though the organisation generated 19,999.998 kg in all', async () => {
    const org = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    for (const name of ['东区', '西区']) {
      const siteId = await addSite(org, name);
      const facilityId = await addFacility(org.client, org.org.id, { siteId, kind: 'storage', storageType: 'point' });
      await issueLabel(org.client, { facilityId, quantity: { value: 9_999.999, unit: 'kg' } });
    }
    const r = await risk(org.org.id);
    expect(r.sites.map((s: SiteClass) => s.managementClass)).toEqual(['registration', 'registration', 'registration']);
    expect(r).toMatchObject({ managementClass: 'registration', generatedLast12MonthsKg: 19_999.998 });
  });

  it('labels issued without a facility count at the default site', async () => {
    const org = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    await addSite(org, '新厂区');
    await issueLabel(org.client, { quantity: { value: 10, unit: 't' } });
    const r = await risk(org.org.id);
    expect(r.sites).toMatchObject([
      { isDefault: true, managementClass: 'simplified', generatedLast12MonthsKg: 10_000 },
      { name: '新厂区', managementClass: 'registration', generatedLast12MonthsKg: 0 },
    ]);
  });

  it('an own treatment facility or a 经营许可证 makes its site key, not the others; a collection approval does not', async () => {
    const plant = await createParty(t.app, admin, { roles: ['generator', 'receiver'], regionCode: REGION });
    const kiln = await addSite(plant, '焚烧厂区');
    await addFacility(plant.client, plant.org.id, { siteId: kiln, kind: 'treatment', methods: ['D10'] });
    const depot = await addSite(plant, '收集中转站');
    await addOperatingLicence(admin, plant.org.id, { siteId: depot, modes: ['collection', 'storage'], wasteCodes: ['HW08'] });
    expect(byName(await risk(plant.org.id))).toMatchObject({
      焚烧厂区: { managementClass: 'key', hasOwnTreatmentFacility: true, holdsOperatingLicence: false },
      收集中转站: { managementClass: 'key', hasOwnTreatmentFacility: false, holdsOperatingLicence: true },
      [plant.org.name]: { managementClass: 'registration' },
    });

    const point = await createParty(t.app, admin, { roles: ['generator', 'collector'], regionCode: REGION, generatorClass: 'small_source' });
    await addOperatingLicence(admin, point.org.id, { kind: 'collection_pilot', modes: undefined, wasteCodes: ['HW08', 'HW49'], annualCapacityKg: undefined });
    expect(await risk(point.org.id)).toMatchObject({ managementClass: 'registration', holdsOperatingLicence: false, riskTier: 'low' });
  });

  it('a site is registered by the organisation\'s admin or a registrar, with a unique name; a facility at another organisation\'s site is 422', async () => {
    const org = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    const other = await createParty(t.app, admin, { roles: ['generator'], regionCode: REGION });
    await addSite(org, '甲');
    const dup = await org.client.post(`/api/v1/orgs/${org.org.id}/sites`, { name: '甲', address: 'x', regionCode: REGION });
    expect(dup.statusCode).toBe(409);
    expect((await other.client.post(`/api/v1/orgs/${org.org.id}/sites`, { name: '乙', address: 'x', regionCode: REGION })).statusCode).toBe(404);
    expect((await org.client.post(`/api/v1/orgs/${org.org.id}/sites`, { name: '乙', address: 'x', regionCode: '1401' })).statusCode).toBe(400);
    const otherSite = (await other.client.get(`/api/v1/orgs/${other.org.id}/sites`)).json().items[0].id;
    const wrong = await org.client.post(`/api/v1/orgs/${org.org.id}/facilities`, { code: 'W', name: 'w', kind: 'storage', storageType: 'point', siteId: otherSite });
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect(wrong.json()).toMatchObject({ rule: 'site' });
    const { rows } = await t.database.pool.query('SELECT count(*)::int AS n FROM facilities WHERE org_id = $1', [org.org.id]);
    expect(rows[0].n).toBe(0);
    const audit = await t.database.pool.query("SELECT count(*)::int AS n FROM audit_entries WHERE entity_type = 'site' AND after->>'orgId' = $1", [org.org.id]);
    expect(audit.rows[0].n).toBe(2); // the default site and 甲
  });
});
