import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, loginAdmin, type Client } from '../support/factories.js';
import {
  act, addFacility, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { daysFromNow, receiptDueFor, thisYear, yearsFromNow } from '../support/dates.js';
import { shanghaiDate } from '../../src/calendar/working-days.js';
import { returnToGenerator } from '../support/return-trip.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrierA: CarrierSite;
let carrierB: CarrierSite;
let receiver: Site;

const plannedAt = () => new Date(Date.now() + 3600_000).toISOString();

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  carrierA = await createCarrier(t.app, admin);
  carrierB = await createCarrier(t.app, admin);
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121' }, ['D10', 'R2']);
  await addOperatingLicence(admin, receiver.org.id, { wasteCodes: ['HW08', 'HW49'] });
});
afterAll(() => t.close());

async function draft(labelIds: string[], extra: Record<string, unknown> = {}, from: Site = generator) {
  const res = await from.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id,
    carriers: [{ orgId: carrierA.org.id }, { orgId: carrierB.org.id }],
    labelIds, plannedAt: plannedAt(), intendedMethod: 'D10', emergencyMeasures: '泄漏时用吸附棉围堵',
    ...extra,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function labelsOf(site: Site, n: number, overrides: Record<string, unknown> = {}) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await issueLabel(site.client, overrides));
  return out;
}

describe('a full journey', () => {
  it('generator → two carriers → receiver, one refused and one 15 % light: received, discrepant; then completed by treatment', async () => {
    const ls = await labelsOf(generator, 3); // 180 kg each
    await act(generator.client, ls[0].id, { action: 'store', facilityId: generator.storageId });
    const m = await draft(ls.map((l) => l.id));
    expect(m.state).toBe('draft');
    expect(m.allowedActions.sort()).toEqual(['cancel', 'submit']);
    // On an open manifest a container may only be stored: the scan offers nothing that would be refused.
    expect((await generator.client.post('/api/v1/scan', { qr: ls[1].qrContent })).json().allowedActions).toEqual(['store']);

    const submitted = await manifestAction(generator.client, m.id, { action: 'submit' });
    expect(submitted.number).toMatch(/^\d{4}1401\d{6}$/);
    expect(submitted.number.slice(0, 4)).toBe(String(thisYear())); // the year in Asia/Shanghai

    // The driver's scan shows the manifest the container waits on and that a pickup is due.
    const scan = (await carrierA.client.post('/api/v1/scan', { qr: ls[1].qrContent })).json();
    expect(scan.openManifest).toMatchObject({ id: m.id, number: submitted.number, state: 'submitted', allowedActions: ['pickup'] });
    expect((await carrierB.client.post('/api/v1/scan', { qr: ls[1].qrContent })).json().openManifest.allowedActions).toEqual([]);
    // The first carrier scans every container's QR at pickup.
    await manifestAction(carrierA.client, m.id, { action: 'pickup', qr: ls.map((l) => l.qrContent), vehiclePlate: carrierA.plate, driver: DRIVER });
    const inTransit = (await generator.client.get(`/api/v1/labels/${ls[0].id}`)).json();
    expect(inTransit.state).toBe('in_transit');
    // The wrong carrier cannot take over; the next one in order can.
    await manifestAction(carrierA.client, m.id, { action: 'handover', vehiclePlate: carrierA.plate, driver: DRIVER }, 403);
    await manifestAction(carrierB.client, m.id, { action: 'handover', vehiclePlate: carrierB.plate, driver: DRIVER, location: { lat: 37.87, lng: 112.55 } });
    const delivered = await manifestAction(carrierB.client, m.id, { action: 'deliver' });
    // Five working days after the arrival; none where the working-day calendar does not reach yet.
    expect(delivered.receiptDueOn).toBe(receiptDueFor(shanghaiDate(new Date(delivered.deliveredAt))));

    const received = await manifestAction(receiver.client, m.id, {
      action: 'receive',
      items: [
        { labelId: ls[0].id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } },
        { labelId: ls[1].id, accepted: true, measuredQuantity: { value: 153, unit: 'kg' } }, // 15 % light
        { labelId: ls[2].id, accepted: false, measuredQuantity: { value: 180, unit: 'kg' }, refusalReason: '包装破损' },
      ],
    });
    expect(received).toMatchObject({ state: 'received', discrepant: true });
    const states = Object.fromEntries(received.labels.map((l: { labelId: string; state: string }) => [l.labelId, l.state]));
    expect(states).toEqual({ [ls[0].id]: 'received', [ls[1].id]: 'received', [ls[2].id]: 'rejected' });
    // The receiver now holds the accepted containers; the refused one goes back to the generator on a return manifest.
    expect((await receiver.client.get(`/api/v1/labels/${ls[0].id}`)).json().holderId).toBe(receiver.org.id);
    await returnToGenerator({ generator, carrier: carrierA, originalManifestId: m.id, labelIds: [ls[2].id] });
    expect((await act(generator.client, ls[2].id, { action: 'store', facilityId: generator.storageId })).json().state).toBe('stored');

    await act(receiver.client, ls[0].id, { action: 'treat', method: 'D10', facilityId: receiver.treatmentId });
    expect((await receiver.client.get(`/api/v1/manifests/${m.id}`)).json().state).toBe('received');
    await act(receiver.client, ls[1].id, { action: 'treat', method: 'D10', facilityId: receiver.treatmentId });
    const done = (await generator.client.get(`/api/v1/manifests/${m.id}`)).json();
    expect(done.state).toBe('completed');
    expect(done.completedAt).toBeTruthy();

    // The trace and the audit trail tell the same story.
    const trace = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json();
    const storyline = trace.steps.map((s: { action: string }) => s.action);
    expect(storyline).toEqual(['submit', 'pickup', 'handover', 'deliver', 'receive', 'complete']);
    expect(trace.steps[1].labels).toHaveLength(3);
    const audit = (await admin.get(`/api/v1/audit?entityType=manifest&entityId=${m.id}`)).json().items
      .filter((e: { outcome: string }) => e.outcome === 'applied').map((e: { action: string }) => e.action);
    expect(audit).toEqual(['create', ...storyline]);
    const refusedHandover = (await admin.get(`/api/v1/audit?entityType=manifest&entityId=${m.id}`)).json().items
      .filter((e: { outcome: string }) => e.outcome === 'refused');
    expect(refusedHandover.map((e: { action: string }) => e.action)).toEqual(['handover']);

    // The generator reads the receiver's acceptance of its drum in the trail; a stranger reads nothing of it.
    const genAudit = (await generator.client.get(`/api/v1/audit?entityType=label&entityId=${ls[0].id}`)).json().items;
    expect(genAudit.map((e: { action: string }) => e.action)).toEqual(['issue', 'store', 'attach_to_manifest', 'dispatch', 'accept', 'treat']);
    const stranger = await createParty(t.app, admin, { roles: ['generator'] });
    expect((await stranger.client.get(`/api/v1/audit?entityType=label&entityId=${ls[0].id}`)).json().items).toEqual([]);

    // The labels' traces carry the manifest; the ledger has the outbound and receipt records.
    const labelTrace = (await generator.client.get(`/api/v1/labels/${ls[0].id}/trace`)).json();
    expect(labelTrace.steps.map((s: { action: string }) => s.action)).toEqual(['issue', 'store', 'dispatch', 'accept', 'treat']);
    expect(labelTrace.manifests[0].number).toBe(submitted.number);
    const genLedger = (await generator.client.get(`/api/v1/orgs/${generator.org.id}/ledger`)).json().items
      .filter((r: { labelId: string }) => r.labelId === ls[0].id).map((r: { kind: string }) => r.kind);
    expect(genLedger).toEqual(['HWCS', 'HWRK', 'HWCK', 'HWWWCZ']);
    const recLedger = (await receiver.client.get(`/api/v1/orgs/${receiver.org.id}/ledger`)).json().items
      .filter((r: { labelId: string }) => r.labelId === ls[0].id).map((r: { kind: string }) => r.kind);
    expect(recLedger).toEqual(['HWRK', 'HWZXCZ']);
  });

  it('every label of a rejected manifest refused: rejected', async () => {
    const [l] = await labelsOf(generator, 1);
    const m = await draft([l.id], { carriers: [{ orgId: carrierA.org.id }] });
    await manifestAction(generator.client, m.id, { action: 'submit' });
    await manifestAction(carrierA.client, m.id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrierA.plate, driver: DRIVER });
    await manifestAction(carrierA.client, m.id, { action: 'deliver' });
    const res = await manifestAction(receiver.client, m.id, {
      action: 'receive', items: [{ labelId: l.id, accepted: false, measuredQuantity: { value: 180, unit: 'kg' }, refusalReason: '成分不符' }],
    });
    expect(res).toMatchObject({ state: 'rejected', discrepant: true });
  });
});

describe('drafts', () => {
  it('a label can be on one open manifest only, and is released by cancel', async () => {
    const [l] = await labelsOf(generator, 1);
    const m = await draft([l.id]);
    const second = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrierA.org.id }], labelIds: [l.id], plannedAt: plannedAt(), emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(second.statusCode).toBe(422);
    expect(second.json()).toMatchObject({ rule: 'labels_unavailable', labelIds: [l.id] });
    await manifestAction(generator.client, m.id, { action: 'cancel' }, 400);
    await manifestAction(generator.client, m.id, { action: 'cancel', reason: '计划变更' });
    expect((await draft([l.id])).state).toBe('draft');
    // The container's own trail says when it was put on, and taken off, a manifest.
    const trail = (await generator.client.get(`/api/v1/audit?entityType=label&entityId=${l.id}`)).json().items
      .filter((e: { outcome: string }) => e.outcome === 'applied').map((e: { action: string }) => e.action);
    expect(trail).toEqual(['issue', 'attach_to_manifest', 'release_from_manifest', 'attach_to_manifest']);
  });

  it('each party lists the manifests it is party to, with their carriers and containers', async () => {
    const ls = await labelsOf(generator, 3);
    const a = await draft([ls[0].id, ls[1].id]);
    const b = await draft([ls[2].id], { carriers: [{ orgId: carrierB.org.id }] });
    const mine = async (c: Client) => {
      const items: Array<{ id: string; labels: unknown[]; carriers: unknown[] }> = [];
      for (let cursor: string | null = null; ;) {
        const page: { items: typeof items; nextCursor: string | null } = (await c.get(`/api/v1/manifests?state=draft&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) return items;
      }
    };
    const forA = (await mine(carrierA.client)).find((m) => m.id === a.id)!;
    expect(forA.labels).toHaveLength(2);
    expect(forA.carriers).toHaveLength(2);
    expect((await mine(carrierA.client)).some((m) => m.id === b.id)).toBe(false);
    const forGenerator = await mine(generator.client);
    expect(forGenerator.find((m) => m.id === b.id)!.labels).toHaveLength(1);
    expect(forGenerator.find((m) => m.id === b.id)!.carriers).toEqual([expect.objectContaining({ orgId: carrierB.org.id, position: 0 })]);
    expect(forGenerator.find((m) => m.id === a.id)!.labels).toHaveLength(2);
    const stranger = await createParty(t.app, admin, { roles: ['carrier'] });
    expect(await mine(stranger.client)).toEqual([]);
  });

  it('PATCH edits a draft only', async () => {
    const ls = await labelsOf(generator, 2);
    const m = await draft([ls[0].id]);
    const patched = await generator.client.patch(`/api/v1/manifests/${m.id}`, { labelIds: [ls[0].id, ls[1].id] }, { 'if-match': `"${m.version}"` });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().labels).toHaveLength(2);
    await manifestAction(generator.client, m.id, { action: 'submit' });
    const late = await generator.client.patch(`/api/v1/manifests/${m.id}`, { emergencyMeasures: 'x' });
    expect(late.statusCode).toBe(409);
  });
});

describe('submit checks', () => {
  async function receiverWith(licence: Record<string, unknown>, status?: string) {
    const r = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140122' }, ['D10']);
    const lic = await addOperatingLicence(admin, r.org.id, licence);
    if (status) expect((await admin.patch(`/api/v1/licences/${lic.id}`, { status })).statusCode).toBe(200);
    return r;
  }
  async function submitTo(r: Site, extra: Record<string, unknown> = {}) {
    const [l] = await labelsOf(generator, 1);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: r.org.id, carriers: [{ orgId: carrierA.org.id }], labelIds: [l.id], plannedAt: plannedAt(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES, ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return generator.client.post(`/api/v1/manifests/${res.json().id}/actions`, { action: 'submit' });
  }

  it('refuses a licence lacking the category, suspended, expired on the planned date, or without capacity', async () => {
    const cases: Array<[Record<string, unknown>, string | undefined, string]> = [
      [{ wasteCodes: ['HW49'] }, undefined, 'licence_coverage'],
      [{}, 'suspended', 'licence_suspended'],
      [{ validFrom: yearsFromNow(-2), validTo: daysFromNow(-1) }, undefined, 'licence_expired'],
      [{ annualCapacityKg: 100 }, undefined, 'capacity'],
    ];
    for (const [licence, status, rule] of cases) {
      const res = await submitTo(await receiverWith(licence, status));
      expect(res.statusCode, rule).toBe(422);
      expect(res.json()).toMatchObject({ code: 'RULE_VIOLATION', rule });
      if (rule !== 'capacity') expect(res.json().wasteCode).toBe('900-214-08');
    }
  });

  it('counts manifests already received this year against the capacity', async () => {
    const r = await receiverWith({ annualCapacityKg: 300 });
    const [l] = await labelsOf(generator, 1);
    const m = await draft([l.id], { receiverId: r.org.id, carriers: [{ orgId: carrierA.org.id }] });
    await manifestAction(generator.client, m.id, { action: 'submit' });
    await manifestAction(carrierA.client, m.id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrierA.plate, driver: DRIVER });
    await manifestAction(carrierA.client, m.id, { action: 'deliver' });
    await manifestAction(r.client, m.id, { action: 'receive', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    // Planned for now, not in an hour: in the last hour of a year that would be next year's capacity.
    const res = await submitTo(r, { plannedAt: new Date().toISOString() }); // 180 + 180 > 300
    expect(res.json()).toMatchObject({ rule: 'capacity', usedKg: 180, manifestKg: 180 });
  });

  it('an exemption for that generator, receiver and code lets it through', async () => {
    const r = await receiverWith({ wasteCodes: ['HW49'] });
    const ex = await admin.post('/api/v1/exemptions', {
      generatorId: generator.org.id, receiverId: r.org.id, wasteCode: '900-214-08', approvalNo: `EX-${Date.now()}`,
      validFrom: yearsFromNow(-1), validTo: yearsFromNow(1),
    });
    expect(ex.statusCode, ex.body).toBe(201);
    // The exemption is for utilisation: shipping the waste there for incineration still needs a licence.
    const forDisposal = await submitTo(r, { exemptionId: ex.json().id });
    expect(forDisposal.json()).toMatchObject({ rule: 'licence_coverage' });
    const res = await submitTo(r, { exemptionId: ex.json().id, intendedMethod: 'R9' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().state).toBe('submitted');
    // The exempt receiver may utilise (R…) the waste without an operating licence for it, not dispose of it.
    const m = res.json();
    const lid = m.labels[0].labelId;
    await manifestAction(carrierA.client, m.id, { action: 'pickup', labelIds: [lid], vehiclePlate: carrierA.plate, driver: DRIVER });
    await manifestAction(carrierA.client, m.id, { action: 'deliver' });
    await manifestAction(r.client, m.id, { action: 'receive', items: [{ labelId: lid, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    const recycler = await addFacility(r.client, r.org.id, { kind: 'treatment', methods: ['R9', 'D10'] });
    expect((await act(r.client, lid, { action: 'treat', method: 'D10', facilityId: recycler })).json().rule).toBe('treatment_licence');
    expect((await act(r.client, lid, { action: 'treat', method: 'R9', facilityId: recycler })).statusCode).toBe(200);
    expect((await generator.client.get(`/api/v1/manifests/${m.id}`)).json().state).toBe('completed');
  });

  it('refuses a carrier without a transport licence and an unregistered vehicle', async () => {
    const bare = await createParty(t.app, admin, { roles: ['carrier'] });
    const [l] = await labelsOf(generator, 1);
    const m = await draft([l.id], { carriers: [{ orgId: bare.org.id }] });
    const res = await generator.client.post(`/api/v1/manifests/${m.id}/actions`, { action: 'submit' });
    expect(res.json()).toMatchObject({ rule: 'carrier_licence', carrierId: bare.org.id });
    const [l2] = await labelsOf(generator, 1);
    const m2 = await draft([l2.id], { carriers: [{ orgId: carrierA.org.id, vehiclePlate: '晋A00000' }] });
    const res2 = await generator.client.post(`/api/v1/manifests/${m2.id}/actions`, { action: 'submit' });
    expect(res2.json()).toMatchObject({ rule: 'vehicle_unregistered' });
  });
});

describe('concurrency and scanning', () => {
  it('10 concurrent submits in one city get 10 consecutive numbers', async () => {
    const ms = [];
    for (let i = 0; i < 10; i++) ms.push(await draft([(await issueLabel(generator.client)).id]));
    const results = await Promise.all(ms.map((m) => generator.client.post(`/api/v1/manifests/${m.id}/actions`, { action: 'submit' })));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const serials = results.map((r) => Number(r.json().number.slice(8))).sort((a, b) => a - b);
    for (let i = 1; i < serials.length; i++) expect(serials[i]).toBe(serials[i - 1] + 1);
  });

  it('two concurrent receive calls on one manifest: exactly one succeeds', async () => {
    const [l] = await labelsOf(generator, 1);
    const m = await draft([l.id], { carriers: [{ orgId: carrierA.org.id }] });
    await manifestAction(generator.client, m.id, { action: 'submit' });
    await manifestAction(carrierA.client, m.id, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrierA.plate, driver: DRIVER });
    await manifestAction(carrierA.client, m.id, { action: 'deliver' });
    const body = { action: 'receive', items: [{ labelId: l.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] };
    const [a, b] = await Promise.all([
      receiver.client.post(`/api/v1/manifests/${m.id}/actions`, body),
      receiver.client.post(`/api/v1/manifests/${m.id}/actions`, body),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const steps = await t.database.pool.query(`SELECT count(*)::int AS n FROM label_steps WHERE label_id = $1 AND action = 'accept'`, [l.id]);
    expect(steps.rows[0].n).toBe(1);
  });

  it('a pickup scan with one label missing and one foreign label is refused, listing both; nothing changes', async () => {
    const ls = await labelsOf(generator, 2);
    const foreign = await issueLabel(generator.client);
    const m = await draft(ls.map((l) => l.id), { carriers: [{ orgId: carrierA.org.id }] });
    await manifestAction(generator.client, m.id, { action: 'submit' });
    const res = await carrierA.client.post(`/api/v1/manifests/${m.id}/actions`, {
      action: 'pickup', qr: [ls[0].qrContent, foreign.qrContent], vehiclePlate: carrierA.plate, driver: DRIVER,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: 'scan_mismatch', missing: [{ labelId: ls[1].id, digitalCode: ls[1].digitalCode }], extra: [foreign.id] });
    const after = (await generator.client.get(`/api/v1/manifests/${m.id}`)).json();
    expect(after).toMatchObject({ state: 'submitted', version: m.version + 1 });
    expect(after.labels.every((l: { state: string }) => l.state === 'issued')).toBe(true);
  });

  it('a retried pickup with the same Idempotency-Key is recorded once', async () => {
    const [l] = await labelsOf(generator, 1);
    const m = await draft([l.id], { carriers: [{ orgId: carrierA.org.id }] });
    await manifestAction(generator.client, m.id, { action: 'submit' });
    const body = { action: 'pickup', labelIds: [l.id], vehiclePlate: carrierA.plate, driver: DRIVER };
    const headers = { 'idempotency-key': `pickup-${m.id}` };
    const [a, b] = await Promise.all([
      carrierA.client.post(`/api/v1/manifests/${m.id}/actions`, body, headers),
      carrierA.client.post(`/api/v1/manifests/${m.id}/actions`, body, headers),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json()).toEqual(b.json());
    const steps = await t.database.pool.query(`SELECT count(*)::int AS n FROM label_steps WHERE label_id = $1 AND action = 'dispatch'`, [l.id]);
    expect(steps.rows[0].n).toBe(1);
  });
});
