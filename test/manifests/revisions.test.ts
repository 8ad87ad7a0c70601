// Corrections of a received or completed manifest (revision requests, docs/regulations.md#manifest-corrections).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site } from '../support/world.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrier: CarrierSite;
let receiver: Site;
let cityRegulator: Party;
let generatorRegulator: Party;
let receiverRegulator: Party;

const EMERGENCY = '泄漏时用吸附棉围堵，报告生态环境部门';
const YEAR = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  carrier = await createCarrier(t.app, admin);
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121' }, ['D10', 'R2']);
  await addOperatingLicence(admin, receiver.org.id, { wasteCodes: ['HW08', 'HW49'] });
  cityRegulator = await createRegulator(t.app, admin, '140100');
  generatorRegulator = await createRegulator(t.app, admin, '140105');
  receiverRegulator = await createRegulator(t.app, admin, '140121');
});
afterAll(() => t.close());

interface Manifest { id: string; number: string; version: number; state: string; discrepant: boolean; labels: Array<{ labelId: string; declaredKg: number; measuredKg: number | null }> }

/** A manifest of two 180 kg drums: received (the second weighed 150 kg, a discrepancy) and, unless told, completed by treatment. */
async function receivedManifest(complete = true, l0Receipt: Record<string, unknown> = {}): Promise<{ m: Manifest; l0: string; l1: string }> {
  const l0 = (await issueLabel(generator.client)).id as string;
  const l1 = (await issueLabel(generator.client)).id as string;
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l0, l1],
    plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  const qr = await Promise.all([l0, l1].map(async (l) => (await generator.client.get(`/api/v1/labels/${l}`)).json().qrContent));
  await manifestAction(generator.client, id, { action: 'submit' });
  await manifestAction(carrier.client, id, { action: 'pickup', qr, vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, id, { action: 'deliver' });
  await manifestAction(receiver.client, id, {
    action: 'receive',
    items: [
      { labelId: l0, accepted: true, measuredQuantity: { value: 180, unit: 'kg' }, ...l0Receipt },
      { labelId: l1, accepted: true, measuredQuantity: { value: 150, unit: 'kg' } },
    ],
  });
  if (complete) {
    for (const l of [l0, l1]) await act(receiver.client, l, { action: 'treat', method: 'D10', facilityId: receiver.treatmentId });
  }
  const m = await getManifest(id);
  expect(m.state).toBe(complete ? 'completed' : 'received');
  return { m, l0, l1 };
}

const getManifest = async (id: string): Promise<Manifest> => (await generator.client.get(`/api/v1/manifests/${id}`)).json();
const item = (m: Manifest, labelId: string) => m.labels.find((l) => l.labelId === labelId)!;

async function propose(client: Client, id: string, body: Record<string, unknown>, status = 201) {
  const res = await client.post(`/api/v1/manifests/${id}/revisions`, body);
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

async function decide(client: Client, id: string, rid: string, decision: 'approve' | 'refuse' | 'withdraw', status = 200) {
  const res = await client.post(`/api/v1/manifests/${id}/revisions/${rid}/${decision}`, decision === 'withdraw' ? undefined : { comment: '核对无误' });
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
}

interface LedgerItem { batchCode: string; kind: string; labelId: string; quantityKg: number; correction: { kind: string; correctsBatchCode: string; revisionId: string } | null }
const ledgerOf = async (site: Party, labelId: string): Promise<LedgerItem[]> =>
  (await site.client.get(`/api/v1/orgs/${site.org.id}/ledger`)).json().items.filter((r: LedgerItem) => r.labelId === labelId);

async function generatedT(): Promise<number> {
  const res = await cityRegulator.client.get(`/api/v1/supervision/indicators?year=${YEAR}&regionCode=140105`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.find((i: { row: string }) => i.row === '2').inputs.industrialGeneratedT;
}

async function hasDiscrepancyAlert(id: string): Promise<boolean> {
  const res = await cityRegulator.client.get('/api/v1/supervision/alerts?type=weight_discrepancy');
  return res.json().items.some((a: { entityId: string }) => a.entityId === id);
}

const auditActions = async (entityType: string, entityId: string) => (await admin.get(`/api/v1/audit?entityType=${entityType}&entityId=${entityId}`)).json().items
  .map((e: { action: string; outcome: string }) => `${e.action}${e.outcome === 'refused' ? ' (refused)' : ''}`);

describe('a completed manifest corrected with every approval', () => {
  it('gets a new version with the old values readable, correcting ledger records, and corrected indicators and alerts', async () => {
    const { m, l0, l1 } = await receivedManifest();
    expect(m.discrepant).toBe(true);
    expect(await hasDiscrepancyAlert(m.id)).toBe(true);
    const indicatorBefore = await generatedT();
    const generatorLedgerBefore = await ledgerOf(generator, l1);

    // The receiver reweighed the first drum (176 kg); the generator's second drum held 150 kg, not 180.
    const r = await propose(receiver.client, m.id, {
      reason: '复磅发现第一桶计量错误；第二桶申报量有误',
      changes: { containers: [{ labelId: l0, measuredKg: 176 }, { labelId: l1, declaredKg: 150 }] },
    });
    expect(r).toMatchObject({ state: 'open', manifestVersion: m.version, appliedVersion: null });
    expect(r.approvers.sort()).toEqual([generator.org.id, carrier.org.id].sort());
    expect(r.before.containers).toEqual([
      expect.objectContaining({ labelId: l0, measuredKg: 180 }), expect.objectContaining({ labelId: l1, declaredKg: 180 }),
    ]);

    // A second request while this one is open, and an approval by someone not asked, are refused.
    const second = await propose(generator.client, m.id, { reason: '再改', changes: { intendedMethod: 'R2' } }, 422);
    expect(second.rule).toBe('revision_open');
    expect((await decide(cityRegulator.client, m.id, r.id, 'approve', 422)).rule).toBe('revision_party');
    expect((await decide(receiver.client, m.id, r.id, 'approve', 422)).rule).toBe('revision_party'); // the proposer

    // The generator approves: the carrier is still awaited, nothing is applied yet.
    const half = await decide(generator.client, m.id, r.id, 'approve');
    expect(half).toMatchObject({ state: 'open', awaiting: [carrier.org.id] });
    expect((await getManifest(m.id)).version).toBe(m.version);
    expect((await decide(generator.client, m.id, r.id, 'approve', 422)).rule).toBe('revision_party'); // once

    const done = await decide(carrier.client, m.id, r.id, 'approve');
    expect(done).toMatchObject({ state: 'approved', appliedVersion: m.version + 1, awaiting: [] });
    expect(done.closedAt).toBeTruthy();

    // The manifest's new version holds the corrected values; its discrepancy is gone, and so is the alert.
    const after = await getManifest(m.id);
    expect(after.version).toBe(m.version + 1);
    expect(after.state).toBe('completed');
    expect(item(after, l0)).toMatchObject({ declaredKg: 180, measuredKg: 176 });
    expect(item(after, l1)).toMatchObject({ declaredKg: 150, measuredKg: 150 });
    expect(after.discrepant).toBe(false);
    expect(await hasDiscrepancyAlert(m.id)).toBe(false);
    expect((await generator.client.get(`/api/v1/labels/${l1}`)).json().quantity.value).toBe(150);

    // The old values stay readable: in the request, and in the manifest's history.
    const [listed] = (await cityRegulator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items;
    expect(listed).toMatchObject({ id: r.id, state: 'approved', before: r.before, changes: r.changes });
    expect(listed.decisions.map((d: { orgId: string; decision: string }) => d.decision)).toEqual(['approve', 'approve']);
    const trace = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json();
    const revise = trace.steps.at(-1);
    expect(revise).toMatchObject({ action: 'revise', fromState: 'completed', toState: 'completed' });
    expect(revise.details).toMatchObject({ revisionId: r.id, before: r.before, after: r.changes, discrepant: false });

    // The ledger is corrected, never edited: the original stands, a reversal negates it and a replacement restates it.
    const receiverLedger = await ledgerOf(receiver, l0);
    const receipt = receiverLedger.find((x) => x.kind === 'HWRK' && x.correction === null)!;
    expect(receipt.quantityKg).toBe(180);
    const corrections = receiverLedger.filter((x) => x.correction?.correctsBatchCode === receipt.batchCode);
    expect(corrections.map((x) => [x.kind, x.correction!.kind, x.quantityKg])).toEqual([['HWRK', 'reversal', -180], ['HWRK', 'replacement', 176]]);
    expect(corrections.every((x) => x.correction!.revisionId === r.id && x.batchCode !== receipt.batchCode)).toBe(true);
    const csv = (await receiver.client.get(`/api/v1/orgs/${receiver.org.id}/ledger?format=csv`)).body.split('\n');
    expect(csv[0].trim().endsWith(',更正')).toBe(true);
    expect(csv.filter((line: string) => line.includes(`冲销 ${receipt.batchCode}`))).toHaveLength(1);
    expect(csv.filter((line: string) => line.includes(`更正 ${receipt.batchCode}`))).toHaveLength(1);
    // The receiver's treatment record stated the label's 180 kg, which the reweighing does not change.
    expect(receiverLedger.filter((x) => x.kind === 'HWZXCZ').map((x) => x.quantityKg)).toEqual([180]);
    // The second drum's declared quantity: the generator's records (generation, dispatch) and the receiver's treatment record follow.
    const generatorLedger = await ledgerOf(generator, l1);
    expect(generatorLedger.slice(0, generatorLedgerBefore.length)).toEqual(generatorLedgerBefore);
    const sums = (rows: LedgerItem[]) => Object.fromEntries([...new Set(rows.map((x) => x.kind))]
      .map((k) => [k, rows.filter((x) => x.kind === k).reduce((s, x) => s + x.quantityKg, 0)]));
    expect(sums(generatorLedger)).toEqual({ ...sums(generatorLedgerBefore), ...Object.fromEntries(Object.keys(sums(generatorLedgerBefore)).map((k) => [k, 150])) });
    expect(generatorLedger.filter((x) => x.correction).length).toBe(2 * generatorLedgerBefore.length);
    expect(sums(await ledgerOf(receiver, l1))).toEqual({ HWRK: 150, HWZXCZ: 150 });

    // The indicator counts the corrected quantity.
    expect(await generatedT()).toBeCloseTo(indicatorBefore - 0.03, 6);

    // Each request, approval and the application are audited.
    expect(await auditActions('manifest_revision', r.id)).toEqual(['propose', 'approve (refused)', 'approve (refused)', 'approve', 'approve (refused)', 'approve', 'approved']);
    expect((await auditActions('manifest', m.id)).at(-1)).toBe('revise');
    expect((await auditActions('label', l1)).at(-1)).toBe('revise');

    // A later correction reverses the replacement, not the original again.
    const again = await propose(generator.client, m.id, { reason: '第二桶实为160 kg', changes: { containers: [{ labelId: l1, declaredKg: 160 }] } });
    await decide(receiver.client, m.id, again.id, 'approve');
    expect((await decide(carrier.client, m.id, again.id, 'approve')).state).toBe('approved');
    expect(sums(await ledgerOf(generator, l1))).toEqual(Object.fromEntries(Object.keys(sums(generatorLedgerBefore)).map((k) => [k, 160])));
    expect((await getManifest(m.id)).version).toBe(m.version + 2);
  });
});

describe('a correction and the receipt\'s Art. 18 report', () => {
  it('leaves the manifest discrepant when a reported mismatch stands, though the weights are corrected', async () => {
    const { m, l1 } = await receivedManifest(true, { mismatches: ['packaging'], mismatchNote: '桶盖破损，已加套袋' });
    const r = await propose(generator.client, m.id, { reason: '第二桶申报量有误', changes: { containers: [{ labelId: l1, declaredKg: 150 }] } });
    await decide(receiver.client, m.id, r.id, 'approve');
    expect((await decide(carrier.client, m.id, r.id, 'approve')).state).toBe('approved');
    const after = await getManifest(m.id);
    expect(item(after, l1)).toMatchObject({ declaredKg: 150, measuredKg: 150 });
    expect(after.discrepant).toBe(true);
  });
});

describe('a correction refused or withdrawn', () => {
  it('changes nothing when one party refuses, when the generator\'s regulator refuses, or when withdrawn', async () => {
    const { m, l0 } = await receivedManifest(false);
    const label = (await generator.client.get(`/api/v1/labels/${l0}`)).json();
    const ledger = [...await ledgerOf(generator, l0), ...await ledgerOf(receiver, l0)];
    const indicator = await generatedT();
    const changes = { containers: [{ labelId: l0, wasteCode: '900-200-08', physicalForm: 'semi_solid', packagingType: 'IBC' }] };

    const r = await propose(generator.client, m.id, { reason: '废物代码填写错误', changes });
    await decide(carrier.client, m.id, r.id, 'approve');
    const refused = await decide(receiver.client, m.id, r.id, 'refuse');
    expect(refused).toMatchObject({ state: 'refused', appliedVersion: null, awaiting: [] });
    expect((await decide(carrier.client, m.id, r.id, 'refuse', 422)).rule).toBe('revision_closed');

    // The receiving region's regulator sees the request but only the generator's may refuse it.
    const r2 = await propose(generator.client, m.id, { reason: '废物代码填写错误', changes });
    expect((await receiverRegulator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items).toHaveLength(2);
    expect((await decide(receiverRegulator.client, m.id, r2.id, 'refuse', 422)).rule).toBe('revision_party');
    expect(await decide(generatorRegulator.client, m.id, r2.id, 'refuse')).toMatchObject({ state: 'refused', decisions: [expect.objectContaining({ asRegulator: true })] });

    const r3 = await propose(generator.client, m.id, { reason: '废物代码填写错误', changes });
    expect((await decide(receiver.client, m.id, r3.id, 'withdraw', 422)).rule).toBe('revision_party');
    expect((await decide(generator.client, m.id, r3.id, 'withdraw')).state).toBe('withdrawn');

    const after = await getManifest(m.id);
    expect(after.version).toBe(m.version);
    expect(after.labels).toEqual(m.labels);
    expect((await generator.client.get(`/api/v1/labels/${l0}`)).json()).toMatchObject({ wasteCode: label.wasteCode, physicalForm: label.physicalForm, version: label.version });
    expect([...await ledgerOf(generator, l0), ...await ledgerOf(receiver, l0)]).toEqual(ledger);
    expect(await generatedT()).toBe(indicator);
    expect((await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json().steps.map((s: { action: string }) => s.action)).not.toContain('revise');
    expect((await generator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items.map((x: { state: string }) => x.state))
      .toEqual(['withdrawn', 'refused', 'refused']);
    expect(await auditActions('manifest_revision', r.id)).toEqual(['propose', 'approve', 'refuse', 'refused', 'refuse (refused)']);
    expect(await auditActions('manifest_revision', r3.id)).toEqual(['propose', 'withdraw (refused)', 'withdraw']);

    // The generator's regulator finds every request of its region without knowing the manifest; a party cannot list them.
    const supervised = (await generatorRegulator.client.get('/api/v1/supervision/manifest-revisions')).json().items
      .filter((x: { manifestId: string }) => x.manifestId === m.id);
    expect(supervised.map((x: { id: string; state: string }) => [x.id, x.state])).toEqual([[r3.id, 'withdrawn'], [r2.id, 'refused'], [r.id, 'refused']]);
    expect(supervised[0].manifestNumber).toBe(m.number);
    expect((await generatorRegulator.client.get('/api/v1/supervision/manifest-revisions?state=open')).json().items
      .some((x: { manifestId: string }) => x.manifestId === m.id)).toBe(false);
    expect((await generator.client.get('/api/v1/supervision/manifest-revisions')).statusCode).toBe(403);

    // Then a correction of the same fields, approved, does apply (the received, not yet completed, manifest).
    const r4 = await propose(generator.client, m.id, { reason: '废物代码填写错误', changes });
    await decide(carrier.client, m.id, r4.id, 'approve');
    await decide(receiver.client, m.id, r4.id, 'approve');
    expect((await generator.client.get(`/api/v1/labels/${l0}`)).json()).toMatchObject({ wasteCode: '900-200-08', physicalForm: 'semi_solid', version: label.version + 1 });
    const corrected = (await ledgerOf(receiver, l0)).filter((x) => x.correction?.kind === 'replacement');
    expect(corrected).toEqual([expect.objectContaining({ kind: 'HWRK', wasteCode: '900-200-08', physicalForm: 'semi_solid', packagingType: 'IBC', quantityKg: 180 })]);
  });
});

describe('bad revision requests', () => {
  it('are refused with a rule code and change nothing', async () => {
    const { m, l0 } = await receivedManifest();
    const refusals: Array<[Client, unknown, string]> = [
      [generator.client, { receiverId: receiver.org.id }, 'revision_field'],
      [receiver.client, { containers: [{ labelId: l0, accepted: 'no' }] }, 'revision_field'],
      [receiver.client, { containers: [{ labelId: l0, accepted: false }] }, 'revision_field'], // refused without a refusalReason
      [receiver.client, { containers: [{ labelId: l0, refusalReason: '破损' }] }, 'revision_field'], // a reason for an accepted container
      [receiver.client, { containers: [{ labelId: l0, accepted: false, refusalReason: '破损' }] }, 'revision_outcome_custody'], // treated since
      [receiver.client, { containers: [{ labelId: l0, digitalCode: 'x' }] }, 'revision_field'],
      [receiver.client, { containers: [{ labelId: '00000000-0000-4000-8000-000000000000', measuredKg: 100 }] }, 'revision_field'],
      [receiver.client, { containers: [{ labelId: l0, measuredKg: -1 }] }, 'revision_field'],
      [receiver.client, { containers: [{ labelId: l0, measuredKg: 180 }] }, 'revision_field'], // changes nothing
      [generator.client, { containers: [{ labelId: l0, wasteCode: '999-999-99' }] }, 'revision_field'],
      [generator.client, { containers: [{ labelId: l0, physicalForm: 'plasma' }] }, 'revision_field'],
      [generator.client, { intendedMethod: 'Y1' }, 'revision_field'], // a medical-waste method for HW08
      [cityRegulator.client, { intendedMethod: 'R2' }, 'revision_party'],
    ];
    for (const [client, changes, rule] of refusals) {
      const res = await client.post(`/api/v1/manifests/${m.id}/revisions`, { reason: '更正', changes });
      expect(res.statusCode, JSON.stringify(changes)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().rule, JSON.stringify(changes)).toBe(rule);
    }
    expect((await generator.client.post(`/api/v1/manifests/${m.id}/revisions`, { changes: { intendedMethod: 'R2' } })).statusCode).toBe(400);
    const stranger = await createParty(t.app, admin, { roles: ['generator'] });
    expect((await stranger.client.post(`/api/v1/manifests/${m.id}/revisions`, { reason: '更正', changes: { intendedMethod: 'R2' } })).statusCode).toBe(404);
    expect((await generator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items).toEqual([]);
    expect((await getManifest(m.id)).version).toBe(m.version);
    expect((await auditActions('manifest', m.id)).filter((a: string) => a.startsWith('propose_revision'))).toHaveLength(refusals.length);

    // Two parties proposing at the same moment: one request is opened, the other refused as a second open one.
    const racing = await Promise.all([generator.client, receiver.client].map((c) =>
      c.post(`/api/v1/manifests/${m.id}/revisions`, { reason: '同时更正', changes: { intendedMethod: 'R2' } })));
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 422]);
    expect(racing.find((r) => r.statusCode === 422)!.json().rule).toBe('revision_open');
    expect((await generator.client.get(`/api/v1/manifests/${m.id}/revisions`)).json().items).toHaveLength(1);
  });

  it('refuses to correct a refused container that is on its return manifest now', async () => {
    const kept = (await issueLabel(generator.client)).id as string;
    const l = (await issueLabel(generator.client)).id as string;
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [kept, l],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const qr = await Promise.all([kept, l].map(async (x) => (await generator.client.get(`/api/v1/labels/${x}`)).json().qrContent));
    await manifestAction(generator.client, id, { action: 'submit' });
    await manifestAction(carrier.client, id, { action: 'pickup', qr, vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, id, { action: 'deliver' });
    await manifestAction(receiver.client, id, {
      action: 'receive',
      items: [
        { labelId: kept, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } },
        { labelId: l, accepted: false, measuredQuantity: { value: 180, unit: 'kg' }, refusalReason: '包装破损' },
      ],
    });
    const body = { reason: '更正', changes: { containers: [{ labelId: l, declaredKg: 170 }] } };
    // Refused and still at the receiver, the container's declared weight can be corrected on this manifest…
    const open = await propose(generator.client, id, body);
    await decide(generator.client, id, open.id, 'withdraw');
    // …but not once it is on its return manifest (docs/regulations.md#return-trips), which carries its own values.
    const ret = await generator.client.post('/api/v1/manifests', {
      originalManifestId: id, receiverId: generator.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), emergencyMeasures: EMERGENCY,
    });
    expect(ret.statusCode, ret.body).toBe(201);
    const refused = await propose(generator.client, id, body, 422);
    expect(refused).toMatchObject({ rule: 'revision_field', field: 'changes.containers.0.labelId' });
  });

  it('refuses a correction of a cancelled or a draft manifest with revision_state', async () => {
    const l = await issueLabel(generator.client);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l.id],
      plannedAt: new Date(Date.now() + 3600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY,
    });
    const id = res.json().id;
    const body = { reason: '更正', changes: { intendedMethod: 'R2' } };
    expect((await propose(generator.client, id, body, 422)).rule).toBe('revision_state');
    await manifestAction(generator.client, id, { action: 'cancel', reason: '计划取消' });
    const cancelled = await propose(generator.client, id, body, 422);
    expect(cancelled).toMatchObject({ rule: 'revision_state', state: 'cancelled' });
    expect((await generator.client.get(`/api/v1/manifests/${id}/revisions`)).json().items).toEqual([]);
  });
});
