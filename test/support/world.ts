// Ready-made parties with facilities and licences, and label helpers, for the custody tests.
import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { App } from '../../src/context.js';
import { createParty, type Client, type Party, type OrgSpec } from './factories.js';

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
    kind: 'operating', number: `OP-${randomInt(1e9)}`, modes: ['collection', 'storage', 'utilisation', 'disposal'],
    wasteCodes: ['HW08', 'HW49', 'HW01'], annualCapacityKg: 1_000_000, validFrom: '2025-01-01', validTo: '2027-12-31', ...body,
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

export async function act(client: Client, labelId: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  return client.post(`/api/v1/labels/${labelId}/actions`, body, headers);
}

export interface CarrierSite extends Party { plate: string; licenceId: string }

/** A carrier with a transport licence and one registered vehicle. */
export async function createCarrier(app: App, registrar: Client, plate = `晋A${randomInt(10000, 99999)}`, spec: Partial<OrgSpec> = {}): Promise<CarrierSite> {
  const p = await createParty(app, registrar, { roles: ['carrier'], ...spec });
  const lic = await registrar.post(`/api/v1/orgs/${p.org.id}/licences`, {
    kind: 'transport', number: `TR-${randomInt(1e9)}`, modes: [], wasteCodes: [], validFrom: '2025-01-01', validTo: '2027-12-31',
  });
  expect(lic.statusCode, lic.body).toBe(201);
  const v = await p.client.post(`/api/v1/orgs/${p.org.id}/vehicles`, { plate, licenceId: lic.json().id });
  expect(v.statusCode, v.body).toBe(201);
  return { ...p, plate, licenceId: lic.json().id };
}

export const DRIVER = { name: '王师傅', qualificationNo: 'DG-140100-0001' };

/** Runs a manifest action and asserts the expected status. */
export async function manifestAction(client: Client, id: string, body: Record<string, unknown>, status = 200, headers?: Record<string, string>) {
  const res = await client.post(`/api/v1/manifests/${id}/actions`, body, headers);
  expect(res.statusCode, `${String(body.action)}: ${res.body}`).toBe(status);
  return res.json();
}
