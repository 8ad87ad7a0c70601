// The manifest printed as the driver carries it (GET /api/v1/manifests/{id} with format=pdf or
// Accept: application/pdf): it parses, and its text (in the embedded CJK font) carries the number and
// the official number, the parties with USCC, licences and contacts, the carriers with vehicles and
// drivers, every container, each step with the person who handled it, and the emergency measures;
// its QR names the manifest. Without PDF asked for, the JSON answer is as before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, login, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction, type CarrierSite, type Site,
} from '../support/world.js';
import { thisYear } from '../support/dates.js';
import { pdfPages, pdfText, rasterise, savePdf, zbar } from './pdf-tools.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrierA: CarrierSite;
let carrierB: CarrierSite;
let receiver: Site;
let receiverLicence: string;
let regulator: Party;
let dir: string;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105', name: '太原市迎泽区某某机械制造有限公司' });
  carrierA = await createCarrier(t.app, admin, '晋A12345', { name: '山西某某危险货物运输有限公司' });
  carrierB = await createCarrier(t.app, admin, '晋A67890', { name: '太原某某物流有限公司' });
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121', name: '山西某某环保科技有限公司' }, ['D10', 'R2']);
  receiverLicence = (await addOperatingLicence(admin, receiver.org.id, { wasteCodes: ['HW08', 'HW49'], number: '晋危废经许 1401-0042' })).number;
  regulator = await createRegulator(t.app, admin, '140105');
  dir = mkdtempSync(join(tmpdir(), 'manifest-pdf-'));
});
afterAll(async () => {
  // KEEP_PDF=1 keeps the PDFs and their rasters in the temporary directory, to look at them.
  if (!process.env.KEEP_PDF) rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const compact = (s: string) => s.replace(/\s+/g, '');

async function draft(labelIds: string[], emergencyMeasures = EMERGENCY_MEASURES) {
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrierA.org.id }, { orgId: carrierB.org.id }], labelIds,
    plannedAt: new Date(Date.now() + 3_600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function printed(client: Client, id: string, name: string, query = '?format=pdf', headers: Record<string, string> = {}) {
  const res = await client.get(`/api/v1/manifests/${id}${query}`, headers);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(String(res.headers['content-disposition'])).toMatch(/^inline; filename="manifest-[\w-]+\.pdf"$/);
  // The JSON's ETag names the JSON representation; the PDF carries none, and both vary on Accept.
  expect(res.headers.etag).toBeUndefined();
  expect(res.headers.vary).toMatch(/Accept/);
  return savePdf(dir, name, res.rawPayload);
}

describe('the printed manifest', () => {
  it('a two-carrier journey, received: numbers, parties, carriers, containers, steps and emergency measures, on A4, with its QR', async () => {
    const labels = [
      await issueLabel(generator.client, { wasteName: '废发动机油' }),
      await issueLabel(generator.client, { wasteName: '废液压油', packaging: { type: 'IBC', volumeL: 1000 } }),
    ];
    const m = await draft(labels.map((l) => l.id));
    const submitted = await manifestAction(generator.client, m.id, { action: 'submit' });
    await manifestAction(carrierA.client, m.id, { action: 'pickup', qr: labels.map((l) => l.qrContent), vehiclePlate: carrierA.plate, driver: DRIVER, handledBy: { name: '王师傅' } });
    await manifestAction(carrierB.client, m.id, { action: 'handover', vehiclePlate: carrierB.plate, driver: { name: '赵师傅', qualificationNo: 'DG-140100-0002' } });
    await manifestAction(carrierB.client, m.id, { action: 'deliver' });
    await manifestAction(receiver.client, m.id, {
      action: 'receive', handledBy: { name: '孙化验' },
      items: [
        { labelId: labels[0].id, accepted: true, measuredQuantity: { value: 179.5, unit: 'kg' } },
        { labelId: labels[1].id, accepted: false, measuredQuantity: { value: 180, unit: 'kg' }, refusalReason: '包装破损' },
      ],
    });
    // The national system's number, recorded by the district's exchange link.
    const link = await admin.post(`/api/v1/orgs/${regulator.org.id}/clients`, { name: 'national link', roles: ['exchange'] });
    const exchange = await login(t.app, link.json().clientId, link.json().clientSecret);
    const nationalNumber = `${thisYear()}1401${String(Date.now() % 1e6).padStart(6, '0')}`;
    const put = await t.app.inject({
      method: 'PUT', url: `/api/v1/manifests/${m.id}/official-number`, headers: { authorization: `Bearer ${exchange.token}` },
      payload: { system: 'national', number: nationalNumber, assignedAt: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(put.statusCode, put.body).toBe(201);

    const file = await printed(generator.client, m.id, 'journey');
    const { sizes } = pdfPages(file);
    for (const s of sizes) {
      expect(s.width).toBeCloseTo(595.28, 0); // A4
      expect(s.height).toBeCloseTo(841.89, 0);
    }
    const text = compact(pdfText(file));
    const expected = [
      '危险废物转移联单', submitted.number, nationalNumber, EMERGENCY_MEASURES,
      generator.org.name, generator.org.uscc, carrierA.org.name, carrierA.org.uscc, carrierB.org.name, receiver.org.name, receiver.org.uscc,
      receiverLicence, '晋A12345', '晋A67890', DRIVER.name, DRIVER.qualificationNo, '赵师傅', '13800000000',
      labels[0].digitalCode, labels[1].digitalCode, '废发动机油', '废液压油', '900-214-08', '179.5', '包装破损', 'IBC1000L',
      '提交（移出人确认）', '起运（承运人接收）', '承运人交接', '运抵', '接收（接受人确认）', '王师傅', '孙化验', '部分接收',
    ];
    for (const s of expected) expect(text, s).toContain(compact(s));
    // The handlers named at pickup and receipt are kept on the container steps the PDF reads them from.
    expect(text).toContain(compact('经办人 王师傅'));
    expect(text).toContain(compact('经办人 孙化验'));

    // The QR names the manifest: this service has no public manifest page to point it at.
    const codes = rasterise(file, 150).flatMap(zbar);
    expect(codes).toContain(`hw-manifest:${submitted.number}:${m.id}`);

    // A regulator of the district prints it too; a party of another manifest gets a 404.
    await printed((await login(t.app, ...(await regulatorClient()))), m.id, 'regulator');
    const stranger = await createSite(t.app, admin, { roles: ['generator'] });
    const hidden = await stranger.client.get(`/api/v1/manifests/${m.id}?format=pdf`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.headers['content-type']).toMatch(/application\/problem\+json/);
  }, 120_000);

  it('a draft prints without a number; many containers and the longest emergency measures flow over pages, each with its footer', async () => {
    const labels = [];
    for (let i = 0; i < 45; i++) labels.push(await issueLabel(generator.client));
    const measures = '泄漏时立即用吸附棉围堵并报告生态环境部门。'.repeat(50).slice(0, 1000); // the longest the API takes
    const m = await draft(labels.map((l) => l.id), measures);
    const file = await printed(generator.client, m.id, 'draft', '', { accept: 'application/pdf' });
    const { pages } = pdfPages(file);
    expect(pages).toBeGreaterThan(1);
    const text = compact(pdfText(file));
    expect(text).toContain('未提交');
    for (const l of labels) expect(text).toContain(l.digitalCode);
    expect(text).toContain(compact(measures));
    // Every page is one of ours (numbered in its footer): none was added by the PDF library overflowing a page.
    for (let n = 1; n <= pages; n++) expect(text).toContain(`第${n}页`);
    expect(text).not.toContain(`第${pages + 1}页`);
    expect(rasterise(file, 150).flatMap(zbar)).toContain(`hw-manifest::${m.id}`);
  }, 120_000);

  it('without PDF asked for the JSON answer is unchanged; a bad format is a 400, an unknown manifest a 404', async () => {
    const [l] = [await issueLabel(generator.client)];
    const m = await draft([l.id]);
    const plain = await generator.client.get(`/api/v1/manifests/${m.id}`);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^application\/json/);
    expect(plain.json()).toEqual(m);
    expect(plain.headers.etag).toBe(`"${m.version}"`);
    expect(plain.headers.vary).toMatch(/Accept/);
    const json = await generator.client.get(`/api/v1/manifests/${m.id}?format=json`, { accept: 'application/pdf' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json()).toEqual(m);
    const browser = await generator.client.get(`/api/v1/manifests/${m.id}`, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(browser.json()).toEqual(m);
    const refused = await generator.client.get(`/api/v1/manifests/${m.id}`, { accept: 'application/pdf;q=0' });
    expect(refused.json()).toEqual(m);
    // Weights decide between the two when both are named; on a tie the JSON stays.
    const jsonFirst = await generator.client.get(`/api/v1/manifests/${m.id}`, { accept: 'application/json, application/pdf;q=0.5' });
    expect(jsonFirst.json()).toEqual(m);
    const tie = await generator.client.get(`/api/v1/manifests/${m.id}`, { accept: 'application/pdf, application/json' });
    expect(tie.json()).toEqual(m);
    const pdfFirst = await generator.client.get(`/api/v1/manifests/${m.id}`, { accept: 'application/json;q=0.4, application/pdf;q=0.9' });
    expect(pdfFirst.headers['content-type']).toBe('application/pdf');

    const bad = await generator.client.get(`/api/v1/manifests/${m.id}?format=docx`);
    expect(bad.statusCode).toBe(400);
    const unknown = await generator.client.get('/api/v1/manifests/00000000-0000-4000-8000-000000000000?format=pdf');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});

/** A viewer client of the district regulator. */
async function regulatorClient(): Promise<[string, string]> {
  const res = await admin.post(`/api/v1/orgs/${regulator.org.id}/clients`, { name: 'desk', roles: ['viewer'] });
  expect(res.statusCode, res.body).toBe(201);
  return [res.json().clientId, res.json().clientSecret];
}
