// Clocks that must not restart or be backdated, and storage over one year (issue 12, items 6 and 7):
// - a receipt is on time when it is *recorded* in time (docs/regulations.md#receipt-deadline);
// - every step shows when it says it happened and when it was recorded, and steps recorded long
//   after they say they happened raise late_report (docs/regulations.md#late-report);
// - storage over one year is a breach for licensed operators without an approved extension and a
//   warning of its own type for generators (docs/regulations.md#storage-limit, #storage-extensions).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, DRIVER, issueLabel, issueLabelAsOf, manifestAction, type CarrierSite, type Site, EMERGENCY_MEASURES
} from '../support/world.js';
import { coveredPastDate, daysBetween, daysFromNow, today, windowDaysFor } from '../support/dates.js';

let t: TestApp;
let city: Client;
let xiaodian: Party; // district regulator 140105 (the generator's)
let yingze: Party; // district regulator 140106 (the receiver's and the operator's)
let carrier: CarrierSite;
let generator: Site; // 140105, no operating licence
let receiver: Site; // 140106, operating licence
let operator: Site; // 140106, receiver + collector with an operating licence: issues its own containers

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
// A delivery whose 5-working-day deadline has passed, inside the working-day calendar.
const LATE_DELIVERY = coveredPastDate(20);

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: windowDaysFor(LATE_DELIVERY) });
  city = await loginAdmin(t.app);
  xiaodian = await createRegulator(t.app, city, '140105');
  yingze = await createRegulator(t.app, city, '140106');
  carrier = await createCarrier(t.app, city);
  generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' }, ['R2']);
  receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
  await addOperatingLicence(city, receiver.org.id);
  operator = await createSite(t.app, city, { roles: ['receiver', 'collector'], regionCode: '140106' });
  await addOperatingLicence(city, operator.org.id);
});
afterAll(() => t.close());

interface AlertItem {
  type: string; severity: string; entityType: string; entityId: string; orgId: string;
  lateBy: { value: number; unit: string } | null; details: Record<string, unknown>;
}

async function alerts(client: Client, type?: string): Promise<AlertItem[]> {
  const res = await client.get(`/api/v1/supervision/alerts${type ? `?type=${type}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}
const find = (items: AlertItem[], type: string, id: string) => items.find((a) => a.type === type && a.entityId === id);
const recent = (iso: string) => Math.abs(Date.now() - Date.parse(iso)) < 60_000;

/** A manifest drafted `daysAgo` days ago (history written straight into the record), then submitted as of then. */
async function manifestFrom(labelIds: string[], daysAgo: number) {
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds, plannedAt: ago(daysAgo), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  await t.database.pool.query('UPDATE manifests SET created_at = $1 WHERE id = $2', [ago(daysAgo + 0.1), id]);
  await manifestAction(generator.client, id, { action: 'submit', occurredAt: ago(daysAgo) });
  return id;
}

const receiptOf = (labelId: string, occurredAt?: string) => ({
  action: 'receive', items: [{ labelId, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }], ...(occurredAt ? { occurredAt } : {}),
});

describe('a receipt is on time when it is recorded in time (Art. 18)', () => {
  it('a receipt sent on day 10 saying it happened on day 1 is late: accepted, flagged, both times shown, and reported to the regulators', async () => {
    const d = daysBetween(LATE_DELIVERY, today());
    const l = await issueLabelAsOf(t.database.pool, generator.client, ago(d + 3));
    const m = await manifestFrom([l.id], d + 1);
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER, occurredAt: ago(d) });
    const delivered = await manifestAction(carrier.client, m, { action: 'deliver', occurredAt: ago(d) });
    expect(delivered.receiptDueOn < today(), 'the deadline lies in the past').toBe(true);
    expect(delivered.receiptLate).toBeNull();

    // Reported as one day after arrival, well inside the deadline; recorded today, after it.
    const reported = ago(d - 1);
    const received = await manifestAction(receiver.client, m, receiptOf(l.id, reported));
    expect(received.state).toBe('received');
    expect(received.receivedAt).toBe(reported);
    expect(recent(received.receiptRecordedAt)).toBe(true);
    expect(received.receiptLate).toBe(true);
    expect((await yingze.client.get(`/api/v1/manifests/${m}`)).json().receiptLate).toBe(true);

    // The manifest's history shows both times of every step, and the receipt says it was late.
    const trace = (await yingze.client.get(`/api/v1/manifests/${m}/trace`)).json();
    const step = trace.steps.find((s: { action: string }) => s.action === 'receive');
    expect(step.occurredAt).toBe(reported);
    expect(recent(step.recordedAt)).toBe(true);
    expect(step.details.receiptLate).toBe(true);
    for (const s of trace.steps) expect(Object.keys(s)).toEqual(expect.arrayContaining(['occurredAt', 'recordedAt']));

    // The regulators of both regions see the receipt recorded long after the time it reports.
    for (const reg of [yingze, xiaodian]) {
      const a = (await alerts(reg.client, 'late_report')).find((x) => x.entityId === m && x.details.action === 'receive');
      expect(a, 'late_report for the receipt').toBeDefined();
      expect(a!).toMatchObject({ entityType: 'manifest', orgId: receiver.org.id, details: { occurredAt: reported } });
      expect(a!.lateBy!.unit).toBe('hours');
      expect(a!.lateBy!.value).toBeGreaterThan((d - 1) * 24 - 72 - 2);
    }
  });

  it('a receipt recorded by its deadline is on time and raises no late report', async () => {
    const l = await issueLabel(generator.client);
    const res = await generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [l.id], plannedAt: new Date().toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    const m = res.json().id as string;
    await manifestAction(generator.client, m, { action: 'submit' });
    await manifestAction(carrier.client, m, { action: 'pickup', labelIds: [l.id], vehiclePlate: carrier.plate, driver: DRIVER });
    await manifestAction(carrier.client, m, { action: 'deliver' });
    const received = await manifestAction(receiver.client, m, receiptOf(l.id));
    // No deadline (so no verdict) only where it would fall in a year the working-day calendar lacks.
    expect(received.receiptLate).toBe(received.receiptDueOn === null ? null : false);
    expect(recent(received.receiptRecordedAt)).toBe(true);
    expect((await alerts(yingze.client, 'late_report')).some((a) => a.entityId === m)).toBe(false);
  });
});

describe('migration 0013 maps the receipts recorded before it', () => {
  it('takes each receipt\'s recorded time from its receive step, and lateness from that against the deadline', async () => {
    const { pool } = t.database;
    const { rows: before } = await pool.query(`SELECT id, receipt_recorded_at, receipt_late FROM manifests WHERE received_at IS NOT NULL ORDER BY id`);
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.map((r) => r.receipt_late)).toContain(true);
    expect(before.every((r) => r.receipt_recorded_at instanceof Date)).toBe(true);
    // As the rows stood before the migration, then its statements that map them.
    await pool.query('UPDATE manifests SET receipt_recorded_at = NULL, receipt_late = NULL');
    const migration = fs.readFileSync(new URL('../../migrations/0013_reported_and_recorded_clocks.sql', import.meta.url), 'utf8');
    const updates = migration.split('--> statement-breakpoint').map((st) => st.replace(/^\s*--.*$/gm, '').trim()).filter((st) => st.startsWith('UPDATE'));
    expect(updates).toHaveLength(2);
    for (const st of updates) await pool.query(st);
    const { rows: after } = await pool.query(`SELECT id, receipt_recorded_at, receipt_late FROM manifests WHERE received_at IS NOT NULL ORDER BY id`);
    expect(after).toEqual(before);
  });
});

describe('steps recorded long after they say they happened (LATE_REPORT_HOURS, default 72)', () => {
  it('a container stored 4 days before it is recorded raises late_report for the holder\'s regulator; 2 days before does not', async () => {
    const late = await issueLabel(generator.client, { generatedAt: ago(5) });
    const onTime = await issueLabel(generator.client, { generatedAt: ago(5) });
    const reported = ago(4);
    expect((await act(generator.client, late.id, { action: 'store', facilityId: generator.storageId, occurredAt: reported })).statusCode).toBe(200);
    expect((await act(generator.client, onTime.id, { action: 'store', facilityId: generator.storageId, occurredAt: ago(2) })).statusCode).toBe(200);

    // The trace shows both times of the step.
    const trace = (await generator.client.get(`/api/v1/labels/${late.id}/trace`)).json();
    const store = trace.steps.find((s: { action: string }) => s.action === 'store');
    expect(store.occurredAt).toBe(reported);
    expect(recent(store.recordedAt)).toBe(true);

    const list = await alerts(xiaodian.client, 'late_report');
    const a = find(list, 'late_report', late.id);
    expect(a, 'late_report for the store step').toBeDefined();
    expect(a!).toMatchObject({ entityType: 'label', severity: 'medium', orgId: generator.org.id, details: { action: 'store', count: 1, labelIds: [late.id], occurredAt: reported } });
    expect(a!.lateBy).toEqual({ value: 24, unit: 'hours' }); // recorded 96 h (and the test's seconds) after, 72 h allowed
    expect(find(list, 'late_report', onTime.id)).toBeUndefined();
    // Issuing a label for waste generated days ago is not a late report (its time is the generation date).
    expect(list.some((x) => x.details.action === 'issue')).toBe(false);
    // Another district's regulator does not see it.
    expect(find(await alerts(yingze.client, 'late_report'), 'late_report', late.id)).toBeUndefined();
  });
});

describe('storage over one year (固废法 Art. 81)', () => {
  const registerExtension = (orgId: string, body: Record<string, unknown>, client: Client = city) =>
    client.post(`/api/v1/orgs/${orgId}/storage-extensions`, { validFrom: daysFromNow(-10), validTo: daysFromNow(170), ...body });
  let n = 0;
  const number = () => `迎环贮延〔${today().slice(0, 4)}〕${++n}号-${Date.now()}`;

  it('a generator\'s year-old stock is a warning of its own type; a licensed operator\'s is a breach', async () => {
    const gen = await issueLabel(generator.client, { generatedAt: ago(365.5) });
    const op = await issueLabel(operator.client, { generatedAt: ago(365.5) });
    const byGenerator = await alerts(xiaodian.client);
    expect(find(byGenerator, 'storage_over_limit', gen.id)).toBeUndefined();
    expect(find(byGenerator, 'storage_over_limit_generator', gen.id)).toMatchObject({ severity: 'medium', details: { holderIsLicensedOperator: false } });
    const byOperator = await alerts(yingze.client);
    expect(find(byOperator, 'storage_over_limit', op.id)).toMatchObject({ severity: 'high', details: { holderIsLicensedOperator: true } });
    expect(find(byOperator, 'storage_over_limit_generator', op.id)).toBeUndefined();
    // Filtering by type gives the breaches only.
    expect((await alerts(city, 'storage_over_limit')).some((a) => a.entityId === gen.id)).toBe(false);
  });

  it('an extension approved for the containers suspends the breach while in force; the registration is audited', async () => {
    const covered = await issueLabel(operator.client, { generatedAt: ago(365.5) });
    const expired = await issueLabel(operator.client, { generatedAt: ago(365.5) });
    const res = await registerExtension(operator.org.id, { number: number(), labelIds: [covered.id] });
    expect(res.statusCode, res.body).toBe(201);
    const ext = res.json();
    expect(ext).toMatchObject({ orgId: operator.org.id, labelIds: [covered.id], facilityId: null, regionCode: '140106' });
    // Lapsed yesterday: no longer suspends anything.
    const old = await registerExtension(operator.org.id, { number: number(), labelIds: [expired.id], validFrom: daysFromNow(-200), validTo: daysFromNow(-1) });
    expect(old.statusCode, old.body).toBe(201);

    const list = await alerts(yingze.client);
    expect(list.some((a) => a.entityId === covered.id && a.type.startsWith('storage_over_limit'))).toBe(false);
    expect(find(list, 'storage_over_limit', expired.id)).toBeDefined();

    const listed = (await yingze.client.get(`/api/v1/orgs/${operator.org.id}/storage-extensions`)).json().items.map((e: { id: string }) => e.id);
    expect(listed).toContain(ext.id);
    expect((await operator.client.get(`/api/v1/orgs/${operator.org.id}/storage-extensions`)).statusCode).toBe(200);
    const audit = (await city.get(`/api/v1/audit?entityType=storage_extension&entityId=${ext.id}`)).json().items;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', after: { number: ext.number, labelIds: [covered.id] } });
  });

  it('an extension for a storage facility covers what lies in it', async () => {
    const l = await issueLabel(operator.client, { generatedAt: ago(365.5) });
    expect((await act(operator.client, l.id, { action: 'store', facilityId: operator.storageId, occurredAt: ago(365.4) })).statusCode).toBe(200);
    expect(find(await alerts(yingze.client, 'storage_over_limit'), 'storage_over_limit', l.id)).toBeDefined();
    const res = await registerExtension(operator.org.id, { number: number(), facilityId: operator.storageId });
    expect(res.statusCode, res.body).toBe(201);
    expect(find(await alerts(yingze.client, 'storage_over_limit'), 'storage_over_limit', l.id)).toBeUndefined();
  });

  it('bad registrations are clear 4xx problems and change nothing', async () => {
    const mine = await issueLabel(operator.client);
    const theirs = await issueLabel(generator.client);
    const count = async () => (await city.get(`/api/v1/orgs/${operator.org.id}/storage-extensions?limit=500`)).json().items.length;
    const before = await count();
    const cases: Array<[string, ReturnType<Client['post']>, number, string?]> = [
      ['both containers and a facility', registerExtension(operator.org.id, { number: number(), labelIds: [mine.id], facilityId: operator.storageId }), 400],
      ['neither', registerExtension(operator.org.id, { number: number() }), 400],
      ['validTo before validFrom', registerExtension(operator.org.id, { number: number(), labelIds: [mine.id], validFrom: daysFromNow(5), validTo: daysFromNow(1) }), 400],
      ['an unknown field', registerExtension(operator.org.id, { number: number(), labelIds: [mine.id], days: 700 }), 400],
      ['a container the operator does not hold', registerExtension(operator.org.id, { number: number(), labelIds: [theirs.id] }), 422, 'storage_extension_scope'],
      ['another unit\'s facility', registerExtension(operator.org.id, { number: number(), facilityId: generator.storageId }), 422, 'storage_extension_scope'],
      ['a unit without an operating licence', registerExtension(generator.org.id, { number: number(), labelIds: [theirs.id] }), 422, 'storage_extension_scope'],
      ['a carrier holding only a transport licence', registerExtension(carrier.org.id, { number: number(), labelIds: [theirs.id] }), 422, 'storage_extension_scope'],
      ['the operator itself', registerExtension(operator.org.id, { number: number(), labelIds: [mine.id] }, operator.client), 404],
    ];
    for (const [what, pending, status, rule] of cases) {
      const res = await pending;
      expect(res.statusCode, what).toBe(status);
      expect(String(res.headers['content-type']), what).toContain('application/problem+json');
      if (rule) expect(res.json().rule, what).toBe(rule);
    }
    const taken = number();
    expect((await registerExtension(operator.org.id, { number: taken, labelIds: [mine.id] })).statusCode).toBe(201);
    const again = await registerExtension(operator.org.id, { number: taken, labelIds: [mine.id] });
    expect(again.statusCode, again.body).toBe(409);
    expect(await count()).toBe(before + 1);
  });
});

describe('LATE_REPORT_HOURS is a setting', () => {
  it('is at least 1 hour (the late-report indexes hold steps recorded over an hour late)', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.js');
    expect(() => loadConfig({ LATE_REPORT_HOURS: '0' })).toThrow(ConfigError);
    expect(loadConfig({}).alerts).toMatchObject({ lateReportHours: 72, lateReportWindowDays: 30 });
  });

  it('at 24 hours, a step recorded 2 days after it happened is a late report', async () => {
    const strict = await buildTestApp({ LATE_REPORT_HOURS: '24' });
    try {
      const admin = await loginAdmin(strict.app);
      const site = await createSite(strict.app, admin, { roles: ['generator'], regionCode: '140105' });
      const l = await issueLabel(site.client, { generatedAt: ago(3) });
      expect((await act(site.client, l.id, { action: 'store', facilityId: site.storageId, occurredAt: ago(2) })).statusCode).toBe(200);
      const a = find(await alerts(admin, 'late_report'), 'late_report', l.id);
      expect(a?.lateBy).toEqual({ value: 24, unit: 'hours' });
    } finally {
      await strict.close();
    }
  });
});
