// Ready-made parties with facilities and licences, and label helpers, for the custody tests.
import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { Pool } from 'pg';
import type { App } from '../../src/context.js';
import { createParty, type Client, type Party, type OrgSpec } from './factories.js';
import { yearsFromNow } from './dates.js';

/**
 * The validity of the licences these helpers register unless told otherwise: from ten years back
 * (before any past date a test reports a step at: the occurredAt window is at most 3650 days) to
 * two years ahead (nothing planned in a test expires, nor warns of expiring within 30 days).
 */
export const licenceValidity = () => ({ validFrom: yearsFromNow(-10), validTo: yearsFromNow(2) });

export interface Site extends Party {
  storageId: string;
  treatmentId?: string;
}

export async function addFacility(client: Client, orgId: string, body: Record<string, unknown>): Promise<string> {
  const res = await client.post(`/api/v1/orgs/${orgId}/facilities`, { code: `F${randomInt(1e9)}`, name: 'facility', ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

/** A party with a storage facility and, when methods are given, a treatment facility running them. */
export async function createSite(app: App, registrar: Client, spec: OrgSpec, methods?: string[]): Promise<Site> {
  const p = await createParty(app, registrar, spec);
  const storageId = await addFacility(p.client, p.org.id, { kind: 'storage', storageType: 'warehouse', capacityKg: 100000 });
  const treatmentId = methods ? await addFacility(p.client, p.org.id, { kind: 'treatment', methods }) : undefined;
  return { ...p, storageId, treatmentId };
}

export async function addOperatingLicence(registrar: Client, orgId: string, body: Record<string, unknown> = {}) {
  const res = await registrar.post(`/api/v1/orgs/${orgId}/licences`, {
    kind: 'comprehensive', number: `OP-${randomInt(1e9)}`, modes: ['collection', 'storage', 'utilisation', 'disposal'],
    wasteCodes: ['HW08', 'HW49', 'HW01'], annualCapacityKg: 1_000_000, ...licenceValidity(), ...body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export const LABEL_BODY = {
  wasteCode: '900-214-08',
  physicalForm: 'liquid',
  mainComponents: '废矿物油',
  harmfulComponents: '多环芳烃',
  precautions: '远离火源',
  quantity: { value: 180, unit: 'kg' },
  packaging: { type: 'drum', volumeL: 200 },
};

export async function issueLabel(client: Client, overrides: Record<string, unknown> = {}) {
  const res = await client.post('/api/v1/labels', { ...LABEL_BODY, ...overrides });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** How far back the API lets a label's generation date go (src/labels/issue.ts: a year of existing stock). */
const API_BACKDATE_MS = 365 * 86_400_000;

/**
 * A label generated at `at` (an instant). Through the API when that lies within the year the API
 * lets a label be backdated; further back, issued now and its history written straight into the
 * record, as tests do with a manifest's created_at. Tests whose dates come from the years of the
 * working-day calendar data need the second way once the suite runs more than a year past them.
 */
export async function issueLabelAsOf(pool: Pool, client: Client, at: string, overrides: Record<string, unknown> = {}) {
  if (Date.now() - Date.parse(at) <= API_BACKDATE_MS) return issueLabel(client, { ...overrides, generatedAt: at });
  const l = await issueLabel(client, overrides);
  await pool.query(`UPDATE labels SET generated_at = $2, held_since = $2, last_step_at = $2,
    generated_on = ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date WHERE id = $1`, [l.id, at]);
  return { ...l, generatedAt: new Date(at).toISOString() };
}

export async function act(client: Client, labelId: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  return client.post(`/api/v1/labels/${labelId}/actions`, body, headers);
}

export interface CarrierSite extends Party { plate: string; licenceId: string }

/** A carrier with a transport licence and one registered vehicle. */
export async function createCarrier(app: App, registrar: Client, plate = `晋A${randomInt(10000, 99999)}`, spec: Partial<OrgSpec> = {}): Promise<CarrierSite> {
  const p = await createParty(app, registrar, { roles: ['carrier'], ...spec });
  const lic = await registrar.post(`/api/v1/orgs/${p.org.id}/licences`, {
    kind: 'transport', number: `TR-${randomInt(1e9)}`, modes: [], wasteCodes: [], ...licenceValidity(),
  });
  expect(lic.statusCode, lic.body).toBe(201);
  const v = await p.client.post(`/api/v1/orgs/${p.org.id}/vehicles`, { plate, licenceId: lic.json().id });
  expect(v.statusCode, v.body).toBe(201);
  return { ...p, plate, licenceId: lic.json().id };
}

/**
 * Emergency measures for a manifest (转移管理办法 Art. 10): submit refuses a manifest without them
 * (rule emergency_measures), so every manifest a test creates states some.
 */
/**
 * The parties of most transfer tests, created in this order: a generator in 140105, a carrier, and a
 * receiver in 140121 with D10 and an operating licence (`licence`: its fields beyond the defaults).
 */
export async function transferParties(app: App, registrar: Client, licence: Record<string, unknown> = {}) {
  const generator = await createSite(app, registrar, { roles: ['generator'], regionCode: '140105' });
  const carrier = await createCarrier(app, registrar);
  const receiver = await createSite(app, registrar, { roles: ['receiver'], regionCode: '140121' }, ['D10']);
  const licenceId = (await addOperatingLicence(registrar, receiver.org.id, licence)).id as string;
  return { generator, carrier, receiver, licenceId };
}

export const EMERGENCY_MEASURES = '泄漏时用吸附棉围堵，报告生态环境部门';

export const DRIVER = { name: '王师傅', qualificationNo: 'DG-140100-0001' };

/** Runs a manifest action and asserts the expected status. */
export async function manifestAction(client: Client, id: string, body: Record<string, unknown>, status = 200, headers?: Record<string, string>) {
  const res = await client.post(`/api/v1/manifests/${id}/actions`, body, headers);
  expect(res.statusCode, `${String(body.action)}: ${res.body}`).toBe(status);
  return res.json();
}

export interface Transfer {
  from: Party;
  to: Party;
  carrier: CarrierSite;
  labelIds: string[];
  /** The weight measured at receipt for every container (default 10 kg). */
  measured?: { value: number; unit: 'kg' | 't' };
  /** The receipt's items, when not every container is accepted at `measured`. */
  items?: Array<Record<string, unknown>>;
  intendedMethod?: string;
}

/** A manifest carried by one carrier: drafted, submitted, picked up, delivered and received. */
export async function transfer(o: Transfer): Promise<{ id: string; number: string }> {
  const res = await o.from.client.post('/api/v1/manifests', {
    receiverId: o.to.org.id, carriers: [{ orgId: o.carrier.org.id }], labelIds: o.labelIds, plannedAt: new Date().toISOString(),
    intendedMethod: o.intendedMethod ?? 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const { number } = await manifestAction(o.from.client, id, { action: 'submit' });
  await manifestAction(o.carrier.client, id, { action: 'pickup', labelIds: o.labelIds, vehiclePlate: o.carrier.plate, driver: DRIVER });
  await manifestAction(o.carrier.client, id, { action: 'deliver' });
  const measuredQuantity = o.measured ?? { value: 10, unit: 'kg' };
  await manifestAction(o.to.client, id, { action: 'receive', items: o.items ?? o.labelIds.map((labelId) => ({ labelId, accepted: true, measuredQuantity })) });
  return { id, number };
}

/** A medical-waste bag as a village clinic issues it. */
export const MEDICAL_BAG = { wasteCode: '841-001-01', physicalForm: 'solid', mainComponents: '棉签、纱布', harmfulComponents: '病原微生物', packaging: { type: 'bag', volumeL: 10 }, quantity: { value: 2.5, unit: 'kg' } };

/** The plan's medical chain: village clinic → township centre → county hospital (collection points) → incinerator. */
export async function medicalChain(app: App, registrar: Client) {
  const clinic = await createSite(app, registrar, { roles: ['generator'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'village_clinic' });
  const township = await createSite(app, registrar, { roles: ['generator', 'collector'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'township_health_centre' });
  const county = await createSite(app, registrar, { roles: ['generator', 'collector'], regionCode: '140121', generatorClass: 'medical', medicalTier: 'county_hospital' });
  const incinerator = await createSite(app, registrar, { roles: ['receiver'], regionCode: '140108' }, ['D10']);
  await addOperatingLicence(registrar, township.org.id, { kind: 'medical_collection_point', modes: ['collection', 'storage'], wasteCodes: ['HW01'], annualCapacityKg: 50_000 });
  await addOperatingLicence(registrar, county.org.id, { kind: 'medical_collection_point', modes: ['collection', 'storage'], wasteCodes: ['HW01'], annualCapacityKg: 500_000 });
  await addOperatingLicence(registrar, incinerator.org.id, { modes: ['disposal'], wasteCodes: ['HW01'], annualCapacityKg: 5_000_000 });
  return { clinic, township, county, incinerator };
}
