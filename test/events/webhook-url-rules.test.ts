// Where webhooks may go, checked at registration and again at delivery on the address connected
// to: a host name resolving inside the network (as after DNS rebinding) is refused at delivery
// unless allowed, by name or by network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressAllowed, checkSubscriptionUrl } from '../../src/webhooks/url-rules.js';
import { postWebhook } from '../../src/webhooks/post.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const receiver = new WebhookReceiver();
beforeAll(async () => { await receiver.start(); });
afterAll(() => receiver.stop());

describe('webhook URL rules', () => {
  it('judge addresses: internal ranges refused, IPv4-mapped IPv6 as IPv4, allowed by address, CIDR or host name', () => {
    const none = { allowPrivate: [] };
    for (const a of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1']) {
      expect(addressAllowed(none, 'h.example', a), a).toBe(false);
    }
    for (const a of ['93.184.216.34', '2606:4700::1111', '172.32.0.1']) expect(addressAllowed(none, 'h.example', a), a).toBe(true);
    expect(addressAllowed({ allowPrivate: ['10.1.0.0/16'] }, 'h.example', '10.1.2.3')).toBe(true);
    expect(addressAllowed({ allowPrivate: ['10.1.0.0/16'] }, 'h.example', '10.2.0.1')).toBe(false);
    expect(addressAllowed({ allowPrivate: ['hooks.internal'] }, 'HOOKS.internal', '10.9.9.9')).toBe(true);
  });

  it('refuse at registration a host name that resolves to loopback', async () => {
    await expect(checkSubscriptionUrl({ allowPrivate: [] }, 'http://localhost:9/hook')).rejects.toMatchObject({ code: 'VALIDATION_FAILED', extras: { rule: 'webhook_url_private' } });
    await expect(checkSubscriptionUrl({ allowPrivate: ['localhost'] }, 'http://localhost:9/hook')).resolves.toBe('http://localhost:9/hook');
  });

  it('refuse at delivery a connection to an address the rules refuse, sending nothing', async () => {
    const url = `http://localhost:${receiver.port}/hook`;
    const refused = await postWebhook(url, {}, '{}', { timeoutMs: 2000, policy: { allowPrivate: [] } });
    expect(refused.status).toBeUndefined();
    expect(refused.error).toMatch(/internal address/);
    const literal = await postWebhook(`http://127.0.0.1:${receiver.port}/hook`, {}, '{}', { timeoutMs: 2000, policy: { allowPrivate: [] } });
    expect(literal.error).toMatch(/internal address/);
    expect(receiver.received).toEqual([]);
    // Allowed by WEBHOOK_ALLOW_PRIVATE, the same address is delivered to.
    const allowed = await postWebhook(`http://127.0.0.1:${receiver.port}/hook`, { 'webhook-id': 'x' }, '{"id":"x"}', { timeoutMs: 2000, policy: { allowPrivate: ['127.0.0.1'] } });
    expect(allowed.status).toBe(204);
  });
});
