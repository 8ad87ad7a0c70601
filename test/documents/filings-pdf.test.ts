// The management plan and the declaration printed on A4 (GET …/management-plan, …/declarations/draft
// and …/declarations/{period} with format=pdf or Accept: application/pdf): they parse, carry the
// Chinese title, the unit and site, the class, and the waste codes and figures the JSON holds; a
// draft is marked as one, a submitted version says so. Without PDF asked for, the JSON is as before.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, issueLabel, transfer, type CarrierSite, type Site,
} from '../support/world.js';
import { thisYear } from '../support/dates.js';
import { pdfPages, pdfText, savePdf } from './pdf-tools.js';
import { backdateLabel, shanghaiMorning } from '../support/backdate.js';

const REGION = '140107';
const YEAR = thisYear();
const LAST = YEAR - 1;
let t: TestApp;
let admin: Client;
let carrier: CarrierSite;
let plant: Site;
let receiver: Site;
let siteId: string;
let manifestNumber: string;
let dir: string;

const sh = shanghaiMorning;
const compact = (s: string) => s.replace(/\s+/g, '');
/** A figure as the PDF prints it: tonnes to the gram, no trailing zeros. */
const printedT = (n: number) => `${Number(n.toFixed(6))}`;

const backdate = (labelId: string, generated: string, byKind: Record<string, string> = {}) => backdateLabel(t.database.pool, labelId, generated, byKind);

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: '800' });
  admin = await loginAdmin(t.app);
  carrier = await createCarrier(t.app, admin);
  plant = await createSite(t.app, admin, { roles: ['generator'], regionCode: REGION, generatorClass: 'industrial', name: '太原市杏花岭区某某精密铸造有限公司' }, ['R9']);
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: REGION, name: '山西某某环保科技有限公司' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id, { modes: ['disposal'], wasteCodes: ['HW08'], number: `晋危废-${randomInt(1e6)}` });
  siteId = (await plant.client.get(`/api/v1/orgs/${plant.org.id}/sites`)).json().items[0].id;

  // Last year: 2.125 t shipped to the receiver for D10, 1.5 t utilised in-house (R9), 0.75 t and 0.3 t (HW49) still in store.
  const shipped = await issueLabel(plant.client, { quantity: { value: 2.125, unit: 't' }, facilityId: plant.storageId });
  expect((await act(plant.client, shipped.id, { action: 'store', facilityId: plant.storageId })).statusCode).toBe(200);
  manifestNumber = (await transfer({ from: plant, to: receiver, carrier, labelIds: [shipped.id], measured: { value: 2.125, unit: 't' } })).number;
  await backdate(shipped.id, `${LAST}-02-10`, { HWCK: `${LAST}-05-05`, HWWWCZ: `${LAST}-05-05` });

  const treated = await issueLabel(plant.client, { quantity: { value: 1.5, unit: 't' }, facilityId: plant.storageId });
  expect((await act(plant.client, treated.id, { action: 'treat', method: 'R9', facilityId: plant.treatmentId })).statusCode).toBe(200);
  await backdate(treated.id, `${LAST}-03-01`, { HWZXLY: `${LAST}-04-02` });
  await backdate((await issueLabel(plant.client, { quantity: { value: 0.75, unit: 't' }, facilityId: plant.storageId })).id, `${LAST}-11-20`);
  await backdate((await issueLabel(plant.client, { quantity: { value: 0.3, unit: 't' }, wasteCode: '900-041-49', facilityId: plant.storageId })).id, `${LAST}-12-30`);
  dir = mkdtempSync(join(tmpdir(), 'filings-pdf-'));
}, 300_000);
afterAll(async () => {
  if (!process.env.KEEP_PDF) rmSync(dir, { recursive: true, force: true });
  await t.close();
});

const planUrl = () => `/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan?year=${YEAR}`;
const declUrl = () => `/api/v1/orgs/${plant.org.id}/sites/${siteId}/declarations`;

async function printed(client: Client, url: string, name: string, headers: Record<string, string> = {}) {
  const res = await client.get(url, headers);
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(String(res.headers['content-disposition'])).toMatch(/^inline; filename="[\w.-]+\.pdf"$/);
  expect(res.headers.vary).toMatch(/Accept/);
  const file = savePdf(dir, name, res.rawPayload);
  for (const s of pdfPages(file).sizes) {
    expect(s.width).toBeCloseTo(595.28, 0); // A4
    expect(s.height).toBeCloseTo(841.89, 0);
  }
  return compact(pdfText(file));
}

type Row = { wasteCode: string; wasteName: string; openingStockT: number; generatedT: number; receivedT: number; transferredOutT: number;
  utilisedInHouseT: number; disposedInHouseT: number; closingStockT: number; transfers: Array<{ receiverName: string; licenceNumber: string; manifestNumbers: string[] }> };

describe('the printed management plan', () => {
  it('a draft: title, DRAFT mark, unit, site, class, every table the class fills with the JSON\'s codes and figures', async () => {
    const plan = (await plant.client.get(planUrl())).json();
    expect(plan.state).toBe('draft');
    const text = await printed(plant.client, `${planUrl()}&format=pdf`, 'plan-draft');
    for (const s of ['危险废物管理计划', `${YEAR}年度`, '草稿', '未提交', plant.org.name, plant.org.uscc, '重点监管', plan.managementClassReason,
      '表A.1', '表A.2', '表A.3', '表A.4', '表A.5', '表A.6', '表A.7', receiver.org.name, '900-214-08', '900-041-49', 'R9', 'D10']) {
      expect(text, s).toContain(compact(s));
    }
    for (const r of plan.tables['A.3']) expect(text).toContain(`${r.wasteCode}`), expect(text).toContain(printedT(r.lastYearGeneratedT));
    for (const r of plan.tables['A.4']) expect(text).toContain(printedT(r.lastYearClosingStockT));
    for (const r of plan.tables['A.5']) expect(text).toContain(printedT(r.lastYearT));
    for (const r of plan.tables['A.7']) expect(text).toContain(compact(r.licenceNumber)), expect(text).toContain(printedT(r.lastYearT));
    expect(text).toContain(printedT(2.125 + 1.5 + 0.75)); // A.3: 900-214-08 generated last year
    expect(text).toContain(printedT(2.125)); // A.7: shipped
  }, 60_000);

  it('submitted, through Accept: marked submitted with its time, no DRAFT mark; JSON stays the default', async () => {
    const put = await t.app.inject({ method: 'PUT', url: planUrl(), headers: { authorization: `Bearer ${plant.client.token}` },
      payload: { reductionPlan: '改进清洗工艺，延长切削液寿命', waste: [{ wasteCode: '900-214-08', expectedReductionT: 0.5 }] } });
    expect(put.statusCode, put.body).toBe(200);
    const sub = await plant.client.post(`/api/v1/orgs/${plant.org.id}/sites/${siteId}/management-plan/submit?year=${YEAR}`, { submittedAt: sh(`${LAST}-12-20`) });
    expect(sub.statusCode, sub.body).toBe(200);
    const text = await printed(plant.client, planUrl(), 'plan-submitted', { accept: 'application/pdf' });
    expect(text).toContain('已提交');
    expect(text).not.toContain('草稿');
    expect(text).toContain(`${LAST}-12-2010:00`);
    expect(text).toContain('改进清洗工艺，延长切削液寿命');
    const json = await plant.client.get(planUrl(), { accept: 'application/json, application/pdf;q=0.5' });
    expect(json.headers['content-type']).toMatch(/application\/json/);
    expect(json.json().state).toBe('submitted');
  }, 60_000);
});

describe('the printed declaration', () => {
  it('a draft of last year: per waste code the figures, opening and closing stock, receivers and manifests, as the JSON has them', async () => {
    const draft = (await plant.client.get(`${declUrl()}/draft?period=${LAST}`)).json();
    const text = await printed(plant.client, `${declUrl()}/draft?period=${LAST}&format=pdf`, 'declaration-draft');
    for (const s of ['危险废物年度申报', `${LAST}年度`, '草稿', plant.org.name, plant.org.uscc, '期初贮存量', '期末贮存量', '重点监管', manifestNumber]) {
      expect(text, s).toContain(compact(s));
    }
    expect(draft.rows.length).toBe(2);
    for (const r of draft.rows as Row[]) {
      expect(text).toContain(r.wasteCode), expect(text).toContain(compact(r.wasteName));
      for (const n of [r.openingStockT, r.generatedT, r.transferredOutT, r.utilisedInHouseT, r.closingStockT]) expect(text).toContain(printedT(n));
      for (const x of r.transfers) expect(text).toContain(compact(x.receiverName)), expect(text).toContain(compact(x.licenceNumber));
    }
    // The summary row of 900-214-08 in order: opening 0, generated, received 0, out, utilised, disposed 0, closing.
    expect(text).toContain(['0', printedT(4.375), '0', printedT(2.125), printedT(1.5), '0', printedT(0.75)].join(''));
  }, 60_000);

  it('submitted: GET …/declarations/{period} prints it as submitted; a stranger gets a problem', async () => {
    const sub = await plant.client.post(declUrl(), { period: String(LAST), submittedAt: sh(`${YEAR}-01-10`) });
    expect(sub.statusCode, sub.body).toBe(201);
    const text = await printed(plant.client, `${declUrl()}/${LAST}`, 'declaration-submitted', { accept: 'application/pdf' });
    expect(text).toContain('已提交');
    expect(text).not.toContain('草稿');
    expect(text).toContain(compact(`${YEAR}-01-10 10:00`));
    expect((await plant.client.get(`${declUrl()}/${LAST}`)).json()).toMatchObject({ state: 'submitted', version: 1 });
    const stranger = await createSite(t.app, admin, { roles: ['generator'] });
    const hidden = await stranger.client.get(`${declUrl()}/${LAST}?format=pdf`);
    expect(hidden.statusCode).toBeGreaterThanOrEqual(403);
    expect(hidden.headers['content-type']).toMatch(/application\/problem\+json/);
    const missing = await plant.client.get(`${declUrl()}/${LAST - 1}?format=pdf`);
    expect(missing.statusCode).toBe(404);
  }, 60_000);
});
