// Signed webhooks delivered from the event stream, to real receivers on 127.0.0.1 that verify
// every delivery with the standardwebhooks library: every event of a journey, in order per
// aggregate; nothing lost while the receiver is down; dead-lettered after N attempts and redelivered
// by hand; both secrets sign during a rotation's overlap; URL rules; who may subscribe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  act, addOperatingLicence, createCarrier, createSite, issueLabel, medicalChain, MEDICAL_BAG, transfer, type CarrierSite, type Site,
} from '../support/world.js';
import { eventually, WebhookReceiver } from '../support/webhook-receiver.js';

const MAX_ATTEMPTS = 4;

let t: TestApp;
let admin: Client;
let city: Party;
let otherDistrict: Party;
let generator: Site;
let receiver: Site;
let carrier: CarrierSite;
const receivers: WebhookReceiver[] = [];

async function newReceiver(): Promise<WebhookReceiver> {
  const r = await new WebhookReceiver().start();
  receivers.push(r);
  return r;
}

async function subscribe(regulator: Party, r: WebhookReceiver, body: Record<string, unknown> = {}) {
  const res = await regulator.client.post('/api/v1/webhook-subscriptions', { url: r.url, contact: 'ops@example.test', ...body });
  expect(res.statusCode, res.body).toBe(201);
  const sub = res.json();
  r.secrets = [sub.secret];
  return sub as { id: string; secret: string; state: string };
}

async function deliveries(regulator: Party, subId: string) {
  const res = await regulator.client.get(`/api/v1/webhook-subscriptions/${subId}/deliveries?limit=500`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as Array<{ id: string; eventId: string; eventType: string; attempt: number; status: string; manual: boolean; responseStatus: number | null; latencyMs: number; error: string | null }>;
}

async function feedSince(client: Client, after?: string) {
  const items: Array<{ id: string; type: string; aggregate: { id: string }; sequence: number }> = [];
  let cursor = after;
  for (;;) {
    const res = await client.get(`/api/v1/events?limit=500${cursor ? `&after=${cursor}` : ''}`);
    const page = res.json();
    items.push(...page.items);
    cursor = page.next ?? undefined;
    if (!page.more) return { items, next: page.next as string | undefined };
  }
}

async function journey(): Promise<{ manifestId: string; labelIds: string[] }> {
  const labelIds = [(await issueLabel(generator.client)).id, (await issueLabel(generator.client)).id];
  const { id: manifestId } = await transfer({ from: generator, to: receiver, carrier, labelIds });
  return { manifestId, labelIds };
}

beforeAll(async () => {
  t = await buildTestApp({
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
    WEBHOOK_POLL_MS: '100',
    JOBS_POLL_INTERVAL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '1000',
    WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    WEBHOOK_TIMEOUT_MS: '3000',
  });
  admin = await loginAdmin(t.app);
  city = await createRegulator(t.app, admin, '140100');
  otherDistrict = await createRegulator(t.app, admin, '140106');
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140108' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id);
  carrier = await createCarrier(t.app, admin);
}, 60_000);
afterAll(async () => {
  await t.close();
  await Promise.all(receivers.map((r) => r.stop()));
});

describe('webhook deliveries', () => {
  it('deliver every event of a journey, once or more, in order per aggregate, signed; only within the subscriber\'s jurisdiction', async () => {
    const r = await newReceiver();
    const outside = await newReceiver();
    const sub = await subscribe(city, r);
    await subscribe(otherDistrict, outside);
    const { next: start } = await feedSince(city.client);
    const { manifestId, labelIds } = await journey();
    // The feed lists an event once every older transaction of the cluster has ended (other test
    // files' CREATE DATABASE included): wait for the journey's last one.
    let expected: Awaited<ReturnType<typeof feedSince>>['items'] = [];
    await eventually(async () => {
      expected = (await feedSince(city.client, start)).items;
      return expected.filter((e) => e.aggregate.id === manifestId).length === 5;
    }, 20_000, 'the journey in the feed');

    await eventually(() => expected.every((e) => r.accepted().some((d) => d.id === e.id)), 20_000, 'every event delivered');
    for (const d of r.received) {
      expect(d.verifiedWith, d.id).toEqual([true]);
      expect(d.headers['webhook-id']).toBe(d.event.id);
      expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    }
    // In order per aggregate: the first arrival of each event follows the aggregate's sequence.
    for (const id of [manifestId, ...labelIds]) {
      const seqs = r.accepted().filter((d) => d.event.aggregate.id === id).map((d) => d.event.sequence);
      const firsts = seqs.filter((s, i) => seqs.indexOf(s) === i);
      expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
      expect(firsts).toEqual(expected.filter((e) => e.aggregate.id === id).map((e) => e.sequence));
    }
    // The body is the feed's event.
    const pickup = r.accepted().find((d) => d.event.type === 'manifest.pickup' && d.event.aggregate.id === manifestId)!;
    expect(JSON.parse(pickup.body)).toEqual((await feedSince(city.client, start)).items.find((e) => e.id === pickup.id));
    // The log shows each as delivered at the first attempt (successes are logged as each batch ends).
    await eventually(async () => {
      const ok = new Set((await deliveries(city, sub.id)).filter((d) => d.status === 'succeeded').map((d) => d.eventId));
      return expected.every((e) => ok.has(e.id));
    }, 10_000, 'the log');
    const log = await deliveries(city, sub.id);
    expect(log.every((d) => d.responseStatus === 204 && d.latencyMs >= 0)).toBe(true);
    // Another district's regulator receives nothing of a journey outside its jurisdiction.
    await new Promise((res) => setTimeout(res, 500));
    expect(outside.received.filter((d) => d.event.aggregate.id === manifestId || labelIds.includes(d.event.aggregate.id))).toEqual([]);
  }, 60_000);

  it('deliver every event of the medical chain (clinic → township → county → incinerator), in order per manifest and container', async () => {
    const r = await newReceiver();
    await subscribe(city, r);
    const { next: start } = await feedSince(city.client);
    const { clinic, township, county, incinerator } = await medicalChain(t.app, admin);
    const bag = MEDICAL_BAG;
    const bags = [(await issueLabel(clinic.client, bag)).id, (await issueLabel(clinic.client, bag)).id];
    const m1 = (await transfer({ from: clinic, to: township, carrier, labelIds: bags, measured: { value: 2.5, unit: 'kg' } })).id;
    const box = (await issueLabel(township.client, { ...bag, packaging: { type: 'turnover_box', volumeL: 60 }, quantity: { value: 5, unit: 'kg' } })).id;
    for (const b of bags) expect((await act(township.client, b, { action: 'consolidate', parentLabelId: box })).statusCode).toBe(200);
    const m2 = (await transfer({ from: township, to: county, carrier, labelIds: [box], measured: { value: 5, unit: 'kg' } })).id;
    expect((await act(county.client, box, { action: 'store', facilityId: county.storageId })).statusCode).toBe(200);
    const m3 = (await transfer({ from: county, to: incinerator, carrier, labelIds: [box], measured: { value: 5, unit: 'kg' } })).id;
    expect((await act(incinerator.client, box, { action: 'treat', method: 'D10', facilityId: incinerator.treatmentId })).statusCode).toBe(200);

    const chain = [m1, m2, m3, box, ...bags];
    let expected: Awaited<ReturnType<typeof feedSince>>['items'] = [];
    await eventually(async () => {
      expected = (await feedSince(city.client, start)).items.filter((e) => chain.includes(e.aggregate.id));
      return expected.some((e) => e.type === 'label.treat') && expected.filter((e) => e.type === 'manifest.complete').length === 3;
    }, 20_000, 'the chain in the feed');
    await eventually(() => expected.every((e) => r.accepted().some((d) => d.id === e.id)), 20_000, 'every event of the chain delivered');
    expect(r.received.every((d) => d.verifiedWith[0] === true)).toBe(true);
    for (const id of chain) {
      const seqs = r.accepted().filter((d) => d.event.aggregate.id === id).map((d) => d.event.sequence);
      const firsts = seqs.filter((q, i) => seqs.indexOf(q) === i);
      expect(firsts, id).toEqual(expected.filter((e) => e.aggregate.id === id).map((e) => e.sequence));
    }
    for (const m of [m1, m2, m3]) {
      expect(expected.filter((e) => e.aggregate.id === m).map((e) => e.type))
        .toEqual(['manifest.create', 'manifest.submit', 'manifest.pickup', 'manifest.deliver', 'manifest.receive', 'manifest.complete']);
    }
  }, 90_000);

  it('lose nothing while the receiver is down: the failed attempts are logged and retried until it is back', async () => {
    const r = await newReceiver();
    const sub = await subscribe(city, r, { eventTypes: ['label.issue'] });
    const port = r.port;
    await r.stop();
    const label = await issueLabel(generator.client);
    await eventually(async () => (await deliveries(city, sub.id)).some((d) => d.eventId !== undefined && d.status === 'failed'), 20_000, 'a failed attempt');
    await r.start(port);
    const later = await issueLabel(generator.client);
    await eventually(() => [label.id, later.id].every((id) => r.accepted().some((d) => d.event.aggregate.id === id)), 20_000, 'both labels delivered');
    // In order: the blocked event first.
    const order = r.accepted().map((d) => d.event.aggregate.id);
    expect(order.indexOf(label.id)).toBeLessThan(order.indexOf(later.id));
    await eventually(async () => (await deliveries(city, sub.id)).filter((d) => d.status === 'succeeded').length >= 2, 10_000, 'the log');
    const log = await deliveries(city, sub.id);
    const ofFirst = log.filter((d) => d.eventType === 'label.issue' && r.accepted().find((x) => x.id === d.eventId)?.event.aggregate.id === label.id);
    expect(ofFirst.at(0)).toMatchObject({ attempt: 1, status: 'failed', responseStatus: null });
    expect(ofFirst.at(0)!.error).toBeTruthy();
    expect(ofFirst.at(-1)).toMatchObject({ status: 'succeeded', responseStatus: 204 });
    expect(ofFirst.at(-1)!.attempt).toBeGreaterThan(1);
  }, 60_000);

  it('dead-letter an event after WEBHOOK_MAX_ATTEMPTS failures and move on; a manual redelivery sends it again once fixed', async () => {
    const r = await newReceiver();
    r.status = 500;
    const sub = await subscribe(city, r, { eventTypes: ['label.issue'] });
    const label = await issueLabel(generator.client);
    await eventually(async () => (await deliveries(city, sub.id)).some((d) => d.status === 'dead'), 30_000, 'dead-lettered');
    const log = (await deliveries(city, sub.id)).filter((d) => d.status !== 'succeeded');
    const eventId = log[0].eventId;
    const ofEvent = log.filter((d) => d.eventId === eventId);
    expect(ofEvent.map((d) => [d.attempt, d.status, d.responseStatus])).toEqual([
      ...Array.from({ length: MAX_ATTEMPTS - 1 }, (_, i) => [i + 1, 'failed', 500]), [MAX_ATTEMPTS, 'dead', 500],
    ]);
    expect(r.received.filter((d) => d.id === eventId)).toHaveLength(MAX_ATTEMPTS);
    expect(r.received[0].event.aggregate.id).toBe(label.id);
    const state = (await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).json();
    expect(state).toMatchObject({ state: 'active', delivery: { failingEventId: null } });

    r.status = 204; // fixed
    const dead = ofEvent.at(-1)!;
    const res = await city.client.post(`/api/v1/webhook-subscriptions/${sub.id}/deliveries/${dead.id}/redeliver`);
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ eventId, queued: true });
    await eventually(() => r.accepted().some((d) => d.id === eventId), 20_000, 'redelivered');
    expect(r.accepted().find((d) => d.id === eventId)!.verifiedWith).toEqual([true]);
    await eventually(async () => (await deliveries(city, sub.id)).some((d) => d.manual && d.status === 'succeeded'), 10_000, 'logged');
    const manual = (await deliveries(city, sub.id)).find((d) => d.manual)!;
    expect(manual).toMatchObject({ eventId, attempt: MAX_ATTEMPTS + 1, status: 'succeeded', responseStatus: 204 });
    // Delivery moved on after the dead letter: later events arrive.
    const next = await issueLabel(generator.client);
    await eventually(() => r.accepted().some((d) => d.event.aggregate.id === next.id), 20_000, 'the next event');
    // An event id it does not receive is not found.
    const elsewhere = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140106' });
    const elsewhereLabel = await issueLabel(elsewhere.client);
    let foreign: { id: string } | undefined;
    await eventually(async () => {
      foreign = (await feedSince(otherDistrict.client)).items.find((e) => e.aggregate.id === elsewhereLabel.id);
      return foreign !== undefined;
    }, 20_000, 'the district\'s event in its feed');
    const own = await newReceiver();
    const districtSub = await subscribe(otherDistrict, own);
    expect((await otherDistrict.client.post(`/api/v1/webhook-subscriptions/${districtSub.id}/events/${eventId}/redeliver`)).statusCode).toBe(404);
    expect((await otherDistrict.client.post(`/api/v1/webhook-subscriptions/${districtSub.id}/events/${foreign!.id}/redeliver`)).statusCode).toBe(202);
  }, 90_000);

  it('sign with both secrets during a rotation\'s overlap', async () => {
    const r = await newReceiver();
    const sub = await subscribe(city, r, { eventTypes: ['label.issue'] });
    const oldSecret = sub.secret;
    const res = await city.client.post(`/api/v1/webhook-subscriptions/${sub.id}/rotate-secret`);
    expect(res.statusCode, res.body).toBe(200);
    const { secret: newSecret, previousSecretExpiresAt } = res.json();
    expect(newSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    r.secrets = [oldSecret, newSecret];
    const label = await issueLabel(generator.client);
    await eventually(() => r.accepted().some((d) => d.event.aggregate.id === label.id), 20_000, 'delivered');
    const d = r.accepted().find((x) => x.event.aggregate.id === label.id)!;
    expect(d.verifiedWith).toEqual([true, true]);
    expect(d.headers['webhook-signature'].split(' ')).toHaveLength(2);
    // The secret is never shown again.
    expect((await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).json()).not.toHaveProperty('secret');
  }, 60_000);
});

describe('webhook subscriptions', () => {
  it('refuse URLs that are not http(s), carry credentials or point inside the network (400 naming the rule; nothing stored)', async () => {
    const before = (await city.client.get('/api/v1/webhook-subscriptions?limit=500')).json().items.length;
    for (const [url, rule] of [
      ['ftp://example.test/hook', 'webhook_url_scheme'],
      ['not a url', 'webhook_url_scheme'],
      ['https://user:pw@example.test/hook', 'webhook_url_credentials'],
      ['http://10.1.2.3/hook', 'webhook_url_private'],
      ['http://169.254.169.254/latest/meta-data', 'webhook_url_private'],
      ['http://[::1]:8080/hook', 'webhook_url_private'],
      ['http://192.168.0.10/hook', 'webhook_url_private'],
      ['http://[::ffff:10.0.0.1]/hook', 'webhook_url_private'],
    ]) {
      const res = await city.client.post('/api/v1/webhook-subscriptions', { url });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json(), url).toMatchObject({ code: 'VALIDATION_FAILED', rule });
    }
    const unknownType = await city.client.post('/api/v1/webhook-subscriptions', { url: 'http://127.0.0.1:9/hook', eventTypes: ['label.teleport'] });
    expect(unknownType.statusCode).toBe(400);
    const outsideScope = await otherDistrict.client.post('/api/v1/webhook-subscriptions', { url: 'http://127.0.0.1:9/hook', regionScope: '140105' });
    expect(outsideScope.statusCode).toBe(400);
    expect((await city.client.get('/api/v1/webhook-subscriptions?limit=500')).json().items).toHaveLength(before);
  });

  it('are for regulators\' admin clients only, and each regulator sees its own', async () => {
    const res = await generator.client.post('/api/v1/webhook-subscriptions', { url: 'http://127.0.0.1:9/hook' });
    expect(res.statusCode).toBe(403);
    expect((await generator.client.get('/api/v1/webhook-subscriptions')).statusCode).toBe(403);
    const r = await newReceiver();
    const sub = await subscribe(city, r);
    expect((await otherDistrict.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).statusCode).toBe(404);
    const got = (await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).json();
    expect(got).toMatchObject({ id: sub.id, url: r.url, regionScope: '1401', contact: 'ops@example.test', state: 'active' });
  });

  it('pause and resume by PATCH, and delete', async () => {
    const r = await newReceiver();
    const sub = await subscribe(city, r, { eventTypes: ['label.issue'] });
    const paused = await city.client.patch(`/api/v1/webhook-subscriptions/${sub.id}`, { state: 'paused' });
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ state: 'paused', pausedReason: 'manual' });
    const label = await issueLabel(generator.client);
    await new Promise((res) => setTimeout(res, 800));
    expect(r.received).toEqual([]);
    const resumed = await city.client.patch(`/api/v1/webhook-subscriptions/${sub.id}`, { state: 'active' });
    expect(resumed.json()).toMatchObject({ state: 'active', pausedReason: null });
    await eventually(() => r.accepted().some((d) => d.event.aggregate.id === label.id), 20_000, 'delivered after resuming');
    const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/webhook-subscriptions/${sub.id}`, headers: { authorization: `Bearer ${city.client.token}` } });
    expect(del.statusCode, del.body).toBe(204);
    expect((await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).statusCode).toBe(404);
  }, 30_000);
});
