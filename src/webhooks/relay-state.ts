// What the relay reads and writes per subscription: the pending events past its cursor (in feed
// order, below the horizon, inside its scope); a batch's successes with the cursor's move in one
// statement; a failed attempt with the subscription's new state and its retry job in one short
// transaction.
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type pg from 'pg';
import type { Db, Tx } from '../db/database.js';
import { events, webhookDeliveries, webhookSubscriptions } from '../db/schema.js';
import { committedBeforeHorizon } from '../events/feed.js';
import type { EventRow } from '../events/render.js';
import { inRegion } from '../supervision/jurisdiction.js';
import { addJob } from '../jobs/enqueue.js';
import type { SubscriptionRow } from './subscriptions.js';

export const DELIVER_TASK = 'webhook_deliver';
export const REDELIVER_TASK = 'webhook_redeliver';

/** One deliver job per subscription at a time is queued under this key (wake.ts builds the same in SQL). */
export const DELIVER_JOB_KEY_PREFIX = 'webhook:';
export const deliverJobKey = (subscriptionId: string) => `${DELIVER_JOB_KEY_PREFIX}${subscriptionId}`;

const pastCursor = (s: Pick<SubscriptionRow, 'cursorTxid' | 'cursorPosition'>): SQL =>
  sql`(${events.txid}, ${events.position}) > (${s.cursorTxid}::xid8, ${s.cursorPosition})`;

/** The events a subscription receives: the same region rule as the feed (readFeed), and its types. */
export function inSubscriptionScope(s: Pick<SubscriptionRow, 'regionPrefix' | 'eventTypes'>): SQL {
  return and(
    or(inRegion(events.regionCode, s.regionPrefix), inRegion(events.otherRegionCode, s.regionPrefix)),
    s.eventTypes.length ? inArray(events.type, s.eventTypes) : undefined,
  )!;
}

/**
 * The next events to deliver, and how far the feed was read: when fewer than `limit` came back,
 * every event up to `scannedTo` was considered, so the cursor may move there. Both reads share
 * one snapshot (repeatable read), so the horizon is the same for both.
 */
export async function pendingEvents(db: Db, s: SubscriptionRow, limit: number): Promise<{ rows: EventRow[]; scannedTo?: { txid: string; position: number } }> {
  return db.transaction(async (tx) => {
    const rows = await tx.select().from(events)
      .where(and(pastCursor(s), committedBeforeHorizon, inSubscriptionScope(s)))
      .orderBy(asc(events.txid), asc(events.position)).limit(limit);
    const [last] = await tx.select({ txid: events.txid, position: events.position }).from(events)
      .where(and(pastCursor(s), committedBeforeHorizon))
      .orderBy(desc(events.txid), desc(events.position)).limit(1);
    return { rows, scannedTo: last };
  }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}

/** Moves the cursor forward over events the subscription does not receive. */
export async function skipTo(db: Db, id: string, to: { txid: string; position: number }): Promise<void> {
  await db.update(webhookSubscriptions).set({ cursorTxid: sql`${to.txid}::xid8`, cursorPosition: to.position })
    .where(and(eq(webhookSubscriptions.id, id), sql`(${webhookSubscriptions.cursorTxid}, ${webhookSubscriptions.cursorPosition}) < (${to.txid}::xid8, ${to.position})`));
}

export interface AttemptRecord {
  event: EventRow;
  attempt: number;
  status: 'succeeded' | 'failed' | 'dead';
  manual?: boolean;
  responseStatus?: number;
  latencyMs: number;
  error?: string;
}

export async function recordAttempt(tx: Tx, subscriptionId: string, r: AttemptRecord): Promise<void> {
  await tx.insert(webhookDeliveries).values({
    subscriptionId, eventId: r.event.id, eventType: r.event.type, attempt: r.attempt, status: r.status, manual: r.manual ?? false,
    responseStatus: r.responseStatus ?? null, latencyMs: r.latencyMs, error: r.error?.slice(0, 500) ?? null,
  });
}

export interface Success { event: EventRow; attempt: number; responseStatus?: number; latencyMs: number; at: Date }

// The successes of a batch logged and, when given, the cursor moved past the delivered prefix, in
// one statement: the relay's hot path is one such round trip per batch, not a transaction per
// event. Any success ends a failure streak (failing_since).
const RECORD_SUCCESSES = `
  WITH logged AS (
    INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, attempt, status, response_status, latency_ms, attempted_at)
    SELECT $1, x.event_id, x.event_type, x.attempt, 'succeeded', x.response_status, x.latency_ms, x.attempted_at
    FROM unnest($2::uuid[], $3::text[], $4::int[], $5::int[], $6::int[], $7::timestamptz[])
      AS x(event_id, event_type, attempt, response_status, latency_ms, attempted_at))
  UPDATE webhook_subscriptions
  SET cursor_txid = coalesce($8::xid8, cursor_txid), cursor_position = coalesce($9::bigint, cursor_position),
      failing_event_id = CASE WHEN $8::xid8 IS NULL THEN failing_event_id END,
      failing_attempts = CASE WHEN $8::xid8 IS NULL THEN failing_attempts ELSE 0 END,
      next_attempt_at = CASE WHEN $8::xid8 IS NULL THEN next_attempt_at END,
      failing_since = NULL
  WHERE id = $1
  RETURNING state`;

/** Records delivered events; returns the subscription's state after (undefined: deleted). */
export async function recordSuccesses(pool: pg.Pool, subscriptionId: string, done: Success[], cursorTo?: Pick<EventRow, 'txid' | 'position'>): Promise<string | undefined> {
  const { rows } = await pool.query<{ state: string }>(RECORD_SUCCESSES, [
    subscriptionId, done.map((d) => d.event.id), done.map((d) => d.event.type), done.map((d) => d.attempt),
    done.map((d) => d.responseStatus ?? null), done.map((d) => d.latencyMs), done.map((d) => d.at.toISOString()),
    cursorTo?.txid ?? null, cursorTo?.position ?? null,
  ]);
  return rows[0]?.state;
}

/**
 * The state after a failed attempt of the blocking event: a dead-lettered event moves the cursor
 * past it; otherwise the retry is scheduled. A failure streak longer than the pause threshold
 * pauses the subscription. Returns the state after.
 */
export async function afterFailure(tx: Tx, s: SubscriptionRow, e: EventRow, outcome: { dead: boolean; attempt: number; retryInMs: number; pauseAfterHours: number }): Promise<'active' | 'paused'> {
  const t = webhookSubscriptions;
  const streak = sql`coalesce(${t.failingSince}, now())`;
  const pauses = sql`${streak} <= now() - make_interval(secs => ${outcome.pauseAfterHours * 3600})`;
  const failing = {
    failingSince: streak,
    state: sql`CASE WHEN ${pauses} THEN 'paused' ELSE ${t.state} END`,
    pausedReason: sql`CASE WHEN ${pauses} THEN 'failing' ELSE ${t.pausedReason} END`,
  };
  const set = outcome.dead
    ? { cursorTxid: sql`${e.txid}::xid8`, cursorPosition: e.position, failingEventId: null, failingAttempts: 0, nextAttemptAt: null, ...failing }
    : { failingEventId: e.id, failingAttempts: outcome.attempt, nextAttemptAt: sql`now() + make_interval(secs => ${outcome.retryInMs / 1000})`, ...failing };
  const [after] = await tx.update(t).set(set as never).where(eq(t.id, s.id))
    .returning({ state: t.state, nextAttemptAt: t.nextAttemptAt });
  if (!after) return 'paused'; // deleted meanwhile
  if (!outcome.dead && after.state === 'active') {
    // The retry is graphile-worker's job, scheduled with the attempt (replacing any queued wake-up).
    await addJob(tx, DELIVER_TASK, { subscriptionId: s.id }, { jobKey: deliverJobKey(s.id), runAt: sql`${after.nextAttemptAt!.toISOString()}::timestamptz` });
  }
  return after.state;
}
