// The kinds of licence and approval (docs/regulations.md#licence-kinds): what each takes at
// registration, who may hold it, and what the submit check lets each receive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { licenceAlertOpens } from '../../src/supervision/alerts.js';
import { createParty, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, issueLabel, licenceValidity, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';

let t: TestApp;
let admin: Client;
let receiver: Party;
let collector: Party;
let carrierParty: Party;

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  return body;
}

const register = (org: Party, body: Record<string, unknown>) =>
  admin.post(`/api/v1/orgs/${org.org.id}/licences`, { number: `N-${Math.random().toString(36).slice(2)}`, ...licenceValidity(), ...body });

async function licenceCount(): Promise<number> {
  const { rows } = await t.database.pool.query('SELECT count(*)::int AS n FROM licences');
  return rows[0].n;
}

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  receiver = await createParty(t.app, admin, { roles: ['receiver'], regionCode: '140105' });
  collector = await createParty(t.app, admin, { roles: ['collector'], regionCode: '140105', generatorClass: 'small_source' });
  carrierParty = await createParty(t.app, admin, { roles: ['carrier'], regionCode: '140105' });
});
afterAll(() => t.close());

describe('registering each kind', () => {
  it('the old kind operating is a 400 that lists the kinds, and registers nothing', async () => {
    const before = await licenceCount();
    const res = expectProblem(await register(receiver, { kind: 'operating', modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 1000 }), 400, 'VALIDATION_FAILED');
    for (const kind of ['comprehensive', 'collection', 'collection_pilot', 'medical_collection_point', 'transport']) expect(res.detail).toContain(kind);
    expect(await licenceCount()).toBe(before);
    expectProblem(await register(receiver, { kind: 'licence', modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 1000 }), 400, 'VALIDATION_FAILED');
  });

  it('a collection licence (收集经营许可证) covers only waste mineral oil 900-214-08 and Cd-Ni batteries 900-044-49, collection only', async () => {
    const ok = await register(receiver, { kind: 'collection', wasteCodes: ['900-214-08', '900-044-49'], annualCapacityKg: 50_000 });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'collection', modes: ['collection'], wasteCodes: ['900-214-08', '900-044-49'] });
    const before = await licenceCount();
    const category = expectProblem(await register(receiver, { kind: 'collection', wasteCodes: ['HW08'], annualCapacityKg: 50_000 }), 400, 'VALIDATION_FAILED');
    expect(category.errors).toEqual([expect.objectContaining({ path: 'body.wasteCodes.0' })]);
    expectProblem(await register(receiver, { kind: 'collection', wasteCodes: ['900-249-08'], annualCapacityKg: 50_000 }), 400, 'VALIDATION_FAILED');
    const storage = expectProblem(await register(receiver, { kind: 'collection', modes: ['collection', 'storage'], wasteCodes: ['900-214-08'], annualCapacityKg: 50_000 }), 400, 'VALIDATION_FAILED');
    expect(storage.detail).toContain('allows only collection');
    expectProblem(await register(receiver, { kind: 'collection', wasteCodes: ['900-214-08'] }), 400, 'VALIDATION_FAILED');
    expect(await licenceCount()).toBe(before);
  });

  it('a collection pilot approval: a collector, collection and storage, the codes it lists, capacity optional', async () => {
    const ok = await register(collector, { kind: 'collection_pilot', wasteCodes: ['HW08', '900-041-49'] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'collection_pilot', modes: ['collection', 'storage'], annualCapacityKg: null });
    expectProblem(await register(collector, { kind: 'collection_pilot', modes: ['disposal'], wasteCodes: ['HW08'] }), 400, 'VALIDATION_FAILED');
    expectProblem(await register(collector, { kind: 'collection_pilot', wasteCodes: [] }), 400, 'VALIDATION_FAILED');
    const notCollector = expectProblem(await register(receiver, { kind: 'collection_pilot', wasteCodes: ['HW08'] }), 422, 'RULE_VIOLATION');
    expect(notCollector.rule).toBe('holder_role');
  });

  it('a medical-waste collection point: HW01 only, held by a collector (a township health centre that gathers clinics\' bags)', async () => {
    const centre = await createParty(t.app, admin, { roles: ['generator', 'collector'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'township_health_centre' });
    const ok = await register(centre, { kind: 'medical_collection_point', wasteCodes: ['HW01'] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'medical_collection_point', modes: ['collection', 'storage'], wasteCodes: ['HW01'] });
    expect((await register(centre, { kind: 'medical_collection_point', wasteCodes: ['841-001-01'] })).statusCode).toBe(201);
    const oil = expectProblem(await register(centre, { kind: 'medical_collection_point', wasteCodes: ['HW01', 'HW08'] }), 400, 'VALIDATION_FAILED');
    expect(oil.errors).toEqual([expect.objectContaining({ path: 'body.wasteCodes.1' })]);
    const hospital = await createParty(t.app, admin, { roles: ['generator'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'other' });
    expect(expectProblem(await register(hospital, { kind: 'medical_collection_point', wasteCodes: ['HW01'] }), 422, 'RULE_VIOLATION').rule).toBe('holder_role');
  });

  it('a licence is registered at a site of the holder; another organisation\'s site is 422, a transport licence takes none', async () => {
    const site = await receiver.client.post(`/api/v1/orgs/${receiver.org.id}/sites`, { name: '二号厂区', address: '太原市小店区工业路2号', regionCode: '140105' });
    expect(site.statusCode, site.body).toBe(201);
    const at = await register(receiver, { kind: 'comprehensive', siteId: site.json().id, modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 1000 });
    expect(at.statusCode, at.body).toBe(201);
    expect(at.json().siteId).toBe(site.json().id);
    const otherSite = (await admin.get(`/api/v1/orgs/${collector.org.id}/sites`)).json().items[0].id;
    expect(expectProblem(await register(receiver, { kind: 'comprehensive', siteId: otherSite, modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 1000 }), 422, 'RULE_VIOLATION').rule).toBe('site');
    expectProblem(await register(carrierParty, { kind: 'transport', siteId: otherSite }), 400, 'VALIDATION_FAILED');
  });

  it('the old kind still filters a list: every kind but transport', async () => {
    const both = await createParty(t.app, admin, { roles: ['receiver', 'carrier'], regionCode: '140105' });
    await register(both, { kind: 'comprehensive', modes: ['disposal'], wasteCodes: ['HW08'], annualCapacityKg: 1000 });
    await register(both, { kind: 'collection', wasteCodes: ['900-214-08'], annualCapacityKg: 1000 });
    await register(both, { kind: 'transport' });
    const old = (await admin.get(`/api/v1/orgs/${both.org.id}/licences?kind=operating`)).json().items.map((l: { kind: string }) => l.kind).sort();
    expect(old).toEqual(['collection', 'comprehensive']);
    const one = (await admin.get(`/api/v1/orgs/${both.org.id}/licences?kind=collection`)).json().items;
    expect(one).toHaveLength(1);
  });
});

describe('submit checks by kind', () => {
  let carrier: CarrierSite;
  beforeAll(async () => { carrier = await createCarrier(t.app, admin); });

  async function submit(from: Site, to: { org: { id: string } }, labelIds: string[], intendedMethod: string) {
    const res = await from.client.post('/api/v1/manifests', {
      receiverId: to.org.id, carriers: [{ orgId: carrier.org.id }], labelIds, plannedAt: new Date().toISOString(), intendedMethod, emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(res.statusCode, res.body).toBe(201);
    return from.client.post(`/api/v1/manifests/${res.json().id}/actions`, { action: 'submit' });
  }

  it('a collection licence takes waste oil for a downstream utilisation, whatever the method; not other codes', async () => {
    const garage = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105', generatorClass: 'small_source' });
    const oilCollector = await createParty(t.app, admin, { roles: ['receiver'], regionCode: '140105' });
    await addOperatingLicence(admin, oilCollector.org.id, { kind: 'collection', modes: undefined, wasteCodes: ['900-214-08'], annualCapacityKg: 100_000 });
    const oil = await issueLabel(garage.client);
    expect((await submit(garage, oilCollector, [oil.id], 'R9')).statusCode).toBe(200);
    const sludge = await issueLabel(garage.client, { wasteCode: '900-249-08' });
    const refused = expectProblem(await submit(garage, oilCollector, [sludge.id], 'R9'), 422, 'RULE_VIOLATION');
    expect(refused).toMatchObject({ rule: 'licence_coverage' });
  });

  it('a township centre with a medical collection-point approval receives clinics\' bags for incineration (D10)', async () => {
    const clinic = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'village_clinic' });
    const centre = await createParty(t.app, admin, { roles: ['generator', 'collector'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'township_health_centre' });
    await addOperatingLicence(admin, centre.org.id, { kind: 'medical_collection_point', modes: undefined, wasteCodes: ['HW01'], annualCapacityKg: undefined });
    const bag = await issueLabel(clinic.client, {
      wasteCode: '841-001-01', physicalForm: 'solid', mainComponents: '棉签', harmfulComponents: '病原微生物', packaging: { type: 'bag', volumeL: 10 }, quantity: { value: 2, unit: 'kg' },
    });
    const res = await submit(clinic, centre, [bag.id], 'D10');
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('what else reads the kind', () => {
  it('the emergency capacity list names 经营许可证 only, not collection approvals', async () => {
    const pilotHolder = await createParty(t.app, admin, { roles: ['collector'], regionCode: '140105', generatorClass: 'small_source' });
    await addOperatingLicence(admin, pilotHolder.org.id, { kind: 'collection_pilot', modes: undefined, wasteCodes: ['HW08'], annualCapacityKg: 80_000 });
    const recycler = await createParty(t.app, admin, { roles: ['receiver'], regionCode: '140105' });
    await addOperatingLicence(admin, recycler.org.id, { modes: ['utilisation'], wasteCodes: ['HW08'], annualCapacityKg: 70_000 });
    const res = await admin.get('/api/v1/supervision/capacity?wasteCode=900-214-08&regionCode=140105');
    expect(res.statusCode, res.body).toBe(200);
    const holders = res.json().items.map((i: { receiverId: string }) => i.receiverId);
    expect(holders).toContain(recycler.org.id);
    expect(holders).not.toContain(pilotHolder.org.id);
  });

  it('the renewal deadline of 30 working days applies to 经营许可证, the calendar-day policy to approvals and transport', () => {
    expect(licenceAlertOpens('comprehensive', '2026-06-30', 30)).toEqual({ on: '2026-05-18', counted: 'working_days' });
    expect(licenceAlertOpens('collection', '2026-06-30', 30)).toEqual({ on: '2026-05-18', counted: 'working_days' });
    expect(licenceAlertOpens('collection_pilot', '2026-06-30', 30)).toEqual({ on: '2026-05-31', counted: 'days' });
    expect(licenceAlertOpens('medical_collection_point', '2026-06-30', 30)).toEqual({ on: '2026-05-31', counted: 'days' });
    expect(licenceAlertOpens('transport', '2026-06-30', 30)).toEqual({ on: '2026-05-31', counted: 'days' });
  });
});
