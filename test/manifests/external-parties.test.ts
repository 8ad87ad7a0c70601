// Parties beyond the jurisdiction (docs/regulations.md#external-parties): an external receiver is
// registered with its declared licence and gets no clients; a transfer to another province is
// refused at submit without a 跨省转移 approval covering its codes and valid on its date, accepted
// with one, and its receipt consumes the approval; the external receiver confirms through a
// one-time signed link (refused when replayed or altered), or the generator records the returned
// paper copy with its scan. Every refusal is a 4xx problem with a rule code and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, randomUscc, type Client } from '../support/factories.js';
import { addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site } from '../support/world.js';
import { daysFromNow, yearsFromNow } from '../support/dates.js';

const EMERGENCY = '泄漏时用吸附棉围堵，报告生态环境部门';
const MINIMAL_PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n', 'latin1');

describe('parties beyond the jurisdiction', () => {
  let t: TestApp;
  let city: Client;
  let generator: Site;
  let carrier: CarrierSite;
  let hebei: { id: string };
  let jinzhong: { id: string };

  const registerExternal = (regionCode: string, body: Record<string, unknown> = {}) => city.post('/api/v1/external-parties', {
    uscc: randomUscc(), name: `外省处置 ${regionCode}`, roles: ['receiver'], regionCode,
    contact: { name: '李四', phone: '13900000000', email: 'receipts@example.org' }, address: '石家庄市',
    licence: { number: `HE-${Date.now()}`, issuingAuthority: '河北省生态环境厅', validFrom: yearsFromNow(-1), validTo: yearsFromNow(3) },
    ...body,
  });

  const approval = (body: Record<string, unknown> = {}) => city.post('/api/v1/cross-province-approvals', {
    number: `KS-${Date.now()}-${Math.random()}`, issuingAuthority: '山西省生态环境厅', generatorId: generator.org.id, receiverId: hebei.id,
    wasteCodes: ['900-214-08'], approvedKg: 1000, validFrom: daysFromNow(-30), validTo: daysFromNow(300), ...body,
  });

  async function draft(receiverId: string) {
    const label = await issueLabel(generator.client);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date(Date.now() + 3_600_000).toISOString(),
      intendedMethod: 'R9', emergencyMeasures: EMERGENCY,
    });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id as string, labelId: label.id as string };
  }

  async function deliver(id: string, labelId: string) {
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [labelId], vehiclePlate: carrier.plate, driver: DRIVER });
    return manifestAction(carrier.client, id, { action: 'deliver' });
  }

  const expectRule = (res: LightMyRequestResponse, status: number, rule: string) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().rule).toBe(rule);
  };

  beforeAll(async () => {
    t = await buildTestApp({ PAPER_SCAN_MAX_BYTES: String(64 * 1024) });
    city = await loginAdmin(t.app);
    carrier = await createCarrier(t.app, city);
    generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
    const h = await registerExternal('130102');
    expect(h.statusCode, h.body).toBe(201);
    hebei = h.json();
    const j = await registerExternal('140702', { name: '晋中处置', contact: { name: '王五', phone: '13700000000' } });
    expect(j.statusCode, j.body).toBe(201);
    jinzhong = j.json();
  });
  afterAll(() => t.close());

  it('registers an external party with its declared licence; it gets no clients, and one of ours is not external', async () => {
    expect(hebei).toMatchObject({
      regionCode: '130102', roles: ['receiver'], external: true,
      declaredLicence: { issuingAuthority: '河北省生态环境厅', validTo: yearsFromNow(3) },
    });
    // Generators find it in the directory; the city's regulator sees it although it lies outside.
    expect((await generator.client.get(`/api/v1/orgs/${hebei.id}`)).json()).toMatchObject({ regionCode: '130102' });
    expect((await city.get(`/api/v1/orgs/${hebei.id}`)).statusCode).toBe(200);
    expect((await registerExternal('130102', { uscc: 'not-a-uscc-123456' })).statusCode).toBe(400);
    expectRule(await registerExternal('140105'), 422, 'external_in_jurisdiction');
    expectRule(await city.post(`/api/v1/orgs/${hebei.id}/clients`, { name: 'x', roles: ['operator'] }), 422, 'external_no_clients');
  });

  it('refuses approvals beyond 12 months or within the province', async () => {
    expectRule(await approval({ validFrom: daysFromNow(0), validTo: daysFromNow(400) }), 422, 'cross_province_approval_scope');
    expectRule(await approval({ receiverId: jinzhong.id }), 422, 'cross_province_approval_scope');
  });

  it('a submit to another province: refused without an approval, with an expired one and one for other codes; accepted with one, consumed on receipt through the signed link, which works once', async () => {
    const { id, labelId } = await draft(hebei.id);
    const unchanged = async () => {
      const m = (await generator.client.get(`/api/v1/manifests/${id}`)).json();
      expect(m).toMatchObject({ state: 'draft', version: 1, number: null, crossProvinceApprovalId: null });
    };
    expectRule(await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit' }), 422, 'cross_province_approval_missing');
    await unchanged();

    expect((await approval({ validFrom: yearsFromNow(-2), validTo: daysFromNow(-400) })).statusCode).toBe(201);
    expectRule(await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit' }), 422, 'cross_province_approval_expired');
    await unchanged();

    expect((await approval({ wasteCodes: ['900-249-08'] })).statusCode).toBe(201);
    const otherCode = await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit' });
    expectRule(otherCode, 422, 'cross_province_approval_code');
    expect(otherCode.json().wasteCodes).toEqual(['900-214-08']);
    await unchanged();

    const good = await approval({ approvedKg: 1000 });
    expect(good.statusCode, good.body).toBe(201);
    const submitted = await manifestAction(generator.client, id, { action: 'submit' });
    expect(submitted).toMatchObject({ state: 'submitted', receiverExternal: true, crossProvinceApprovalId: good.json().id });

    const delivered = await deliver(id, labelId);
    expect(delivered.state).toBe('delivered');
    const outbox = (await generator.client.get(`/api/v1/manifests/${id}/receipt-links`)).json().items;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ recipient: 'receipts@example.org', usedAt: null });
    const link = outbox[0].link as string;
    expect(link.startsWith('https://hw.test/api/v1/external-receipts/')).toBe(true);
    const token = link.slice(link.lastIndexOf('/') + 1);

    // No access token: the link is the credential.
    const shown = await t.app.inject({ method: 'GET', url: `/api/v1/external-receipts/${token}` });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({ id, state: 'delivered' });

    const body = { items: [{ labelId, accepted: true, measuredQuantity: { value: 175, unit: 'kg' } }] };
    const [head, payload, sig] = token.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const alteredToken = `${head}.${Buffer.from(JSON.stringify({ ...forged, ver: forged.ver + 1 })).toString('base64url')}.${sig}`;
    for (const bad of [alteredToken, `${token.slice(0, -2)}xx`, 'not-a-token']) {
      const res = await t.app.inject({ method: 'POST', url: `/api/v1/external-receipts/${bad}`, payload: body });
      expect(res.statusCode, res.body).toBe(401);
    }
    expect((await generator.client.get(`/api/v1/manifests/${id}`)).json().state).toBe('delivered');
    // A receipt that does not list every container is refused and leaves the link usable.
    const wrong = await t.app.inject({ method: 'POST', url: `/api/v1/external-receipts/${token}`, payload: { items: [{ ...body.items[0], labelId: generator.org.id }] } });
    expectRule(wrong, 422, 'receipt_items');

    const received = await t.app.inject({ method: 'POST', url: `/api/v1/external-receipts/${token}`, payload: body });
    expect(received.statusCode, received.body).toBe(200);
    expect(received.json()).toMatchObject({ state: 'received', totals: { acceptedKg: 175 } });
    const consumed = (await city.get(`/api/v1/cross-province-approvals/${good.json().id}`)).json();
    expect(consumed).toMatchObject({ approvedKg: 1000, consumedKg: 175, remainingKg: 825 });

    const trace = (await generator.client.get(`/api/v1/manifests/${id}/trace`)).json();
    const receipt = trace.steps.find((s: { action: string }) => s.action === 'receive');
    expect(receipt).toMatchObject({ orgId: hebei.id, details: { via: 'signed_link' } });

    const replay = await t.app.inject({ method: 'POST', url: `/api/v1/external-receipts/${token}`, payload: body });
    expectRule(replay, 422, 'receipt_link_used');
    expectRule(await t.app.inject({ method: 'GET', url: `/api/v1/external-receipts/${token}` }), 422, 'receipt_link_used');
    expect((await city.get(`/api/v1/cross-province-approvals/${good.json().id}`)).json().consumedKg).toBe(175);
  });

  it('refuses a link the platform signed once it has expired', async () => {
    const { rows: [key] } = await t.database.pool.query('SELECT kid, private_jwk FROM signing_keys ORDER BY created_at LIMIT 1');
    const signing = await importJWK(key.private_jwk, 'EdDSA');
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ mid: randomUUID(), ver: 5 }).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'hw-receipt+jwt' })
      .setJti(randomUUID()).setIssuedAt(past - 3600).setExpirationTime(past).sign(signing);
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/external-receipts/${expired}`, payload: { items: [{ labelId: randomUUID(), accepted: true, measuredQuantity: { value: 1, unit: 'kg' } }] } });
    expectRule(res, 422, 'receipt_link_expired');
  });

  it('refuses a submit when the approval has not enough left', async () => {
    const { id } = await draft(hebei.id);
    // 1000 approved per approval: use a fresh pair so the earlier approvals do not count.
    const other = (await registerExternal('130103')).json();
    const again = await generator.client.patch(`/api/v1/manifests/${id}`, { receiverId: other.id });
    expect(again.statusCode, again.body).toBe(200);
    expect((await approval({ receiverId: other.id, approvedKg: 100 })).statusCode).toBe(201);
    expectRule(await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit' }), 422, 'cross_province_approval_quantity');
  });

  it('within Shanxi no approval is needed; the generator records the receipt from the returned paper copy with its scan', async () => {
    const { id, labelId } = await draft(jinzhong.id);
    const submitted = await manifestAction(generator.client, id, { action: 'submit' });
    expect(submitted).toMatchObject({ receiverExternal: true, crossProvinceApprovalId: null });
    await deliver(id, labelId);
    expect((await generator.client.get(`/api/v1/manifests/${id}/receipt-links`)).json().items[0].recipient).toBe('13700000000');

    const body = { action: 'receive', items: [{ labelId, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] };
    expectRule(await generator.client.post(`/api/v1/manifests/${id}/actions`, body), 422, 'receipt_copy_missing');
    const put = (content: Buffer, type: string) => t.app.inject({
      method: 'PUT', url: `/api/v1/manifests/${id}/receipt-copy`, payload: content,
      headers: { authorization: `Bearer ${generator.client.token}`, 'content-type': type },
    });
    expectRule(await put(Buffer.from('not a pdf at all'), 'application/pdf'), 422, 'paper_scan_type');
    const stored = await put(MINIMAL_PDF, 'application/pdf');
    expect(stored.statusCode, stored.body).toBe(201);
    expectRule(await put(MINIMAL_PDF, 'application/pdf'), 422, 'receipt_copy_exists');

    const received = await manifestAction(generator.client, id, body);
    expect(received.state).toBe('received');
    const trace = (await generator.client.get(`/api/v1/manifests/${id}/trace`)).json();
    expect(trace.steps.find((s: { action: string }) => s.action === 'receive').details).toMatchObject({ via: 'paper_copy', receiptCopySha256: stored.json().sha256 });
    const back = await generator.client.get(`/api/v1/manifests/${id}/receipt-copy`);
    expect(back.statusCode).toBe(200);
    expect(Buffer.from(back.rawPayload).equals(MINIMAL_PDF)).toBe(true);
  });
  it('an external carrier has no clients: the generator records its pickup and delivery from the paper waybill, and the steps say so', async () => {
    const ext = await registerExternal('140702', { name: '晋中运输', roles: ['carrier'], contact: { name: '赵六', phone: '13600000000' } });
    expect(ext.statusCode, ext.body).toBe(201);
    const receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['R9']);
    await addOperatingLicence(city, receiver.org.id);
    const label = await issueLabel(generator.client);
    const created = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: ext.json().id }], labelIds: [label.id],
      plannedAt: new Date(Date.now() + 3_600_000).toISOString(), intendedMethod: 'R9', emergencyMeasures: EMERGENCY,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await manifestAction(generator.client, id, { action: 'submit' });
    // No one else may take the carrier's place: not the receiver, and another carrier does not even see the manifest.
    const pickup = { action: 'pickup', labelIds: [label.id], vehiclePlate: '晋K12345', driver: DRIVER };
    expect((await carrier.client.post(`/api/v1/manifests/${id}/actions`, pickup)).statusCode).toBe(404);
    expect((await receiver.client.post(`/api/v1/manifests/${id}/actions`, pickup)).statusCode).toBe(403);
    const picked = await manifestAction(generator.client, id, pickup);
    expect(picked.state).toBe('in_transit');
    expect(picked.carriers[0]).toMatchObject({ orgId: ext.json().id, vehiclePlate: '晋K12345' });
    await manifestAction(generator.client, id, { action: 'deliver' });
    const received = await manifestAction(receiver.client, id, { action: 'receive', items: [{ labelId: label.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    expect(received.state).toBe('received');
    const steps = (await city.get(`/api/v1/manifests/${id}/trace`)).json().steps as Array<{ action: string; orgId: string; details: Record<string, unknown> }>;
    for (const action of ['pickup', 'deliver']) {
      const step = steps.find((s) => s.action === action)!;
      expect(step.orgId).toBe(generator.org.id);
      expect(step.details).toMatchObject({ recordedFor: ext.json().id, via: 'paper_waybill' });
    }
    expect(steps.find((s) => s.action === 'receive')!.details.via).toBeUndefined();
  });
});
