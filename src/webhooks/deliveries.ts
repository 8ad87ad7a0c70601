// A subscription's delivery log, and manual redelivery of an event (queued as a job in the
// request's transaction, so it exists if and only if the request succeeded).
import { and, asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { events, webhookDeliveries } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { notFound } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { loadSubscription } from './subscriptions.js';
import { addJob } from '../jobs/enqueue.js';
import { inSubscriptionScope, REDELIVER_TASK } from './relay-state.js';

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  attempt: d.attempt,
  status: d.status,
  manual: d.manual,
  responseStatus: d.responseStatus,
  latencyMs: d.latencyMs,
  error: d.error,
  attemptedAt: d.attemptedAt.toISOString(),
});

/** In the order the attempts were made. */
export async function listDeliveries(db: DbOrTx, caller: Caller, subscriptionId: string, q: { limit: number; cursor?: string; eventId?: string }) {
  const s = await loadSubscription(db, caller, subscriptionId);
  const t = webhookDeliveries;
  const rows = await db.select().from(t).where(and(
    eq(t.subscriptionId, s.id),
    q.eventId ? eq(t.eventId, q.eventId) : undefined,
    q.cursor ? afterCursor([t.attemptedAt, t.id], q.cursor) : undefined,
  )).orderBy(asc(t.attemptedAt), asc(t.id)).limit(q.limit + 1);
  return keysetPage(rows, q.limit, (d) => [d.attemptedAt, d.id], deliveryView);
}

/** Queues one more attempt of an event the subscription receives (any state: delivered, dead, pending). */
export async function redeliverEvent(cmd: Command, subscriptionId: string, eventId: string) {
  const { tx, actor: { caller } } = cmd;
  const s = await loadSubscription(tx, caller, subscriptionId);
  const [e] = await tx.select({ id: events.id, type: events.type }).from(events).where(and(eq(events.id, eventId), inSubscriptionScope(s)));
  if (!e) throw notFound('Event of this subscription');
  await addJob(tx, REDELIVER_TASK, { subscriptionId: s.id, eventId: e.id }, { maxAttempts: 10 });
  await cmd.audit({ chain: caller.regionCode, entityType: 'webhook_subscription', entityId: s.id, action: 'redeliver', after: { eventId: e.id } });
  return { subscriptionId: s.id, eventId: e.id, eventType: e.type, queued: true };
}

/** The event of a logged delivery. */
export async function eventOfDelivery(db: DbOrTx, caller: Caller, subscriptionId: string, deliveryId: string): Promise<string> {
  const s = await loadSubscription(db, caller, subscriptionId);
  const [d] = await db.select({ eventId: webhookDeliveries.eventId }).from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.subscriptionId, s.id)));
  if (!d) throw notFound('Delivery');
  return d.eventId;
}
