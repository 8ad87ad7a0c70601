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
