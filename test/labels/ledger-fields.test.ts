// HJ 1259 ledger fields (docs/regulations.md#ledger-records): the receiver's 入库 states the measured
// weight; every record names its container's packaging and count; a generation record names the
// generating facility and the 去向; 经办人 is a named person, required from handset clients, and the
// client id stays in the audit trail while the person's document number stays out of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { login, loginAdmin, type Client } from '../support/factories.js';
import { act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, LABEL_BODY, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES } from '../support/world.js';

interface LedgerItem {
  kind: string; labelId: string; quantityKg: number; packagingType: string | null; containerCount: number;
  facilityCode: string | null; destination: string | null; destinationName: string | null;
  handledBy: { name: string; idNumber: string | null } | null; operatorClientId: string;
}

describe('HJ 1259 ledger fields', () => {
  let t: TestApp;
  let city: Client;
  let generator: Site;
  let receiver: Site;
  let carrier: CarrierSite;
  let handset: Client;

  const ledgerOf = async (site: Site, labelId: string) =>
    ((await site.client.get(`/api/v1/orgs/${site.org.id}/ledger`)).json().items as LedgerItem[]).filter((r) => r.labelId === labelId);

  beforeAll(async () => {
    t = await buildTestApp();
    city = await loginAdmin(t.app);
    carrier = await createCarrier(t.app, city);
    generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
    receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
    await addOperatingLicence(city, receiver.org.id);
    const res = await generator.client.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: '仓库扫码枪 1', roles: ['operator'], kind: 'handset' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().kind).toBe('handset');
    handset = await login(t.app, res.json().clientId, res.json().clientSecret);
  });
  afterAll(() => t.close());

  it('a generation record carries the packaging, the count, the generating facility and the 去向', async () => {
    const label = await issueLabel(generator.client, { generatingFacilityCode: 'MF0003', destination: 'own_disposal' });
    const [record] = await ledgerOf(generator, label.id);
    expect(record).toMatchObject({
      kind: 'HWCS', packagingType: 'drum', containerCount: 1, facilityCode: 'MF0003',
      destination: 'own_disposal', destinationName: '自行处置', handledBy: null, operatorClientId: generator.client.clientId,
    });
    // Without a 去向, the container goes to storage, the lifecycle's next step.
    const plain = await issueLabel(generator.client);
    expect((await ledgerOf(generator, plain.id))[0]).toMatchObject({ destination: 'storage', destinationName: '贮存', facilityCode: null });
    const bad = await generator.client.post('/api/v1/labels', { ...LABEL_BODY, destination: 'landfill' });
    expect(bad.statusCode).toBe(400);
  });

  it('the CSV shows the named handler, the packaging, the count and the 去向', async () => {
    const label = await issueLabel(generator.client, { handledBy: { name: '李娜' }, generatingFacilityCode: 'MF0001' });
    const csv = (await generator.client.get(`/api/v1/orgs/${generator.org.id}/ledger?format=csv`)).body;
    const line = csv.split('\r\n').find((l) => l.includes(label.digitalCode))!;
    expect(line.endsWith(',李娜,drum,1,贮存,')).toBe(true);
    expect(line).toContain(',MF0001,');
  });

  it('a handset client must name the person handling the step; nothing is recorded without one', async () => {
    const before = (await t.database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM labels WHERE generator_id = ${generator.org.id}`)).rows[0].n;
    const refused = await handset.post('/api/v1/labels', LABEL_BODY);
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().errors).toEqual([{ path: 'body.handledBy', message: 'required for handset clients' }]);
    const after = (await t.database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM labels WHERE generator_id = ${generator.org.id}`)).rows[0].n;
    expect(after).toBe(before);

    const label = (await handset.post('/api/v1/labels', { ...LABEL_BODY, handledBy: { name: '张伟', idNumber: '14010519800101001X' } })).json();
    const noName = await act(handset, label.id, { action: 'store', facilityId: generator.storageId });
    expect(noName.statusCode, noName.body).toBe(400);
    const stored = await act(handset, label.id, { action: 'store', facilityId: generator.storageId, handledBy: { name: '张伟' } });
    expect(stored.statusCode, stored.body).toBe(200);

    const records = await ledgerOf(generator, label.id);
    expect(records.map((r) => [r.kind, r.handledBy, r.operatorClientId])).toEqual([
      ['HWCS', { name: '张伟', idNumber: '14010519800101001X' }, handset.clientId],
      ['HWRK', { name: '张伟', idNumber: null }, handset.clientId],
    ]);
    // The trace shows who handled each step; the audit trail keeps the client and never the document number.
    const trace = (await generator.client.get(`/api/v1/labels/${label.id}/trace`)).json();
    expect(trace.steps.map((s: { details: { handledBy?: string } }) => s.details.handledBy)).toEqual(['张伟', '张伟']);
    const { rows } = await t.database.db.execute<{ client_id: string; after: unknown }>(
      sql`SELECT client_id, after FROM audit_entries WHERE entity_id = ${label.id} ORDER BY chain_seq`);
    expect(rows.map((r) => r.client_id)).toEqual([handset.clientId, handset.clientId]);
    expect(JSON.stringify(rows.map((r) => r.after))).not.toContain('14010519800101001X');
  });

  it('a system client may name a handler and need not', async () => {
    const label = await issueLabel(generator.client);
    expect((await act(generator.client, label.id, { action: 'store', facilityId: generator.storageId })).statusCode).toBe(200);
  });

  it('the receiver\'s 入库 states the weight it measured, not the declared one', async () => {
    const label = await issueLabel(generator.client, { quantity: { value: 180, unit: 'kg' } });
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date().toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    await manifestAction(generator.client, id, { action: 'submit' });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [label.id], vehiclePlate: carrier.plate, driver: DRIVER, handledBy: { name: '王师傅' } });
    await manifestAction(carrier.client, id, { action: 'deliver' });
    await manifestAction(receiver.client, id, {
      action: 'receive', handledBy: { name: '赵磊' },
      items: [{ labelId: label.id, accepted: true, measuredQuantity: { value: 176.5, unit: 'kg' } }],
    });
    const [rk] = await ledgerOf(receiver, label.id);
    expect(rk).toMatchObject({ kind: 'HWRK', quantityKg: 176.5, packagingType: 'drum', handledBy: { name: '赵磊', idNumber: null } });
    // The generator's own records keep what it declared and weighed out.
    expect((await ledgerOf(generator, label.id)).map((r) => [r.kind, r.quantityKg])).toEqual([['HWCS', 180], ['HWCK', 180], ['HWWWCZ', 180]]);
  });
});
