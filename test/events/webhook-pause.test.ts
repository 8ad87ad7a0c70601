// A subscription whose deliveries keep failing is paused after WEBHOOK_PAUSE_AFTER_HOURS (here a
// couple of seconds), and nothing is lost: resumed by PATCH, it delivers from where it stopped.
// The old secret stops signing when a rotation's overlap ends. Also the settings the relay refuses to
// start without, and the backoff's bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, testConfig, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Party } from '../support/factories.js';
import { createSite, issueLabel, type Site } from '../support/world.js';
import { eventually, WebhookReceiver } from '../support/webhook-receiver.js';
import { retryDelayMs } from '../../src/webhooks/backoff.js';
import { ConfigError } from '../../src/config.js';

let t: TestApp;
let city: Party;
let generator: Site;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  t = await buildTestApp({
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_POLL_MS: '100', JOBS_POLL_INTERVAL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '300', WEBHOOK_MAX_ATTEMPTS: '100',
    WEBHOOK_PAUSE_AFTER_HOURS: '0.0005', // 1.8 s
    WEBHOOK_SECRET_OVERLAP_HOURS: '0.0003', // about 1 s
  });
  const admin = await loginAdmin(t.app);
  city = await createRegulator(t.app, admin, '140100');
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  await receiver.start();
}, 60_000);
afterAll(async () => {
  await t.close();
  await receiver.stop();
});

describe('automatic pause', () => {
  it('pauses a subscription failing for longer than WEBHOOK_PAUSE_AFTER_HOURS; PATCH state=active resumes it, nothing lost', async () => {
    receiver.status = 503;
    const res = await city.client.post('/api/v1/webhook-subscriptions', { url: receiver.url, eventTypes: ['label.issue'] });
    expect(res.statusCode, res.body).toBe(201);
    const sub = res.json();
    receiver.secrets = [sub.secret];
    const label = await issueLabel(generator.client);
    await eventually(async () => (await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).json().state === 'paused', 20_000, 'paused');
    const paused = (await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).json();
    expect(paused).toMatchObject({ state: 'paused', pausedReason: 'failing' });
    expect(paused.delivery.failingAttempts).toBeGreaterThan(1);
    expect(Date.parse(paused.delivery.failingSince)).toBeLessThan(Date.now() - 1500);
    // Paused: no more attempts.
    const attempts = receiver.received.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(receiver.received.length).toBe(attempts);

    receiver.status = 204;
    const resumed = await city.client.patch(`/api/v1/webhook-subscriptions/${sub.id}`, { state: 'active' });
    expect(resumed.statusCode, resumed.body).toBe(200);
    await eventually(() => receiver.accepted().some((d) => d.event.aggregate.id === label.id), 20_000, 'delivered after resuming');
    // The relay records the success once the receiver has answered: a moment after the receiver has it.
    const subscription = async () => (await city.client.get(`/api/v1/webhook-subscriptions/${sub.id}`)).json();
    await eventually(async () => (await subscription()).delivery.failingEventId === null, 20_000, 'the success recorded');
    expect(await subscription()).toMatchObject({ state: 'active', pausedReason: null, delivery: { failingEventId: null, failingSince: null } });
  }, 60_000);
});

describe('secret rotation', () => {
  it('drops the old secret when the overlap ends: deliveries carry one signature, by the new secret', async () => {
    const r = await new WebhookReceiver().start();
    try {
      const res = await city.client.post('/api/v1/webhook-subscriptions', { url: r.url, eventTypes: ['label.issue'] });
      const sub = res.json();
      const rotated = (await city.client.post(`/api/v1/webhook-subscriptions/${sub.id}/rotate-secret`)).json();
      r.secrets = [sub.secret, rotated.secret];
      await new Promise((done) => setTimeout(done, 1500));
      const label = await issueLabel(generator.client);
      await eventually(() => r.accepted().some((d) => d.event.aggregate.id === label.id), 20_000, 'delivered');
      const d = r.accepted().find((x) => x.event.aggregate.id === label.id)!;
      expect(d.verifiedWith).toEqual([false, true]);
      expect(d.headers['webhook-signature'].split(' ')).toHaveLength(1);
    } finally {
      await r.stop();
    }
  }, 30_000);
});

describe('settings', () => {
  it('refuses to start in production without WEBHOOK_SECRET_KEY, or with a short one, or a malformed allow-list', () => {
    expect(() => testConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEY: '' })).toThrow(ConfigError);
    expect(() => testConfig({ WEBHOOK_SECRET_KEY: 'short' })).toThrow(/at least 32/);
    expect(() => testConfig({ WEBHOOK_ALLOW_PRIVATE: 'http://x/' })).toThrow(ConfigError);
    expect(() => testConfig({ JOBS_ENABLED: 'yes' })).toThrow(ConfigError);
    // Outside production a development key is derived, the same in every run.
    expect(testConfig({ WEBHOOK_SECRET_KEY: '' }).webhooks.secretKey).toEqual(testConfig({ WEBHOOK_SECRET_KEY: '' }).webhooks.secretKey);
  });

  it('backs off exponentially, with jitter between half and all of the delay, up to the maximum', () => {
    expect(retryDelayMs(1, 1000, 60_000, 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 60_000, 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, 60_000, 1)).toBe(8000);
    expect(retryDelayMs(30, 1000, 60_000, 1)).toBe(60_000);
    expect(retryDelayMs(30, 1000, 60_000, 0)).toBe(30_000);
  });
});
