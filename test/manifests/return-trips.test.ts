// Return trips and the Art. 18 discrepancy report (docs/regulations.md#return-trips,
// docs/regulations.md#weight-tolerance): a refused drum goes back only on a return manifest linked to
// the original, with its own pickup and receipt; its trace shows the trip; any mismatch the receiver
// reports reaches the receiving region's regulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { act, addOperatingLicence, createSite, DRIVER, issueLabel, manifestAction, transferParties, type CarrierSite, type Site } from '../support/world.js';

const EMERGENCY = '泄漏时用吸附棉围堵，报告生态环境部门';

let t: TestApp;
let city: Client;
let generator: Site;
let carrier: CarrierSite;
let receiver: Site;
let other: Site;
let receiverRegulator: Party;

beforeAll(async () => {
  t = await buildTestApp();
  city = await loginAdmin(t.app);
  ({ generator, carrier, receiver } = await transferParties(t.app, city, { wasteCodes: ['HW08'] }));
  other = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140110' }, ['D10']);
  await addOperatingLicence(city, other.org.id, { wasteCodes: ['HW08'] });
  receiverRegulator = await createRegulator(t.app, city, '140121');
});
afterAll(() => t.close());

async function post(client: Client, body: Record<string, unknown>) {
  return client.post('/api/v1/manifests', { plannedAt: new Date().toISOString(), emergencyMeasures: EMERGENCY, intendedMethod: 'D10', ...body });
}

/** Ships the labels to the receiver and records the receipt the items say. */
async function shipAndReceive(labelIds: string[], items: Array<Record<string, unknown>>) {
  const res = await post(generator.client, { receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  await manifestAction(generator.client, id, { action: 'submit' });
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds, vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, id, { action: 'deliver' });
  const received = await manifestAction(receiver.client, id, { action: 'receive', items });
  return { id, received };
}

const alertsOf = async (client: Client, type: string) =>
  (await client.get(`/api/v1/supervision/alerts?type=${type}`)).json().items as Array<{ entityId: string; details: Record<string, unknown> }>;

describe('a refused drum goes back on a return manifest', () => {
  it('to the generator: linked to the original, its own pickup and receipt scans, shown in the label trace', async () => {
    const [kept, drum] = [await issueLabel(generator.client), await issueLabel(generator.client)];
    const { id: originalId, received } = await shipAndReceive([kept.id, drum.id], [
      { labelId: kept.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } },
      { labelId: drum.id, accepted: false, measuredQuantity: { value: 176, unit: 'kg' }, refusalReason: '包装破损，渗漏',
        mismatches: ['packaging'], mismatchNote: '桶体锈蚀渗漏，与联单所填“完好铁桶”不符' },
    ]);
    expect(received).toMatchObject({ state: 'received', discrepant: true });

    // The old direct step is gone: the drum does not move without a manifest.
    const direct = await act(generator.client, drum.id, { action: 'return', facilityId: generator.storageId });
    expect(direct.statusCode).toBe(400);
    expect((await generator.client.get(`/api/v1/labels/${drum.id}`)).json()).toMatchObject({ state: 'rejected', openManifestId: null });
    // Nor on an ordinary manifest: it is not in the generator's storage.
    const ordinary = await post(generator.client, { receiverId: other.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [drum.id] });
    expect(ordinary.json().rule).toBe('labels_unavailable');

    // Bad return drafts change nothing: an accepted container, the refusing receiver as destination, someone else's original.
    const base = { originalManifestId: originalId, receiverId: generator.org.id, carriers: [{ orgId: carrier.org.id }] };
    expect((await post(generator.client, { ...base, labelIds: [kept.id] })).json().rule).toBe('labels_unavailable');
    expect((await post(generator.client, { ...base, receiverId: receiver.org.id, labelIds: [drum.id] })).json().rule).toBe('return_receiver');
    const stranger = await createSite(t.app, city, { roles: ['generator'] });
    const foreign = await post(stranger.client, { ...base, receiverId: stranger.org.id, labelIds: [drum.id] });
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().rule).toBe('return_original');
    expect((await generator.client.get(`/api/v1/labels/${drum.id}`)).json().openManifestId).toBeNull();

    // The generator drafts the return; it holds no operating licence, and needs none to take its waste back.
    const draft = await post(generator.client, { ...base, labelIds: [drum.id] });
    expect(draft.statusCode, draft.body).toBe(201);
    const ret = draft.json();
    expect(ret).toMatchObject({ kind: 'return', originalManifestId: originalId, returnFromId: receiver.org.id, receiverId: generator.org.id });
    expect(ret.labels).toEqual([expect.objectContaining({ labelId: drum.id, declaredKg: 176 })]); // as the refusing receiver weighed it
    const submitted = await manifestAction(generator.client, ret.id, { action: 'submit' });
    expect(submitted.number).toMatch(/^\d{14}$/);
    // The refusing receiver, which holds the drum, sees the return manifest.
    expect((await receiver.client.get(`/api/v1/manifests/${ret.id}`)).statusCode).toBe(200);

    // The refusal stands on the alerts until the drum is picked up at the receiver, with a scan of its QR.
    expect((await alertsOf(receiverRegulator.client, 'refusal')).some((a) => a.entityId === originalId)).toBe(true);
    await manifestAction(carrier.client, ret.id, { action: 'pickup', qr: [drum.qrContent], vehiclePlate: carrier.plate, driver: DRIVER });
    expect((await generator.client.get(`/api/v1/labels/${drum.id}`)).json().state).toBe('in_transit');
    expect((await alertsOf(receiverRegulator.client, 'refusal')).some((a) => a.entityId === originalId)).toBe(false);
    await manifestAction(carrier.client, ret.id, { action: 'deliver' });
    const back = await manifestAction(generator.client, ret.id, {
      action: 'receive', items: [{ labelId: drum.id, accepted: true, measuredQuantity: { value: 176, unit: 'kg' } }],
    });
    expect(back).toMatchObject({ state: 'completed', discrepant: false });
    const label = (await generator.client.get(`/api/v1/labels/${drum.id}`)).json();
    expect(label).toMatchObject({ state: 'received', holderId: generator.org.id, openManifestId: null });
    // Back in its own storage it is the generator's again, to store, treat or ship anew.
    expect((await act(generator.client, drum.id, { action: 'store', facilityId: generator.storageId })).json().state).toBe('stored');

    // The trace: out on the original, refused, back on the return manifest with its own steps.
    const trace = (await generator.client.get(`/api/v1/labels/${drum.id}/trace`)).json();
    expect(trace.steps.map((s: { action: string }) => s.action)).toEqual(['issue', 'dispatch', 'refuse', 'return', 'accept', 'store']);
    expect(trace.steps.find((s: { action: string }) => s.action === 'return').manifestId).toBe(ret.id);
    const trip = trace.manifests.find((m: { id: string }) => m.id === ret.id);
    expect(trip).toMatchObject({ kind: 'return', originalManifestId: originalId, state: 'completed', number: submitted.number });
    expect(trip.steps.map((s: { action: string }) => s.action)).toEqual(['submit', 'pickup', 'deliver', 'receive']);
    expect(trace.manifests.find((m: { id: string }) => m.id === originalId)).toMatchObject({ kind: 'transfer', originalManifestId: null });

    // The generator's ledger takes it in again from the receiver that refused it.
    const ledger = (await generator.client.get(`/api/v1/orgs/${generator.org.id}/ledger`)).json().items
      .filter((r: { labelId: string }) => r.labelId === drum.id);
    expect(ledger.map((r: { kind: string }) => r.kind)).toEqual(['HWCS', 'HWCK', 'HWWWCZ', 'HWRK']);
    expect(ledger.at(-1)).toMatchObject({ manifestNumber: submitted.number });
  });

  it('on to another licensed receiver the generator names: the usual licence checks apply', async () => {
    const drum = await issueLabel(generator.client);
    const { id: originalId } = await shipAndReceive([drum.id], [
      { labelId: drum.id, accepted: false, measuredQuantity: { value: 180, unit: 'kg' }, refusalReason: '超出本单位处置能力' },
    ]);
    const unlicensed = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140110' }, ['D10']);
    const base = { originalManifestId: originalId, carriers: [{ orgId: carrier.org.id }], labelIds: [drum.id] };
    const refused = await post(generator.client, { ...base, receiverId: unlicensed.org.id });
    expect(refused.statusCode, refused.body).toBe(201);
    const noLicence = await generator.client.post(`/api/v1/manifests/${refused.json().id}/actions`, { action: 'submit' });
    expect(noLicence.json().rule).toBe('licence_coverage');
    expect((await generator.client.get(`/api/v1/manifests/${refused.json().id}`)).json().state).toBe('draft');
    await manifestAction(generator.client, refused.json().id, { action: 'cancel', reason: '改送其他单位' });

    const ret = (await post(generator.client, { ...base, receiverId: other.org.id })).json();
    await manifestAction(generator.client, ret.id, { action: 'submit' });
    await manifestAction(carrier.client, ret.id, { action: 'pickup', labelIds: [drum.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, ret.id, { action: 'deliver' });
    const got = await manifestAction(other.client, ret.id, {
      action: 'receive', items: [{ labelId: drum.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }],
    });
    expect(got).toMatchObject({ state: 'received', kind: 'return' });
    expect((await other.client.get(`/api/v1/labels/${drum.id}`)).json()).toMatchObject({ state: 'received', holderId: other.org.id });
    await act(other.client, drum.id, { action: 'treat', method: 'D10', facilityId: other.treatmentId });
    expect((await other.client.get(`/api/v1/manifests/${ret.id}`)).json().state).toBe('completed');
  });
});

describe('the discrepancy report (Art. 18): any mismatch, not only weight', () => {
  it('a mismatch of name and form on an accepted drum of the right weight makes the manifest discrepant and reaches the receiving region', async () => {
    const drum = await issueLabel(generator.client);
    const items = [{ labelId: drum.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' }, mismatches: ['name', 'form'] }];
    // Without a note saying what was found: refused, nothing changes.
    const res = await post(generator.client, { receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [drum.id] });
    const id = res.json().id as string;
    await manifestAction(generator.client, id, { action: 'submit' });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [drum.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, id, { action: 'deliver' });
    const noNote = await receiver.client.post(`/api/v1/manifests/${id}/actions`, { action: 'receive', items });
    expect(noNote.statusCode).toBe(400);
    const unknownKind = await receiver.client.post(`/api/v1/manifests/${id}/actions`, {
      action: 'receive', items: [{ ...items[0], mismatches: ['colour'], mismatchNote: 'x' }],
    });
    expect(unknownKind.statusCode).toBe(400);
    expect((await receiver.client.get(`/api/v1/manifests/${id}`)).json().state).toBe('delivered');

    const note = '实为废乳化液（900-007-09），呈半固态';
    const received = await manifestAction(receiver.client, id, { action: 'receive', items: [{ ...items[0], mismatchNote: note }] });
    expect(received).toMatchObject({ state: 'received', discrepant: true });
    expect(received.labels[0]).toMatchObject({ mismatches: ['name', 'form'], mismatchNote: note });
    const alert = (await alertsOf(receiverRegulator.client, 'weight_discrepancy')).find((a) => a.entityId === id);
    expect(alert?.details.containers).toEqual([expect.objectContaining({ labelId: drum.id, mismatches: ['name', 'form'], mismatchNote: note })]);
    // The generator's region is not the receiving one: its regulator is not the one told.
    const genRegulator = await createRegulator(t.app, city, '140105');
    expect((await alertsOf(genRegulator.client, 'weight_discrepancy')).some((a) => a.entityId === id)).toBe(false);
  });
});
