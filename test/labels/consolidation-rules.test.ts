// What consolidation may not be used for: laundering others' waste into "own" treatment, hiding
// containers in a voided box, or slipping them onto a manifest inside a parent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import {
  act, addFacility, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let collector: Site;
let carrier: CarrierSite;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'] });
  // A collection point: licensed to collect and store HW08, not to dispose of it.
  collector = await createSite(t.app, admin, { roles: ['generator', 'collector'], generatorClass: 'small_source' });
  await addOperatingLicence(admin, collector.org.id, { modes: ['collection', 'storage'], wasteCodes: ['HW08'] });
  carrier = await createCarrier(t.app, admin);
});
afterAll(() => t.close());

/** A drum of the generator's, received by the collector. */
async function receivedDrum() {
  const l = await issueLabel(generator.client);
  const m = (await generator.client.post('/api/v1/manifests', {
    receiverId: collector.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l.id], plannedAt: new Date().toISOString(), emergencyMeasures: EMERGENCY_MEASURES,
  })).json();
  await manifestAction(generator.client, m.id, { action: 'submit' });
  await manifestAction(carrier.client, m.id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, m.id, { action: 'deliver' });
  await manifestAction(collector.client, m.id, { action: 'receive', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
  return l;
}

it('a box holding other units\' waste needs a licence to treat, even in the holder\'s own facility', async () => {
  const drum = await receivedDrum();
  const box = await issueLabel(collector.client);
  expect((await act(collector.client, drum.id, { action: 'consolidate', parentLabelId: box.id })).statusCode).toBe(200);
  const kiln = await addFacility(collector.client, collector.org.id, { kind: 'treatment', methods: ['D10'] });
  const res = await act(collector.client, box.id, { action: 'treat', method: 'D10', facilityId: kiln });
  expect(res.statusCode).toBe(422);
  expect(res.json().rule).toBe('treatment_licence');
  // Its own waste alone it may treat in its own facility.
  const own = await issueLabel(collector.client);
  expect((await act(collector.client, own.id, { action: 'treat', method: 'D10', facilityId: kiln })).statusCode).toBe(200);
});

it('a box with containers in it cannot be voided', async () => {
  const bag = await issueLabel(generator.client);
  const box = await issueLabel(generator.client);
  await act(generator.client, bag.id, { action: 'consolidate', parentLabelId: box.id });
  const res = await act(generator.client, box.id, { action: 'void', reason: '打错' });
  expect(res.statusCode).toBe(422);
  expect(res.json().rule).toBe('void_with_contents');
});

it('nothing is consolidated into a parent on an open manifest', async () => {
  const parent = await issueLabel(generator.client);
  const child = await issueLabel(generator.client);
  const m = await generator.client.post('/api/v1/manifests', {
    receiverId: collector.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [parent.id], plannedAt: new Date().toISOString(), emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(m.statusCode).toBe(201);
  const res = await act(generator.client, child.id, { action: 'consolidate', parentLabelId: parent.id });
  expect(res.statusCode).toBe(422);
  expect(res.json()).toMatchObject({ rule: 'consolidation_parent' });
});

it('X into Y and Y into X at the same moment: one wins, the other is refused, no deadlock', async () => {
  const x = await issueLabel(generator.client);
  const y = await issueLabel(generator.client);
  const [a, b] = await Promise.all([
    act(generator.client, x.id, { action: 'consolidate', parentLabelId: y.id }),
    act(generator.client, y.id, { action: 'consolidate', parentLabelId: x.id }),
  ]);
  expect([a.statusCode, b.statusCode].sort()).toEqual([200, 422]);
});
