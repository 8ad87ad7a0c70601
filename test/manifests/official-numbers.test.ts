// Official 联单 numbers and the national record (docs/exchange.md): an exchange client of a regulator
// supervising the manifest records the number the national or provincial system assigned, audited
// and shown on the manifest; the same number again changes nothing; a number another manifest holds
// in the same system is a 409 with a rule, in another system it is fine; a second number needs a
// reason; a client without the role is refused (403), a regulator elsewhere does not see the manifest
// (404), a bad body is a 400. The national record of a completed manifest carries its parties,
// containers, weights and times as recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, login, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction, transferParties, type CarrierSite, type Site,
} from '../support/world.js';
import { thisYear } from '../support/dates.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrier: CarrierSite;
let receiver: Site;
/** Exchange clients of the generator's district, of the receiver's district, and of a district supervising neither. */
let exchange: Client;
let receiverSideExchange: Client;
let elsewhereExchange: Client;
let districtViewer: Party;

const nationalNumber = (serial: number) => `${thisYear()}1401${String(serial).padStart(6, '0')}`;
const assignedAt = () => new Date(Date.now() - 60_000).toISOString();

async function exchangeClientOf(regulator: Party): Promise<Client> {
  const res = await admin.post(`/api/v1/orgs/${regulator.org.id}/clients`, { name: 'link to the national system', roles: ['exchange'] });
  expect(res.statusCode, res.body).toBe(201);
  return login(t.app, res.json().clientId, res.json().clientSecret);
}

function put(client: Client, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'PUT', url: `/api/v1/manifests/${id}/official-number`, payload: body, headers: { authorization: `Bearer ${client.token}`, ...headers } });
}

function expectProblem(res: LightMyRequestResponse, status: number, rule?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  if (rule) expect(res.json().rule).toBe(rule);
}

/** A drafted manifest of `n` drums of 180 kg, submitted unless told otherwise. */
async function manifestOf(n: number, submit = true) {
  const labels = [];
  for (let i = 0; i < n; i++) labels.push(await issueLabel(generator.client));
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: labels.map((l) => l.id),
    plannedAt: new Date(Date.now() + 3_600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const m = submit ? await manifestAction(generator.client, res.json().id, { action: 'submit' }) : res.json();
  return { m, labels };
}

const auditOf = async (id: string) => (await admin.get(`/api/v1/audit?entityType=manifest&entityId=${id}`)).json().items as
  { action: string; outcome: string; before: Record<string, unknown>; after: Record<string, unknown> }[];

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  ({ generator, carrier, receiver } = await transferParties(t.app, admin, { wasteCodes: ['HW08'] }));
  districtViewer = await createRegulator(t.app, admin, '140105');
  exchange = await exchangeClientOf(districtViewer);
  receiverSideExchange = await exchangeClientOf(await createRegulator(t.app, admin, '140121'));
  elsewhereExchange = await exchangeClientOf(await createRegulator(t.app, admin, '140106'));
});
afterAll(() => t.close());

describe('the exchange role', () => {
  it('is held only by a regulator\'s clients', async () => {
    const res = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'x', roles: ['exchange'] });
    expectProblem(res, 400);
    expect(res.json().errors).toEqual([{ path: 'body.roles', message: 'exchange needs a regulator organisation' }]);
  });
});

describe('official numbers', () => {
  it('an exchange client records the national number: audited, on the manifest; the same again changes nothing', async () => {
    const { m } = await manifestOf(1);
    const body = { system: 'national', number: nationalNumber(101), assignedAt: assignedAt() };
    const res = await put(exchange, m.id, body);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({
      manifestId: m.id, manifestNumber: m.number, version: m.version + 1,
      officialNumber: { system: 'national', number: body.number, assignedAt: body.assignedAt, correctedAt: null, correctionReason: null },
    });
    expect(res.headers.etag).toBe(`"${m.version + 1}"`);

    const shown = (await generator.client.get(`/api/v1/manifests/${m.id}`)).json();
    expect(shown.version).toBe(m.version + 1);
    expect(shown.officialNumbers).toEqual([res.json().officialNumber]);
    expect(shown.number).toBe(m.number); // our own number stays

    const entries = (await auditOf(m.id)).filter((e) => e.action === 'assign_official_number');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'applied', after: { system: 'national', number: body.number, version: m.version + 1 } });

    const again = await put(exchange, m.id, body);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toEqual(res.json());
    expect((await generator.client.get(`/api/v1/manifests/${m.id}`)).json().version).toBe(m.version + 1);
    expect((await auditOf(m.id)).filter((e) => e.action === 'assign_official_number')).toHaveLength(1);

    // The regulator of the receiver's district may record too (a provincial number here).
    const provincial = await put(receiverSideExchange, m.id, { system: 'provincial', number: 'SX-2026-000101', assignedAt: assignedAt() });
    expect(provincial.statusCode, provincial.body).toBe(201);
    const both = (await receiver.client.get(`/api/v1/manifests/${m.id}`)).json().officialNumbers;
    expect(both.map((o: { system: string; number: string }) => [o.system, o.number])).toEqual([['national', body.number], ['provincial', 'SX-2026-000101']]);

    // Found by its official number, by whoever may read it.
    const found = await generator.client.get(`/api/v1/manifests/by-official-number/national/${body.number}`);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json().id).toBe(m.id);
    expect((await elsewhereExchange.get(`/api/v1/manifests/by-official-number/national/${body.number}`)).statusCode).toBe(404);
  });

  it('a number another manifest holds in the same system is a 409 with a rule; in another system it is fine', async () => {
    const { m: first } = await manifestOf(1);
    const { m: second } = await manifestOf(1);
    const number = nationalNumber(202);
    expect((await put(exchange, first.id, { system: 'national', number, assignedAt: assignedAt() })).statusCode).toBe(201);

    const taken = await put(exchange, second.id, { system: 'national', number, assignedAt: assignedAt() });
    expectProblem(taken, 409, 'official_number_taken');
    expect(taken.body).not.toContain(first.id); // the other manifest is not named
    expect((await generator.client.get(`/api/v1/manifests/${second.id}`)).json()).toMatchObject({ version: second.version, officialNumbers: [] });

    const otherSystem = await put(exchange, second.id, { system: 'provincial', number, assignedAt: assignedAt() });
    expect(otherSystem.statusCode, otherSystem.body).toBe(201);
  });

  it('two manifests recording the same number at once: one gets it, the other the rule', async () => {
    const ms = [(await manifestOf(1)).m, (await manifestOf(1)).m];
    const number = nationalNumber(250);
    const answers = await Promise.all(ms.map((m) => put(exchange, m.id, { system: 'national', number, assignedAt: assignedAt() })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.statusCode === 409)!.json().rule).toBe('official_number_taken');
    const { rows } = await t.database.pool.query('SELECT manifest_id FROM manifest_official_numbers WHERE system = $1 AND number = $2', ['national', number]);
    expect(rows).toHaveLength(1);
  });

  it('another number for the same system needs a reason; the correction keeps the old value in the audit trail', async () => {
    const { m } = await manifestOf(1);
    const [oldNumber, newNumber] = [nationalNumber(301), nationalNumber(302)];
    expect((await put(exchange, m.id, { system: 'national', number: oldNumber, assignedAt: assignedAt() })).statusCode).toBe(201);

    const noReason = await put(exchange, m.id, { system: 'national', number: newNumber, assignedAt: assignedAt() });
    expectProblem(noReason, 409, 'official_number_assigned');
    expect(noReason.json().current).toMatchObject({ number: oldNumber });

    const corrected = await put(exchange, m.id, { system: 'national', number: newNumber, assignedAt: assignedAt(), reason: '国家系统重新分配编号' });
    expect(corrected.statusCode, corrected.body).toBe(200);
    expect(corrected.json().officialNumber).toMatchObject({ number: newNumber, correctionReason: '国家系统重新分配编号' });
    expect(corrected.json().officialNumber.correctedAt).not.toBeNull();
    const entry = (await auditOf(m.id)).find((e) => e.action === 'correct_official_number');
    expect(entry).toMatchObject({ before: { number: oldNumber }, after: { number: newNumber, correctionReason: '国家系统重新分配编号' } });

    // The old number is free again: another manifest may hold it.
    const { m: other } = await manifestOf(1);
    expect((await put(exchange, other.id, { system: 'national', number: oldNumber, assignedAt: assignedAt() })).statusCode).toBe(201);
  });

  it('refuses clients without the exchange role (403) and regulators that supervise neither end (404)', async () => {
    const { m } = await manifestOf(1);
    const body = { system: 'national', number: nationalNumber(401), assignedAt: assignedAt() };
    expectProblem(await put(generator.client, m.id, body), 403);
    expectProblem(await put(admin, m.id, body), 403); // the city's registrar sees the manifest but is no exchange client
    expectProblem(await put(districtViewer.client, m.id, body), 403);
    expectProblem(await put(elsewhereExchange, m.id, body), 404);
    expect((await generator.client.get(`/api/v1/manifests/${m.id}`)).json()).toMatchObject({ version: m.version, officialNumbers: [] });
    const refused = (await auditOf(m.id)).filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => e.action)).toEqual(['assign_official_number', 'assign_official_number', 'assign_official_number']);
  });

  it('refuses a bad body (400), a draft and a national number of another city (422)', async () => {
    const { m } = await manifestOf(1);
    const good = { system: 'national', number: nationalNumber(501), assignedAt: assignedAt() };
    for (const bad of [
      { ...good, system: 'county' },
      { ...good, number: '2026-1401-1' },
      { ...good, number: '12345' }, // a national number has 14 digits
      { ...good, assignedAt: 'yesterday' },
      { ...good, assignedAt: new Date(Date.now() + 86_400_000).toISOString() },
      { ...good, reason: '' },
      { ...good, extra: true },
      { system: 'national', number: good.number },
    ]) {
      expectProblem(await put(exchange, m.id, bad), 400);
    }
    expectProblem(await put(exchange, m.id, { ...good, number: `${thisYear()}1407000001` }), 422, 'official_number_region');
    const { m: draft } = await manifestOf(1, false);
    expectProblem(await put(exchange, draft.id, good), 422, 'official_number_state');
    expect((await generator.client.get(`/api/v1/manifests/${m.id}`)).json().officialNumbers).toEqual([]);
  });
});

describe('the national record', () => {
  it('of a completed manifest: the parties, containers, weights and times as recorded', async () => {
    const { m, labels } = await manifestOf(2);
    await manifestAction(carrier.client, m.id, {
      action: 'pickup', labelIds: labels.map((l) => l.id), vehiclePlate: carrier.plate, driver: DRIVER, location: { lat: 37.85, lng: 112.56 },
    });
    await manifestAction(carrier.client, m.id, { action: 'deliver' });
    await manifestAction(receiver.client, m.id, {
      action: 'receive',
      items: [
        { labelId: labels[0].id, accepted: true, measuredQuantity: { value: 178.5, unit: 'kg' } },
        { labelId: labels[1].id, accepted: true, measuredQuantity: { value: 0.181, unit: 't' } },
      ],
    });
    for (const l of labels) await act(receiver.client, l.id, { action: 'treat', method: 'D10', facilityId: receiver.treatmentId });
    const number = nationalNumber(601);
    expect((await put(exchange, m.id, { system: 'national', number, assignedAt: assignedAt() })).statusCode).toBe(201);

    const manifest = (await generator.client.get(`/api/v1/manifests/${m.id}`)).json();
    expect(manifest.state).toBe('completed');
    const trace = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json();
    const res = await carrier.client.get(`/api/v1/manifests/${m.id}/national-record`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers.etag).toBe(`"${manifest.version}"`);
    const r = res.json();

    expect(r).toMatchObject({
      manifestId: m.id, manifestNumber: manifest.number, nationalNumber: number, provincialNumber: null,
      state: 'completed', transferType: 'within_province', emergencyMeasures: EMERGENCY_MEASURES,
      shipper: { orgId: generator.org.id, name: generator.org.name, uscc: generator.org.uscc, regionCode: '140105', filledAt: manifest.submittedAt },
      receiver: { orgId: receiver.org.id, name: receiver.org.name, uscc: receiver.org.uscc, external: false },
      transport: { departedAt: manifest.pickedUpAt, arrivedAt: manifest.deliveredAt, plannedAt: manifest.plannedAt },
      receipt: {
        acceptance: 'accepted', receivedAt: manifest.receivedAt, recordedAt: manifest.receiptRecordedAt, completedAt: manifest.completedAt,
        intendedMethod: 'D10', methodsApplied: ['D10'], discrepant: false,
      },
      totals: { containerCount: 2, declaredQuantityT: 0.36, acceptedQuantityT: 0.3595 },
    });
    expect(r.receiver.licences.map((l: { kind: string }) => l.kind)).toEqual(['comprehensive']);
    expect(r.carriers).toEqual([expect.objectContaining({
      sequence: 1, orgId: carrier.org.id, uscc: carrier.org.uscc, vehiclePlate: carrier.plate, driver: DRIVER,
      takenOverAt: manifest.pickedUpAt, handedOverAt: manifest.deliveredAt,
      transportLicences: [expect.objectContaining({ kind: 'transport' })],
    })]);
    expect(r.carriers[0].vehicleLicenceNumber).toBe(r.carriers[0].transportLicences[0].number);
    expect(r.wastes).toEqual([expect.objectContaining({
      code: '900-214-08', category: 'HW08', physicalForm: 'liquid', packaging: [{ type: 'drum', count: 2 }], containerCount: 2,
      declaredQuantityT: 0.36, acceptedQuantityT: 0.3595,
    })]);
    expect(r.wastes[0].hazardCharacteristics.length).toBeGreaterThan(0);
    expect(r.containers.map((c: { digitalCode: string; measuredKg: number }) => [c.digitalCode, c.measuredKg]).sort())
      .toEqual(labels.map((l, i) => [l.digitalCode, [178.5, 181][i]]).sort());
    expect(r.transport.trackPoints).toEqual([{ action: 'dispatch', occurredAt: manifest.pickedUpAt, lat: 37.85, lng: 112.56 }]);
    // Each party's confirmation is the step as the trace records it.
    expect(r.confirmations.map((c: { party: string; action: string }) => [c.party, c.action]))
      .toEqual([['shipper', 'submit'], ['carrier', 'pickup'], ['carrier', 'deliver'], ['receiver', 'receive'], ['system', 'complete']]);
    expect(r.confirmations.map((c: { occurredAt: string }) => c.occurredAt)).toEqual(trace.steps.map((s: { occurredAt: string }) => s.occurredAt));
    expect(r.receipt.confirmation).toMatchObject({ orgId: receiver.org.id, occurredAt: manifest.receivedAt });

    // Whoever may read the manifest reads the record; nobody else sees it.
    expect((await districtViewer.client.get(`/api/v1/manifests/${m.id}/national-record`)).statusCode).toBe(200);
    const stranger = await createParty(t.app, admin, { roles: ['generator'] });
    expectProblem(await stranger.client.get(`/api/v1/manifests/${m.id}/national-record`), 404);
  });
});
