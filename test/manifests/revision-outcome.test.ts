// The receipt outcome (accepted or refused, per container) corrected by a revision request
// (docs/regulations.md#manifest-corrections): custody moves through the lifecycle tables' `revise`
// rows, the ledger gets correcting records, the refusal alert follows; refused while the container
// is no longer where the receipt left it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { act, DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction, transferParties, type CarrierSite, type Site } from '../support/world.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrier: CarrierSite;
let receiver: Site;
let regulator: Party;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  ({ generator, carrier, receiver } = await transferParties(t.app, admin, { wasteCodes: ['HW08', 'HW49'] }));
  regulator = await createRegulator(t.app, admin, '140100');
});
afterAll(() => t.close());

interface Item { labelId: string; accepted: boolean | null; refusalReason: string | null; measuredKg: number | null }
interface Manifest { id: string; number: string; version: number; state: string; discrepant: boolean; completedAt: string | null; labels: Item[]; totals: { acceptedKg: number } }
interface LedgerItem { batchCode: string; kind: string; labelId: string; quantityKg: number; correction: { kind: string; correctsBatchCode: string | null; revisionId: string } | null }

const REFUSAL = '包装破损，渗漏';

/** A manifest of 180 kg drums, delivered and received with these outcomes (true: accepted). */
async function received(outcomes: boolean[]): Promise<{ m: Manifest; ids: string[] }> {
  const ids: string[] = [];
  for (const _ of outcomes) ids.push((await issueLabel(generator.client)).id as string);
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: ids,
    plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const qr = await Promise.all(ids.map(async (l) => (await generator.client.get(`/api/v1/labels/${l}`)).json().qrContent));
  await manifestAction(generator.client, id, { action: 'submit' });
  await manifestAction(carrier.client, id, { action: 'pickup', qr, vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, id, { action: 'deliver' });
  await manifestAction(receiver.client, id, {
    action: 'receive',
    items: ids.map((labelId, i) => ({
      labelId, accepted: outcomes[i], measuredQuantity: { value: 180, unit: 'kg' }, ...(outcomes[i] ? {} : { refusalReason: REFUSAL }),
    })),
  });
  return { m: await getManifest(id), ids };
}

/** The storage clock (held_since, not in the API) against the label's generation and the manifest's receipt. */
async function clock(labelId: string, manifestId: string) {
  const { rows: [r] } = await t.database.pool.query(`SELECT l.held_since = l.generated_at AS since_generation, l.held_since = m.received_at AS since_receipt
    FROM labels l, manifests m WHERE l.id = $1 AND m.id = $2`, [labelId, manifestId]);
  return r as { since_generation: boolean; since_receipt: boolean };
}

const getManifest = async (id: string): Promise<Manifest> => (await generator.client.get(`/api/v1/manifests/${id}`)).json();
const item = (m: Manifest, labelId: string) => m.labels.find((l) => l.labelId === labelId)!;
const getLabel = async (id: string) => (await generator.client.get(`/api/v1/labels/${id}`)).json();
const treat = (labelId: string) => act(receiver.client, labelId, { action: 'treat', method: 'D10', facilityId: receiver.treatmentId });

async function propose(client: Client, id: string, changes: unknown, status = 201) {
  const res = await client.post(`/api/v1/manifests/${id}/revisions`, { reason: '接收结论有误，各方核实后更正', changes });
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

async function approve(client: Client, id: string, rid: string, status = 200) {
  const res = await client.post(`/api/v1/manifests/${id}/revisions/${rid}/approve`, { comment: '同意' });
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

const ledgerOf = async (site: Party, labelId: string): Promise<LedgerItem[]> =>
  (await site.client.get(`/api/v1/orgs/${site.org.id}/ledger`)).json().items.filter((r: LedgerItem) => r.labelId === labelId);
const sumOf = (rows: LedgerItem[], kind: string) => rows.filter((r) => r.kind === kind).reduce((s, r) => s + r.quantityKg, 0);

const refusalAlert = async (id: string) => ((await regulator.client.get('/api/v1/supervision/alerts?type=refusal')).json().items as
  Array<{ entityId: string; details: { refused: Array<{ labelId: string; reason: string }> } }>).find((a) => a.entityId === id);

const auditActions = async (entityType: string, entityId: string) => (await admin.get(`/api/v1/audit?entityType=${entityType}&entityId=${entityId}`)).json().items
  .map((e: { action: string; outcome: string }) => `${e.action}${e.outcome === 'refused' ? ' (refused)' : ''}`);

describe('accepted → refused, with every approval', () => {
  it('gives the containers back to the generator\'s custody, rejects the manifest, reverses the receiver\'s 入库 and raises the refusal alert', async () => {
    const { m, ids } = await received([true, true]);
    expect(m).toMatchObject({ state: 'received', discrepant: false, totals: { acceptedKg: 360 } });
    expect(await refusalAlert(m.id)).toBeUndefined();
    const receipts = await Promise.all(ids.map(async (l) => (await ledgerOf(receiver, l)).find((x) => x.kind === 'HWRK')!));

    const r = await propose(receiver.client, m.id, { containers: ids.map((labelId) => ({ labelId, accepted: false, refusalReason: '复检发现渗漏' })) });
    expect(r.before.containers).toEqual(ids.map((labelId) => expect.objectContaining({ labelId, accepted: true })));
    await approve(generator.client, m.id, r.id);
    expect(await getManifest(m.id)).toMatchObject({ state: 'received', version: m.version }); // the carrier is still awaited
    expect(await approve(carrier.client, m.id, r.id)).toMatchObject({ state: 'approved', appliedVersion: m.version + 1 });

    // The manifest: every container refused, so rejected; its discrepancy (a refusal) open; nothing taken in.
    const after = await getManifest(m.id);
    expect(after).toMatchObject({ state: 'rejected', version: m.version + 1, discrepant: true, totals: { acceptedKg: 0 } });
    for (const l of ids) expect(item(after, l)).toMatchObject({ accepted: false, refusalReason: '复检发现渗漏', measuredKg: 180 });

    // Each label: back to rejected, in the generator's custody as a refusal at receipt leaves it, through a `revise` step.
    for (const l of ids) {
      expect(await getLabel(l)).toMatchObject({ state: 'rejected', holderId: generator.org.id });
      // The generator's storage clock runs from generation again, as for a container refused at receipt.
      expect(await clock(l, m.id)).toMatchObject({ since_generation: true });
      const trace = (await generator.client.get(`/api/v1/labels/${l}/trace`)).json();
      expect(trace.steps.at(-1)).toMatchObject({ action: 'revise', fromState: 'received', toState: 'rejected' });
    }

    // The old outcome stays readable: in the request and in the manifest's history.
    const history = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json().steps.at(-1);
    expect(history).toMatchObject({ action: 'revise', fromState: 'received', toState: 'rejected' });
    expect(history.details.before.containers).toEqual(r.before.containers);
    const [listed] = (await regulator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items;
    expect(listed).toMatchObject({ state: 'approved', before: r.before, changes: r.changes });

    // The receiver's 入库 is reversed (no replacement): it no longer counts as taken in.
    for (const [i, l] of ids.entries()) {
      const ledger = await ledgerOf(receiver, l);
      expect(ledger.filter((x) => x.correction).map((x) => [x.kind, x.correction!.kind, x.quantityKg, x.correction!.correctsBatchCode]))
        .toEqual([['HWRK', 'reversal', -180, receipts[i].batchCode]]);
      expect(sumOf(ledger, 'HWRK')).toBe(0);
    }
    // The generator's outbound records stand: the waste did leave it.
    expect(sumOf(await ledgerOf(generator, ids[0]), 'HWCK')).toBe(180);

    // The refusal alert names the refused containers, and they can go back on a return manifest.
    expect((await refusalAlert(m.id))!.details.refused.map((x) => x.labelId).sort()).toEqual([...ids].sort());
    const ret = await generator.client.post('/api/v1/manifests', {
      originalManifestId: m.id, receiverId: generator.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: ids,
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(ret.statusCode, ret.body).toBe(201);

    expect((await auditActions('manifest', m.id)).at(-1)).toBe('revise');
    expect(await auditActions('label', ids[0])).toContain('revise');
  });
});

describe('accepted → refused, the other containers treated', () => {
  it('completes the manifest: every container still accepted is treated', async () => {
    const { m, ids: [treated, l] } = await received([true, true]);
    await treat(treated);
    expect((await getManifest(m.id)).state).toBe('received');
    const r = await propose(receiver.client, m.id, { containers: [{ labelId: l, accepted: false, refusalReason: '复检发现渗漏' }] });
    await approve(generator.client, m.id, r.id);
    expect(await approve(carrier.client, m.id, r.id)).toMatchObject({ state: 'approved', appliedVersion: m.version + 1 });
    const after = await getManifest(m.id);
    expect(after).toMatchObject({ state: 'completed', version: m.version + 2, totals: { acceptedKg: 180 } });
    const steps = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json().steps.slice(-2);
    expect(steps.map((x: { action: string; fromState: string; toState: string }) => [x.action, x.fromState, x.toState]))
      .toEqual([['revise', 'received', 'received'], ['complete', 'received', 'completed']]);
  });
});

describe('refused → accepted, with every approval', () => {
  it('puts the container in the receiver\'s custody, reopens the completed manifest until it is treated, adds the receiver\'s 入库 and clears the refusal alert', async () => {
    const { m: got, ids: [kept, refused] } = await received([true, false]);
    expect(got.state).toBe('received');
    await treat(kept);
    const m = await getManifest(got.id);
    expect(m).toMatchObject({ state: 'completed', totals: { acceptedKg: 180 } });
    expect(m.completedAt).toBeTruthy();
    expect(await refusalAlert(m.id)).toBeDefined();
    expect((await ledgerOf(receiver, refused)).filter((x) => x.kind === 'HWRK')).toEqual([]);

    const r = await propose(generator.client, m.id, { containers: [{ labelId: refused, accepted: true }] });
    expect(r.before.containers).toEqual([expect.objectContaining({ labelId: refused, accepted: false, refusalReason: REFUSAL })]);
    await approve(receiver.client, m.id, r.id);
    expect((await approve(carrier.client, m.id, r.id)).state).toBe('approved');

    const after = await getManifest(m.id);
    expect(after).toMatchObject({ state: 'received', version: m.version + 1, completedAt: null, discrepant: false, totals: { acceptedKg: 360 } });
    expect(item(after, refused)).toMatchObject({ accepted: true, refusalReason: null, measuredKg: 180 });
    expect(await getLabel(refused)).toMatchObject({ state: 'received', holderId: receiver.org.id });
    expect(await clock(refused, m.id)).toMatchObject({ since_receipt: true }); // the receiver has held it since the receipt
    const history = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json().steps.at(-1);
    expect(history).toMatchObject({ action: 'revise', fromState: 'completed', toState: 'received' });
    expect(await refusalAlert(m.id)).toBeUndefined();

    // The receiver's 入库, as the receipt would have written it, marked as the correction's addition (补记).
    const ledger = await ledgerOf(receiver, refused);
    expect(ledger.map((x) => [x.kind, x.quantityKg, x.correction])).toEqual([['HWRK', 180, { kind: 'addition', correctsBatchCode: null, revisionId: r.id }]]);
    const csv = (await receiver.client.get(`/api/v1/orgs/${receiver.org.id}/ledger?format=csv`)).body as string;
    expect(csv.split('\n').filter((line) => line.includes(ledger[0].batchCode) && line.trim().endsWith(',补记'))).toHaveLength(1);

    // Treated, it completes the manifest again.
    await treat(refused);
    expect((await getManifest(m.id)).state).toBe('completed');
  });

  it('turns a rejected manifest into a received one', async () => {
    const { m, ids: [l] } = await received([false]);
    expect(m.state).toBe('rejected');
    const r = await propose(receiver.client, m.id, { containers: [{ labelId: l, accepted: true }] });
    await approve(generator.client, m.id, r.id);
    await approve(carrier.client, m.id, r.id);
    expect(await getManifest(m.id)).toMatchObject({ state: 'received', discrepant: false, totals: { acceptedKg: 180 } });
    expect(await getLabel(l)).toMatchObject({ state: 'received', holderId: receiver.org.id });
  });
});

describe('outcome corrections the custody no longer allows', () => {
  it('are refused with revision_outcome_custody: after treatment, on a return manifest, or moved before the last approval; nothing changes', async () => {
    const { m: got, ids: [kept, refused] } = await received([true, false]);
    await treat(kept);
    const m = await getManifest(got.id);
    const ret = await generator.client.post('/api/v1/manifests', {
      originalManifestId: m.id, receiverId: generator.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [refused],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(ret.statusCode, ret.body).toBe(201);
    const labelsBefore = await Promise.all([kept, refused].map(getLabel));
    const ledgerBefore = [...await ledgerOf(receiver, kept), ...await ledgerOf(receiver, refused)];

    const treated = await propose(receiver.client, m.id, { containers: [{ labelId: kept, accepted: false, refusalReason: '复检' }] }, 422);
    expect(treated).toMatchObject({ rule: 'revision_outcome_custody', field: 'changes.containers.0.accepted', state: 'treated' });
    const returning = await propose(generator.client, m.id, { containers: [{ labelId: refused, accepted: true }] }, 422);
    expect(returning).toMatchObject({ rule: 'revision_outcome_custody', field: 'changes.containers.0.accepted' });

    expect(await getManifest(m.id)).toEqual(m);
    expect(await Promise.all([kept, refused].map(getLabel))).toEqual(labelsBefore);
    expect([...await ledgerOf(receiver, kept), ...await ledgerOf(receiver, refused)]).toEqual(ledgerBefore);
    expect((await generator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items).toEqual([]);

    // Proposed while allowed, then the container is treated: the last approval is refused, the request stays open.
    const { m: other, ids: [l0] } = await received([true, true]);
    const r = await propose(receiver.client, other.id, { containers: [{ labelId: l0, accepted: false, refusalReason: '复检' }] });
    await treat(l0);
    const moved = await getManifest(other.id);
    await approve(generator.client, other.id, r.id);
    expect(await approve(carrier.client, other.id, r.id, 422)).toMatchObject({ rule: 'revision_outcome_custody' });
    expect(await getManifest(other.id)).toEqual(moved);
    expect(await getLabel(l0)).toMatchObject({ state: 'treated', holderId: receiver.org.id });
    expect((await generator.client.get(`/api/v1/manifests/${other.id}/revisions`)).json().items[0]).toMatchObject({ state: 'open', awaiting: [carrier.org.id] });
    expect(sumOf(await ledgerOf(receiver, l0), 'HWRK')).toBe(180);
  });
});
