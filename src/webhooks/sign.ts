// Standard Webhooks headers (https://www.standardwebhooks.com): the event id as `webhook-id` (the
// same in every attempt, so receivers drop duplicates), the send time, and one `v1,` signature per
// signing secret, space-separated: during a rotation's overlap both the new and the old secret sign.
import { Webhook } from 'standardwebhooks';

export function webhookHeaders(eventId: string, body: string, secrets: readonly string[], at = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(eventId, at, body)).join(' '),
  };
}
