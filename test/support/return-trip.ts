// A refused container's trip back on a return manifest (docs/regulations.md#return-trips), for tests
// that need it done and do not test it: drafted by the generator, picked up at the refusing
// receiver, delivered and received back by the generator.
import { expect } from 'vitest';
import type { Client } from './factories.js';
import { DRIVER, manifestAction } from './world.js';

export interface ReturnTrip {
  generator: { client: Client; org: { id: string } };
  carrier: { client: Client; org: { id: string }; plate: string };
  originalManifestId: string;
  labelIds: string[];
  /** When the steps happened (ISO), for histories set in the past; now when absent. */
  at?: string;
}

/** Runs the whole return trip to the generator and returns the completed return manifest. */
export async function returnToGenerator({ generator, carrier, originalManifestId, labelIds, at }: ReturnTrip) {
  const res = await generator.client.post('/api/v1/manifests', {
    originalManifestId, receiverId: generator.org.id, carriers: [{ orgId: carrier.org.id }], labelIds,
    plannedAt: at ?? new Date().toISOString(), emergencyMeasures: '泄漏时用吸附棉围堵，报告生态环境部门',
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const when = at ? { occurredAt: at } : {};
  await manifestAction(generator.client, id, { action: 'submit', ...when });
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds, vehiclePlate: carrier.plate, driver: DRIVER, ...when });
  await manifestAction(carrier.client, id, { action: 'deliver', ...when });
  return manifestAction(generator.client, id, {
    action: 'receive', ...when,
    items: labelIds.map((labelId) => ({ labelId, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } })),
  });
}
