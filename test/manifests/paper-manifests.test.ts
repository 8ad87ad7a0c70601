// Paper manifests (docs/regulations.md#paper-manifests, 转移管理办法 Art. 20): a transfer that ran on
// a paper form is back-entered with its real times and the form's scan, due within 10 working days
// after the transfer: entered on working day 9 it is on time, on day 11 it is accepted and flagged.
// A party's declaration of a paper transfer stays on the alerts until the manifest is entered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import QRCode from 'qrcode';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES } from '../support/world.js';
import { addDays, calendarCovers, today } from '../support/dates.js';
import { addWorkingDays, shanghaiDayStart } from '../../src/calendar/working-days.js';

/** The latest calendar date from which `n` working days later is today. */
function workingDaysAgo(n: number): string {
  for (let back = 1; back < 60; back++) {
    const d = addDays(today(), -back);
    if (addWorkingDays(d, n) === today()) return d;
  }
  throw new Error(`no date ${n} working days before ${today()}`);
}

const at = (date: string, hour: number) => new Date(shanghaiDayStart(date).getTime() + hour * 3_600_000).toISOString();

const MINIMAL_PDF = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n', 'latin1');

describe('paper manifests', () => {
  let t: TestApp;
  let city: Client;
  let generator: Site;
  let receiver: Site;
  let carrier: CarrierSite;

  beforeAll(async () => {
    t = await buildTestApp({ PAPER_SCAN_MAX_BYTES: String(64 * 1024) });
    city = await loginAdmin(t.app);
    carrier = await createCarrier(t.app, city);
    generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
    receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
    await addOperatingLicence(city, receiver.org.id);
  });
  afterAll(() => t.close());

  const upload = (client: Client, id: string, body: Buffer, contentType: string) => t.app.inject({
    method: 'PUT', url: `/api/v1/manifests/${id}/paper-form`, payload: body,
    headers: { authorization: `Bearer ${client.token}`, 'content-type': contentType },
  });

  /** A transfer that ran on paper, received on `receivedOn`, back-entered now step by step. */
  async function backEnter(paperNumber: string, receivedOn: string) {
    const label = await issueLabel(generator.client, { generatedAt: at(addDays(receivedOn, -3), 9) });
    const created = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id],
      plannedAt: at(receivedOn, 8), intendedMethod: 'D10', paperNumber, emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await manifestAction(generator.client, id, { action: 'submit', occurredAt: at(receivedOn, 7) });
    await manifestAction(carrier.client, id, { action: 'pickup', labelIds: [label.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: at(receivedOn, 8) });
    await manifestAction(carrier.client, id, { action: 'deliver', occurredAt: at(receivedOn, 10) });
    const received = await manifestAction(receiver.client, id, {
      action: 'receive', occurredAt: at(receivedOn, 11),
      items: [{ labelId: label.id, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }],
    });
    return { id, labelId: label.id as string, received };
  }

  describe.runIf(calendarCovers(today(), addDays(today(), -40)))('back-entry within 10 working days', () => {
    it('entered on working day 9 is on time; on working day 11 it is accepted and flagged', async () => {
      const day9 = workingDaysAgo(9);
      const onTime = await backEnter(`P9-${Date.now()}`, day9);
      expect(onTime.received.origin).toBe('paper');
      expect(onTime.received.paper).toMatchObject({ entryDueOn: addWorkingDays(day9, 10), lateEntry: false });
      expect(onTime.received.number).toMatch(/^\d{14}$/); // a number like any other
      expect(onTime.received.receivedAt).toBe(at(day9, 11)); // the real time, not the entry's

      const day11 = workingDaysAgo(11);
      const late = await backEnter(`P11-${Date.now()}`, day11);
      expect(late.received.state).toBe('received');
      expect(late.received.paper).toMatchObject({ entryDueOn: addWorkingDays(day11, 10), lateEntry: true });
      // The trace shows when each step happened and when it was recorded.
      const trace = (await city.get(`/api/v1/manifests/${late.id}/trace`)).json();
      const receipt = trace.steps.find((s: { action: string }) => s.action === 'receive');
      expect(receipt.occurredAt).toBe(at(day11, 11));
      expect(receipt.recordedAt > receipt.occurredAt).toBe(true);
    });
  });

  it('an electronic manifest may not be dated back beyond the usual window; a paper one may', async () => {
    const label = await issueLabel(generator.client, { generatedAt: at(addDays(today(), -60), 9) });
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: at(addDays(today(), -50), 8), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    const id = res.json().id as string;
    const old = await generator.client.post(`/api/v1/manifests/${id}/actions`, { action: 'submit', occurredAt: at(addDays(today(), -50), 7) });
    expect(old.statusCode, old.body).toBe(400);
    expect(res.json().origin).toBe('electronic');
    expect(res.json().paper).toBeNull();
  });

  it('stores the form\'s scan once and serves it back byte for byte to the parties and the regulator', async () => {
    const { id } = await backEnter(`PS-${Date.now()}`, addDays(today(), -2));
    const png = await QRCode.toBuffer('纸质联单 scan', { type: 'png', width: 300 });
    const stored = await upload(generator.client, id, png, 'image/png');
    expect(stored.statusCode, stored.body).toBe(201);
    expect(stored.json()).toMatchObject({ mediaType: 'image/png', bytes: png.length });

    for (const reader of [generator.client, receiver.client, carrier.client, city]) {
      const back = await t.app.inject({ method: 'GET', url: `/api/v1/manifests/${id}/paper-form`, headers: { authorization: `Bearer ${reader.token}` } });
      expect(back.statusCode).toBe(200);
      expect(back.headers['content-type']).toBe('image/png');
      expect(back.rawPayload.equals(png)).toBe(true);
    }
    const view = (await generator.client.get(`/api/v1/manifests/${id}`)).json();
    expect(view.paper.scan).toMatchObject({ mediaType: 'image/png', bytes: png.length, href: `/api/v1/manifests/${id}/paper-form` });

    // Never replaced.
    const again = await upload(generator.client, id, MINIMAL_PDF, 'application/pdf');
    expect(again.statusCode).toBe(422);
    expect(again.json().rule).toBe('paper_scan_exists');
  });

  it('refuses a scan of the wrong type, a lying Content-Type, an oversized one, and one on an electronic manifest: nothing stored', async () => {
    const { id } = await backEnter(`PX-${Date.now()}`, addDays(today(), -2));
    const cases: Array<[Buffer, string, number, string]> = [
      [Buffer.from('MZ\x90\x00 not a scan'), 'application/pdf', 422, 'paper_scan_type'],
      [MINIMAL_PDF, 'image/png', 422, 'paper_scan_type'],
      [Buffer.concat([MINIMAL_PDF, Buffer.alloc(70 * 1024)]), 'application/pdf', 422, 'paper_scan_too_large'],
    ];
    for (const [body, type, status, rule] of cases) {
      const res = await upload(generator.client, id, body, type);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json().rule).toBe(rule);
    }
    const huge = await upload(generator.client, id, Buffer.concat([MINIMAL_PDF, Buffer.alloc(200 * 1024)]), 'application/pdf');
    expect(huge.statusCode).toBe(413);
    const carrierTry = await upload(carrier.client, id, MINIMAL_PDF, 'application/pdf');
    expect(carrierTry.statusCode).toBe(422);
    expect(carrierTry.json().rule).toBe('not_generator');
    const { rows } = await t.database.db.execute(sql`SELECT 1 FROM manifest_paper_scans WHERE manifest_id = ${id}`);
    expect(rows).toHaveLength(0);

    const label = await issueLabel(generator.client);
    const electronic = (await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date().toISOString(), emergencyMeasures: EMERGENCY_MEASURES,
    })).json();
    const res = await upload(generator.client, electronic.id, MINIMAL_PDF, 'application/pdf');
    expect(res.json().rule).toBe('not_paper_manifest');
  });

  it('a paper form number names one manifest', async () => {
    const number = `PD-${Date.now()}`;
    await backEnter(number, addDays(today(), -2));
    const label = await issueLabel(generator.client);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date().toISOString(), paperNumber: number, emergencyMeasures: EMERGENCY_MEASURES,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().rule).toBe('paper_number_taken');
  });

  it('a declared paper transfer is on the alerts until its manifest is entered, and a repeated declaration is the same one', async () => {
    const number = `PA-${Date.now()}`;
    const startedAt = at(addDays(today(), -1), 9);
    const first = await carrier.client.post('/api/v1/paper-transfers', { paperNumber: number, startedAt, note: '平台无法访问' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await carrier.client.post('/api/v1/paper-transfers', { paperNumber: number, startedAt });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);

    const open = async () => ((await city.get('/api/v1/supervision/alerts?type=paper_transfer_not_entered')).json().items as Array<{ entityId: string; details: { paperNumber: string } }>)
      .filter((a) => a.entityId === first.json().id);
    expect(await open()).toHaveLength(1);
    expect((await open())[0].details.paperNumber).toBe(number);

    const { id } = await backEnter(number, addDays(today(), -1));
    expect(await open()).toHaveLength(0);
    const listed = (await city.get('/api/v1/paper-transfers')).json().items.find((d: { id: string }) => d.id === first.json().id);
    expect(listed.manifest.id).toBe(id);
    // A regulator is not a party to a transfer: it does not declare one.
    expect((await city.post('/api/v1/paper-transfers', { paperNumber: 'PR-0001' })).statusCode).toBe(403);
  });
});
