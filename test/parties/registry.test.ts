import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { addDays, daysFromNow, yearsFromNow } from '../support/dates.js';

let t: TestApp;
let admin: Client; // city registrar (1401)
let adminOrgId: string;
let receiver: Party;
let carrier: Party;
let generator: Party;
let district: Party; // regulator of 140106
let opLicence: { id: string; version: number };
let trLicence: { id: string };

const OPERATING = {
  kind: 'comprehensive', number: 'SX-HW-001', modes: ['storage', 'disposal'], wasteCodes: ['HW08', '900-041-49'],
  annualCapacityKg: 5_000_000, validFrom: yearsFromNow(-5), validTo: yearsFromNow(5), // in force today
};

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  return body;
}

async function auditOf(id: string) {
  const r = await t.database.pool.query('select action, outcome, before, after from audit_entries where entity_id = $1 order by seq', [id]);
  return r.rows as { action: string; outcome: string; before: unknown; after: unknown }[];
}

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  adminOrgId = JSON.parse(Buffer.from(admin.token.split('.')[1], 'base64url').toString()).org;
  receiver = await createParty(t.app, admin, { roles: ['receiver'], regionCode: '140105' });
  carrier = await createParty(t.app, admin, { roles: ['carrier'], regionCode: '140105' });
  generator = await createParty(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  district = await createRegulator(t.app, admin, '140106');
});
afterAll(() => t.close());

describe('licences', () => {
  it('registers a comprehensive licence with an ETag, at the holder\'s default site', async () => {
    const res = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, OPERATING);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    const body = res.json();
    expect(body).toMatchObject({
      orgId: receiver.org.id, kind: 'comprehensive', number: 'SX-HW-001', modes: ['storage', 'disposal'],
      wasteCodes: ['HW08', '900-041-49'], annualCapacityKg: 5_000_000, validFrom: OPERATING.validFrom, validTo: OPERATING.validTo,
      status: 'active', version: 1,
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    const sites = (await admin.get(`/api/v1/orgs/${receiver.org.id}/sites`)).json().items;
    expect(sites).toMatchObject([{ isDefault: true, orgId: receiver.org.id, regionCode: '140105' }]);
    expect(body.siteId).toBe(sites[0].id);
    opLicence = body;
    const audit = await auditOf(body.id);
    expect(audit).toMatchObject([{ action: 'create', outcome: 'applied' }]);
  });

  it('a licence covering HW08 covers 900-214-08 but not 841-001-01', async () => {
    const yes = await generator.client.get(`/api/v1/licences/${opLicence.id}/coverage?wasteCode=900-214-08`);
    expect(yes.statusCode, yes.body).toBe(200);
    expect(yes.json()).toEqual({ licenceId: opLicence.id, wasteCode: '900-214-08', covered: true, activeToday: true });
    const no = await generator.client.get(`/api/v1/licences/${opLicence.id}/coverage?wasteCode=841-001-01`);
    expect(no.json()).toMatchObject({ covered: false, activeToday: true });
    const exact = await generator.client.get(`/api/v1/licences/${opLicence.id}/coverage?wasteCode=900-041-49`);
    expect(exact.json().covered).toBe(true);
    expectProblem(await generator.client.get(`/api/v1/licences/${opLicence.id}/coverage?wasteCode=999-999-99`), 400, 'VALIDATION_FAILED');
  });

  it('validTo before validFrom → 400', async () => {
    const res = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-1', validFrom: daysFromNow(1), validTo: daysFromNow(0) });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.errors[0].path).toBe('body.validTo');
  });

  it('an unknown waste code → 400 naming it', async () => {
    const res = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-2', wasteCodes: ['HW08', '999-999-99'] });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.detail).toContain('999-999-99');
    expect(body.errors).toEqual([{ path: 'body.wasteCodes.1', message: expect.stringContaining('999-999-99') }]);
    // An unknown category, too.
    const cat = expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-2', wasteCodes: ['HW41'] }), 400, 'VALIDATION_FAILED');
    expect(cat.detail).toContain('HW41');
  });

  it('a comprehensive licence needs modes, codes and a capacity; a transport licence takes none', async () => {
    const { annualCapacityKg: _, ...noCapacity } = OPERATING;
    expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...noCapacity, number: 'X-3' }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-3', modes: [] }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-3', wasteCodes: [] }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post(`/api/v1/orgs/${carrier.org.id}/licences`, {
      kind: 'transport', number: 'T-X', modes: ['collection'], validFrom: OPERATING.validFrom, validTo: OPERATING.validTo,
    }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-3', extra: 1 }), 400, 'VALIDATION_FAILED');
  });

  it('registers a transport licence for a carrier', async () => {
    const res = await admin.post(`/api/v1/orgs/${carrier.org.id}/licences`, {
      kind: 'transport', number: '晋交运管许可危字140105000123号', validFrom: OPERATING.validFrom, validTo: OPERATING.validTo,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'transport', modes: [], wasteCodes: [], annualCapacityKg: null });
    trLicence = res.json();
  });

  it('the holder needs the matching organisation role → 422', async () => {
    const op = expectProblem(await admin.post(`/api/v1/orgs/${carrier.org.id}/licences`, { ...OPERATING, number: 'X-4' }), 422, 'RULE_VIOLATION');
    expect(op.rule).toBe('holder_role');
    const tr = expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, {
      kind: 'transport', number: 'T-Y', validFrom: OPERATING.validFrom, validTo: OPERATING.validTo,
    }), 422, 'RULE_VIOLATION');
    expect(tr.rule).toBe('holder_role');
  });

  it('a collector may hold a collection approval', async () => {
    const collector = await createParty(t.app, admin, { roles: ['collector'], regionCode: '140105', generatorClass: 'small_source' });
    const res = await admin.post(`/api/v1/orgs/${collector.org.id}/licences`, {
      kind: 'medical_collection_point', number: 'SX-COL-01', modes: ['collection', 'storage'], wasteCodes: ['HW01'],
      annualCapacityKg: 100_000, validFrom: OPERATING.validFrom, validTo: OPERATING.validTo,
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('a duplicate (kind, number) → 409', async () => {
    expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, OPERATING), 409, 'CONFLICT');
  });

  it('only a registrar registers licences', async () => {
    expectProblem(await receiver.client.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-5' }), 403, 'FORBIDDEN');
  });

  it('replays an Idempotency-Key instead of registering twice', async () => {
    const body = { ...OPERATING, number: 'SX-HW-IDEM' };
    const first = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, body, { 'idempotency-key': 'lic-idem-1' });
    const again = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, body, { 'idempotency-key': 'lic-idem-1' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('licences are a public register, except for a regulator outside its jurisdiction', async () => {
    const byGenerator = await generator.client.get(`/api/v1/licences/${opLicence.id}`);
    expect(byGenerator.statusCode).toBe(200);
    expect(byGenerator.headers.etag).toBe('"1"');
    const list = await carrier.client.get(`/api/v1/orgs/${receiver.org.id}/licences?kind=operating`);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((l: { number: string }) => l.number).sort()).toEqual(['SX-HW-001', 'SX-HW-IDEM']);
    expect(list.json().nextCursor).toBeNull();

    expectProblem(await district.client.get(`/api/v1/licences/${opLicence.id}`), 404, 'NOT_FOUND');
    expectProblem(await district.client.get(`/api/v1/orgs/${receiver.org.id}/licences`), 404, 'NOT_FOUND');
    expectProblem(await district.client.get(`/api/v1/licences/${opLicence.id}/coverage?wasteCode=900-214-08`), 404, 'NOT_FOUND');
    expectProblem(await district.client.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'X-6' }), 404, 'NOT_FOUND');
    expectProblem(await district.client.patch(`/api/v1/licences/${opLicence.id}`, { status: 'suspended' }), 404, 'NOT_FOUND');
  });

  it('pages a licence list', async () => {
    const p1 = await admin.get(`/api/v1/orgs/${receiver.org.id}/licences?limit=1`);
    expect(p1.json().items).toHaveLength(1);
    const p2 = await admin.get(`/api/v1/orgs/${receiver.org.id}/licences?limit=1&cursor=${p1.json().nextCursor}`);
    expect(p2.json().items).toHaveLength(1);
    expect(p2.json().items[0].id).not.toBe(p1.json().items[0].id);
    expect(p2.json().nextCursor).toBeNull();
  });

  it('status changes honour If-Match, bump the version and are audited', async () => {
    const stale = await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'suspended' }, { 'if-match': '"7"' });
    expect(expectProblem(stale, 412, 'VERSION_CONFLICT').currentVersion).toBe(1);

    const ok = await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'suspended' }, { 'if-match': '"1"' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'suspended', version: 2 });
    expect(ok.headers.etag).toBe('"2"');

    const audit = await auditOf(opLicence.id);
    expect(audit.map((a) => [a.action, a.outcome])).toEqual([
      ['create', 'applied'], ['suspend', 'refused'], ['suspend', 'applied'],
    ]);
    expect(audit[2]).toMatchObject({ before: { status: 'active', version: 1 }, after: { status: 'suspended', version: 2 } });

    const coverage = await admin.get(`/api/v1/licences/${opLicence.id}/coverage?wasteCode=900-214-08`);
    expect(coverage.json()).toMatchObject({ covered: true, activeToday: false });
  });

  it('setting the current status again changes nothing', async () => {
    const res = await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'suspended' });
    expect(res.json()).toMatchObject({ status: 'suspended', version: 2 });
  });

  it('only a registrar changes a status', async () => {
    expectProblem(await receiver.client.patch(`/api/v1/licences/${opLicence.id}`, { status: 'active' }), 403, 'FORBIDDEN');
    expectProblem(await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'expired' }), 400, 'VALIDATION_FAILED');
  });

  it('a revoked licence cannot be reactivated', async () => {
    const revoke = await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'revoked' }, { 'if-match': '"2"' });
    expect(revoke.json()).toMatchObject({ status: 'revoked', version: 3 });
    const back = expectProblem(await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'active' }), 422, 'RULE_VIOLATION');
    expect(back.rule).toBe('licence_revoked');
    expectProblem(await admin.patch(`/api/v1/licences/${opLicence.id}`, { status: 'suspended' }), 422, 'RULE_VIOLATION');
    expect((await admin.get(`/api/v1/licences/${opLicence.id}`)).json()).toMatchObject({ status: 'revoked', version: 3 });
  });

  it('an unknown licence → 404', async () => {
    expectProblem(await admin.get('/api/v1/licences/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
  });
});

describe('vehicles', () => {
  it('the carrier\'s admin registers a vehicle under its transport licence', async () => {
    const res = await carrier.client.post(`/api/v1/orgs/${carrier.org.id}/vehicles`, { plate: '晋A12345', licenceId: trLicence.id });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ orgId: carrier.org.id, licenceId: trLicence.id, plate: '晋A12345' });
    const ev = await admin.post(`/api/v1/orgs/${carrier.org.id}/vehicles`, { plate: '晋ad12345', licenceId: trLicence.id });
    expect(ev.statusCode, ev.body).toBe(201);
    expect(ev.json().plate).toBe('晋AD12345');
  });

  it('a malformed plate → 400, a duplicate plate → 409', async () => {
    for (const plate of ['ABC12345', '晋112345', '晋AI2345X', '晋A1234']) {
      expectProblem(await carrier.client.post(`/api/v1/orgs/${carrier.org.id}/vehicles`, { plate, licenceId: trLicence.id }), 400, 'VALIDATION_FAILED');
    }
    expectProblem(await carrier.client.post(`/api/v1/orgs/${carrier.org.id}/vehicles`, { plate: '晋A12345', licenceId: trLicence.id }), 409, 'CONFLICT');
  });

  it('a viewer cannot register a vehicle', async () => {
    const watcher = await createParty(t.app, admin, { roles: ['carrier'], regionCode: '140105' }, ['viewer']);
    const lic = await admin.post(`/api/v1/orgs/${watcher.org.id}/licences`, {
      kind: 'transport', number: 'T-VIEWER', validFrom: OPERATING.validFrom, validTo: OPERATING.validTo,
    });
    expect(lic.statusCode).toBe(201);
    expectProblem(await watcher.client.post(`/api/v1/orgs/${watcher.org.id}/vehicles`, { plate: '晋A54321', licenceId: lic.json().id }), 403, 'FORBIDDEN');
  });

  it('a vehicle needs a transport licence of its own organisation → 422', async () => {
    const rl = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, { ...OPERATING, number: 'SX-HW-002' });
    const own = expectProblem(await receiver.client.post(`/api/v1/orgs/${receiver.org.id}/vehicles`, { plate: '晋A66666', licenceId: rl.json().id }), 422, 'RULE_VIOLATION');
    expect(own.rule).toBe('vehicle_licence');
    // Another carrier's transport licence.
    const other = expectProblem(await receiver.client.post(`/api/v1/orgs/${receiver.org.id}/vehicles`, { plate: '晋A66666', licenceId: trLicence.id }), 422, 'RULE_VIOLATION');
    expect(other.rule).toBe('vehicle_licence');
  });

  it('another organisation cannot register vehicles for the carrier', async () => {
    expectProblem(await generator.client.post(`/api/v1/orgs/${carrier.org.id}/vehicles`, { plate: '晋A77777', licenceId: trLicence.id }), 404, 'NOT_FOUND');
  });

  it('lists vehicles to the carrier and its regulator only', async () => {
    const own = await carrier.client.get(`/api/v1/orgs/${carrier.org.id}/vehicles`);
    expect(own.statusCode).toBe(200);
    expect(own.json().items.map((v: { plate: string }) => v.plate).sort()).toEqual(['晋A12345', '晋AD12345']);
    expect((await admin.get(`/api/v1/orgs/${carrier.org.id}/vehicles`)).json().items).toHaveLength(2);
    expectProblem(await generator.client.get(`/api/v1/orgs/${carrier.org.id}/vehicles`), 404, 'NOT_FOUND');
    expectProblem(await district.client.get(`/api/v1/orgs/${carrier.org.id}/vehicles`), 404, 'NOT_FOUND');
  });
});

describe('facilities', () => {
  const url = () => `/api/v1/orgs/${receiver.org.id}/facilities`;

  it('registers storage and treatment facilities', async () => {
    const store = await receiver.client.post(url(), { code: 'WH-01', name: '危废贮存库一号', kind: 'storage', storageType: 'warehouse', capacityKg: 200_000 });
    expect(store.statusCode, store.body).toBe(201);
    expect(store.json()).toMatchObject({ code: 'WH-01', kind: 'storage', storageType: 'warehouse', capacityKg: 200_000, methods: [] });
    const kiln = await receiver.client.post(url(), { code: 'INC-01', name: '回转窑焚烧线', kind: 'treatment', methods: ['D10', 'R1'] });
    expect(kiln.statusCode, kiln.body).toBe(201);
    expect(kiln.json()).toMatchObject({ storageType: null, capacityKg: null, methods: ['D10', 'R1'] });
  });

  it('validates storage type and method codes', async () => {
    expectProblem(await receiver.client.post(url(), { code: 'WH-02', name: 'x', kind: 'storage' }), 400, 'VALIDATION_FAILED');
    expectProblem(await receiver.client.post(url(), { code: 'T-02', name: 'x', kind: 'treatment' }), 400, 'VALIDATION_FAILED');
    const unknown = expectProblem(await receiver.client.post(url(), { code: 'T-02', name: 'x', kind: 'treatment', methods: ['D99'] }), 400, 'VALIDATION_FAILED');
    // The 400 names the field and the codes it takes (GET /api/v1/catalog/methods lists them too).
    expect(unknown.detail).toContain('body.methods.0');
    expect(unknown.detail).toContain('D10, D16');
    expectProblem(await receiver.client.post(url(), { code: 'T-02', name: 'x', kind: 'treatment', methods: ['D10'], storageType: 'pool' }), 400, 'VALIDATION_FAILED');
  });

  it('a duplicate code in the organisation → 409; the same code elsewhere is fine', async () => {
    expectProblem(await receiver.client.post(url(), { code: 'WH-01', name: 'again', kind: 'storage', storageType: 'yard' }), 409, 'CONFLICT');
    const elsewhere = await generator.client.post(`/api/v1/orgs/${generator.org.id}/facilities`, { code: 'WH-01', name: '贮存点', kind: 'storage', storageType: 'point' });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
  });

  it('only the org\'s admin or a registrar registers, only the org and its regulator read', async () => {
    const op = await createParty(t.app, admin, { roles: ['receiver'], regionCode: '140105' }, ['operator']);
    expectProblem(await op.client.post(`/api/v1/orgs/${op.org.id}/facilities`, { code: 'A', name: 'x', kind: 'storage', storageType: 'yard' }), 403, 'FORBIDDEN');
    expect((await receiver.client.get(url())).json().items).toHaveLength(2);
    expect((await admin.get(`${url()}?kind=treatment`)).json().items).toHaveLength(1);
    expectProblem(await generator.client.get(url()), 404, 'NOT_FOUND');
  });
});

describe('exemptions', () => {
  let exemptionId: string;
  const base = () => ({
    generatorId: generator.org.id, receiverId: receiver.org.id, wasteCode: '900-214-08',
    approvalNo: '并环豁〔2025〕1号', validFrom: yearsFromNow(-1), validTo: yearsFromNow(5),
  });

  it('a registrar approves one generator → one receiver → one code', async () => {
    const res = await admin.post('/api/v1/exemptions', base());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ ...base(), regionCode: '140105' });
    exemptionId = res.json().id;
  });

  it('a receiver without the receiver or collector role → 422', async () => {
    const res = expectProblem(await admin.post('/api/v1/exemptions', { ...base(), receiverId: carrier.org.id, approvalNo: 'E-2' }), 422, 'RULE_VIOLATION');
    expect(res.rule).toBe('holder_role');
    const gen = expectProblem(await admin.post('/api/v1/exemptions', { ...base(), generatorId: carrier.org.id, approvalNo: 'E-2' }), 422, 'RULE_VIOLATION');
    expect(gen.rule).toBe('holder_role');
  });

  it('checks the code, the dates and the approval number', async () => {
    expectProblem(await admin.post('/api/v1/exemptions', { ...base(), wasteCode: '999-999-99', approvalNo: 'E-3' }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post('/api/v1/exemptions', { ...base(), validTo: addDays(base().validFrom, -1), approvalNo: 'E-3' }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post('/api/v1/exemptions', base()), 409, 'CONFLICT');
  });

  it('the generator must be in the registrar\'s jurisdiction', async () => {
    expectProblem(await district.client.post('/api/v1/exemptions', { ...base(), approvalNo: 'E-4' }), 404, 'NOT_FOUND');
    expectProblem(await generator.client.post('/api/v1/exemptions', { ...base(), approvalNo: 'E-4' }), 403, 'FORBIDDEN');
  });

  it('its parties and regulators see it, nobody else', async () => {
    for (const c of [generator.client, receiver.client, admin]) {
      const list = await c.get(`/api/v1/exemptions?generatorId=${generator.org.id}`);
      expect(list.json().items.map((e: { id: string }) => e.id)).toEqual([exemptionId]);
      expect((await c.get(`/api/v1/exemptions/${exemptionId}`)).statusCode).toBe(200);
    }
    for (const c of [carrier.client, district.client]) {
      expect((await c.get('/api/v1/exemptions')).json().items).toEqual([]);
      expectProblem(await c.get(`/api/v1/exemptions/${exemptionId}`), 404, 'NOT_FOUND');
    }
  });
});

describe('insurance', () => {
  it('records a policy of a licensed operator', async () => {
    const res = await admin.post(`/api/v1/orgs/${receiver.org.id}/insurance`, {
      policyNo: 'PICC-2025-0001', insurer: '中国人民财产保险', coverageCny: 5_000_000, validFrom: yearsFromNow(-1), validTo: yearsFromNow(1),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ orgId: receiver.org.id, policyNo: 'PICC-2025-0001', coverageCny: 5_000_000 });
    expectProblem(await admin.post(`/api/v1/orgs/${receiver.org.id}/insurance`, {
      policyNo: 'PICC-2025-0001', insurer: 'x', validFrom: yearsFromNow(-1), validTo: yearsFromNow(1),
    }), 409, 'CONFLICT');
  });

  it('a party without an operating licence or the receiver role → 422', async () => {
    const res = expectProblem(await admin.post(`/api/v1/orgs/${generator.org.id}/insurance`, {
      policyNo: 'PICC-2025-0002', insurer: 'x', validFrom: yearsFromNow(-1), validTo: yearsFromNow(1),
    }), 422, 'RULE_VIOLATION');
    expect(res.rule).toBe('holder_role');
  });

  it('lists policies to the org and its regulator', async () => {
    expect((await receiver.client.get(`/api/v1/orgs/${receiver.org.id}/insurance`)).json().items).toHaveLength(1);
    expect((await admin.get(`/api/v1/orgs/${receiver.org.id}/insurance`)).json().items).toHaveLength(1);
    expectProblem(await carrier.client.get(`/api/v1/orgs/${receiver.org.id}/insurance`), 404, 'NOT_FOUND');
    expectProblem(await receiver.client.post(`/api/v1/orgs/${receiver.org.id}/insurance`, {
      policyNo: 'P-3', insurer: 'x', validFrom: yearsFromNow(-1), validTo: yearsFromNow(1),
    }), 403, 'FORBIDDEN');
  });
});

describe('inspections', () => {
  // Spot checks of March and April 2025: past dates, and past whatever day the suite runs on.
  it('a registrar records a spot check', async () => {
    const res = await admin.post('/api/v1/inspections', { orgId: generator.org.id, date: '2025-03-14', passed: false, findings: '台账不完整' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ orgId: generator.org.id, inspectorOrgId: adminOrgId, date: '2025-03-14', passed: false, findings: '台账不完整', regionCode: '140105' });
    const ok = await admin.post('/api/v1/inspections', { orgId: receiver.org.id, date: '2025-04-01', passed: true });
    expect(ok.json().findings).toBe('');
  });

  it('refuses a future date and an organisation outside the jurisdiction', async () => {
    expectProblem(await admin.post('/api/v1/inspections', { orgId: generator.org.id, date: daysFromNow(1), passed: true }), 400, 'VALIDATION_FAILED');
    expectProblem(await admin.post('/api/v1/inspections', { orgId: generator.org.id, date: '2999-01-01', passed: true }), 400, 'VALIDATION_FAILED');
    expectProblem(await district.client.post('/api/v1/inspections', { orgId: generator.org.id, date: '2025-03-14', passed: true }), 404, 'NOT_FOUND');
  });

  it('lists inspections to regulators only, scoped to their jurisdiction', async () => {
    expectProblem(await generator.client.get('/api/v1/inspections'), 403, 'FORBIDDEN');
    const all = await admin.get('/api/v1/inspections');
    expect(all.statusCode).toBe(200);
    expect(all.json().items).toHaveLength(2);
    const march = await admin.get('/api/v1/inspections?from=2025-03-01&to=2025-03-31');
    expect(march.json().items.map((i: { orgId: string }) => i.orgId)).toEqual([generator.org.id]);
    expect((await admin.get(`/api/v1/inspections?orgId=${receiver.org.id}`)).json().items).toHaveLength(1);
    expect((await admin.get('/api/v1/inspections?passed=false')).json().items).toHaveLength(1);
    expect((await district.client.get('/api/v1/inspections')).json().items).toEqual([]);
    expectProblem(await admin.get('/api/v1/inspections?from=2025-04-01&to=2025-03-01'), 400, 'VALIDATION_FAILED');
  });
});
