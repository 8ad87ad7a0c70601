// Putting a container on a draft manifest and taking it off are changes of the label: its version
// and ETag move (a handset holding the old ETag is told), but they are not custody steps, so the
// step numbering stays 1, 2, 3… with no gaps.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin } from '../support/factories.js';
import { act, addOperatingLicence, createCarrier, createSite, issueLabel, type CarrierSite, type Site, EMERGENCY_MEASURES } from '../support/world.js';

let t: TestApp;
let generator: Site;
let receiver: Site;
let carrier: CarrierSite;

beforeAll(async () => {
  t = await buildTestApp();
  const admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'] });
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id);
  carrier = await createCarrier(t.app, admin);
});
afterAll(() => t.close());

it('attach and release change the label\'s ETag; steps keep consecutive numbers', async () => {
  const label = await issueLabel(generator.client);
  const issuedTag = (await generator.client.get(`/api/v1/labels/${label.id}`)).headers.etag;

  const draft = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id],
    plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(draft.statusCode, draft.body).toBe(201);
  const attached = await generator.client.get(`/api/v1/labels/${label.id}`);
  expect(attached.json().openManifestId).toBe(draft.json().id);
  expect(attached.headers.etag).not.toBe(issuedTag);

  // A step sent with the ETag read before the attach is refused: the label changed since.
  const stale = await act(generator.client, label.id, { action: 'store', facilityId: generator.storageId }, { 'if-match': issuedTag as string });
  expect(stale.statusCode).toBe(412);

  const cancelled = await generator.client.post(`/api/v1/manifests/${draft.json().id}/actions`, { action: 'cancel', reason: '计划变更' });
  expect(cancelled.statusCode, cancelled.body).toBe(200);
  const released = await generator.client.get(`/api/v1/labels/${label.id}`);
  expect(released.json().openManifestId).toBeNull();
  expect(released.headers.etag).not.toBe(attached.headers.etag);
  expect(released.json().version).toBe(attached.json().version + 1);

  // With the current ETag the next step goes through, and the steps are numbered 1, 2, 3.
  const again = await act(generator.client, label.id, { action: 'store', facilityId: generator.storageId }, { 'if-match': released.headers.etag as string });
  expect(again.statusCode, again.body).toBe(200);
  const trace = await generator.client.get(`/api/v1/labels/${label.id}/trace`);
  expect(trace.json().steps.map((s: { seq: number; action: string }) => [s.seq, s.action])).toEqual([[1, 'issue'], [2, 'store']]);
});
