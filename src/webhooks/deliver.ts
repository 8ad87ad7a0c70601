// The relay (docs/events.md#webhooks): a graphile-worker job per subscription delivers the events
// past its cursor, each aggregate's in feed order (several aggregates at once). A failing event
// blocks the subscription (so each aggregate's events arrive in order) until it succeeds or is
// dead-lettered after WEBHOOK_MAX_ATTEMPTS; retries are jobs scheduled with run_at. Jobs share a
// job_key per subscription, and a session advisory lock per subscription makes sure that, across
// every replica, one worker at a time delivers for it (a lock that dies with its connection: a
// killed process leaves nothing blocked behind it), so no attempt is made twice.
import type pg from 'pg';
import type { JobHelpers } from 'graphile-worker';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { events, webhookDeliveries, webhookSubscriptions } from '../db/schema.js';
import { eventView, type EventRow } from '../events/render.js';
import type { TaskLog } from '../background/periodic.js';
import { retryDelayMs } from './backoff.js';
import { postWebhook } from './post.js';
import { afterFailure, pendingEvents, recordAttempt, recordSuccesses, skipTo, type Success } from './relay-state.js';
import { openSecret } from './secret-box.js';
import { webhookHeaders } from './sign.js';
import type { SubscriptionRow } from './subscriptions.js';
import type { UrlPolicy } from './url-rules.js';

export interface RelaySettings extends UrlPolicy {
  secretKey: Buffer;
  maxAttempts: number;
  pauseAfterHours: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface RelayDeps {
  db: Db;
  /** The pool behind db, for the one-statement record of a run of successes. */
  pool: pg.Pool;
  publicBaseUrl: string;
  settings: RelaySettings;
  log: TaskLog;
}

const BATCH = 50;
/** A job hands over to the next (queued by the wake-up) after this long, so that jobs stay short. */
const JOB_BUDGET_MS = 30_000;

/** The secrets that sign now: the current one, and the previous one during a rotation's overlap. */
function signingSecrets(key: Buffer, s: SubscriptionRow): string[] {
  const secrets = [openSecret(key, s.id, s.secretEnc)];
  if (s.previousSecretEnc && s.previousSecretUntil && s.previousSecretUntil.getTime() > Date.now()) {
    secrets.push(openSecret(key, s.id, s.previousSecretEnc));
  }
  return secrets;
}

/** One attempt of one event: POST, signed, with a deadline. */
async function send(deps: RelayDeps, s: SubscriptionRow, e: EventRow) {
  const body = JSON.stringify(eventView(e, deps.publicBaseUrl));
  const headers = webhookHeaders(e.id, body, signingSecrets(deps.settings.secretKey, s));
  const r = await postWebhook(s.url, headers, body, { timeoutMs: deps.settings.timeoutMs, policy: deps.settings });
  const ok = r.status !== undefined && r.status >= 200 && r.status < 300;
  return { ok, responseStatus: r.status, latencyMs: r.latencyMs, error: ok ? undefined : r.error ?? `HTTP ${r.status}` };
}

/** Runs `work` holding the subscription's delivery lock; false (and nothing done) when another worker holds it. */
async function withDeliveryLock(helpers: JobHelpers, subscriptionId: string, work: () => Promise<void>): Promise<boolean> {
  return helpers.withPgClient(async (client) => {
    const key = `webhook:${subscriptionId}`;
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    if (!rows[0].locked) return false;
    try {
      await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
    }
    return true;
  });
}

async function loadDue(db: Db, id: string): Promise<{ s: SubscriptionRow; due: boolean } | undefined> {
  const [row] = await db.select({ s: webhookSubscriptions, due: sql<boolean>`${webhookSubscriptions.nextAttemptAt} IS NULL OR ${webhookSubscriptions.nextAttemptAt} <= now()` })
    .from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
  return row;
}

type Sent = Awaited<ReturnType<typeof send>> & { at: Date };

/** Aggregates whose events are sent at the same time (each aggregate's own events one after another). */
const LANES = 8;

/**
 * Sends a batch of events (in feed order) keeping each aggregate's order: one lane per aggregate,
 * LANES at once. Once an attempt fails, no event after it (in feed order) is started, and every
 * event before it is still sent, so the batch ends with every event before the first failure
 * delivered. Returns each event's result (undefined: not sent) and the first failure's index (-1: none).
 */
async function sendBatch(deps: RelayDeps, s: SubscriptionRow, rows: EventRow[]): Promise<{ results: Array<Sent | undefined>; firstFailure: number }> {
  const results = new Array<Sent | undefined>(rows.length);
  let from = 0;
  // The event that blocks the subscription is tried alone first: while the receiver is down, one
  // attempt per retry, not one per lane.
  if (rows.length && rows[0].id === s.failingEventId) {
    const at = new Date();
    results[0] = { ...(await send(deps, s, rows[0])), at };
    if (!results[0].ok) return { results, firstFailure: 0 };
    from = 1;
  }
  const lanes = new Map<string, number[]>();
  rows.forEach((e, i) => {
    if (i < from) return;
    const key = `${e.aggregateType}/${e.aggregateId}`;
    lanes.set(key, [...(lanes.get(key) ?? []), i]);
  });
  const queue = [...lanes.values()];
  let firstFailure = Infinity;
  await Promise.all(Array.from({ length: Math.min(LANES, queue.length) }, async () => {
    for (let lane = queue.shift(); lane; lane = queue.shift()) {
      for (const i of lane) {
        if (i > firstFailure) break;
        const at = new Date();
        const r = await send(deps, s, rows[i]);
        results[i] = { ...r, at };
        if (!r.ok) {
          firstFailure = Math.min(firstFailure, i);
          break;
        }
      }
    }
  }));
  return { results, firstFailure: firstFailure === Infinity ? -1 : firstFailure };
}

/**
 * Delivers a subscription's pending events until none is left, one fails, or the budget is spent.
 * The cursor moves past the events delivered before the first failure; that event blocks the
 * subscription until it succeeds or is dead-lettered. Events after it that were delivered in the
 * meantime (other aggregates' lanes) are logged and will be sent again (at least once).
 */
async function deliverInOrder(deps: RelayDeps, subscriptionId: string): Promise<void> {
  const started = Date.now();
  const { settings } = deps;
  for (;;) {
    const loaded = await loadDue(deps.db, subscriptionId);
    // Gone, paused, or waiting for its scheduled retry (a job with that run_at exists).
    if (!loaded || loaded.s.state !== 'active' || !loaded.due) return;
    const s = loaded.s;
    const { rows, scannedTo } = await pendingEvents(deps.db, s, BATCH);
    const { results, firstFailure } = await sendBatch(deps, s, rows);
    const attemptOf = (e: EventRow) => (s.failingEventId === e.id ? s.failingAttempts + 1 : 1);
    const delivered = rows.length === 0 ? 0 : firstFailure === -1 ? rows.length : firstFailure;
    // The successes, logged and the cursor moved past the delivered prefix in one statement.
    const successes: Success[] = results.flatMap((r, i) => (r?.ok
      ? [{ event: rows[i], attempt: attemptOf(rows[i]), responseStatus: r.responseStatus, latencyMs: r.latencyMs, at: r.at }] : []));
    if (successes.length) {
      const state = await recordSuccesses(deps.pool, s.id, successes, delivered > 0 ? rows[delivered - 1] : undefined);
      if (state !== 'active') return; // paused (by PATCH) or deleted meanwhile
    }
    if (firstFailure !== -1) {
      const e = rows[firstFailure];
      const r = results[firstFailure]!;
      const attempt = attemptOf(e);
      const dead = attempt >= settings.maxAttempts;
      const state = await deps.db.transaction(async (tx) => {
        await recordAttempt(tx, s.id, { event: e, attempt, status: dead ? 'dead' : 'failed', ...r });
        // Failed attempts of later events (other lanes): logged; they are tried again after the blocking one.
        for (const [i, later] of results.entries()) {
          if (later && !later.ok && i > firstFailure) await recordAttempt(tx, s.id, { event: rows[i], attempt: attemptOf(rows[i]), status: 'failed', ...later });
        }
        return afterFailure(tx, s, e, {
          dead, attempt, retryInMs: retryDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs), pauseAfterHours: settings.pauseAfterHours,
        });
      });
      if (dead) deps.log.warn({ subscriptionId: s.id, eventId: e.id, attempts: attempt }, 'webhook delivery dead-lettered');
      if (state !== 'active') {
        deps.log.warn({ subscriptionId: s.id }, 'webhook subscription paused: its deliveries have failed for too long');
        return;
      }
      if (!dead) return; // blocked until the scheduled retry
      continue; // dead-lettered: on with the next events
    }
    if (rows.length < BATCH && scannedTo) await skipTo(deps.db, s.id, scannedTo);
    // Events keep coming: read again at once rather than wait for the next wake-up.
    if (rows.length === 0 || Date.now() - started > JOB_BUDGET_MS) return; // the wake-up queues the next job
  }
}

export function deliverTask(deps: RelayDeps) {
  return async (payload: unknown, helpers: JobHelpers): Promise<void> => {
    const { subscriptionId } = payload as { subscriptionId: string };
    await withDeliveryLock(helpers, subscriptionId, () => deliverInOrder(deps, subscriptionId));
  };
}

/**
 * A manual redelivery: one attempt of one event, logged as manual, outside the feed order (the
 * cursor does not move). It waits for the subscription's lock like a delivery: when another
 * worker holds it, the job fails and graphile-worker retries it shortly.
 */
export function redeliverTask(deps: RelayDeps) {
  return async (payload: unknown, helpers: JobHelpers): Promise<void> => {
    const { subscriptionId, eventId } = payload as { subscriptionId: string; eventId: string };
    const ran = await withDeliveryLock(helpers, subscriptionId, async () => {
      const [s] = await deps.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, subscriptionId));
      const [e] = await deps.db.select().from(events).where(eq(events.id, eventId));
      if (!s || !e) return;
      const [{ n }] = await deps.db.select({ n: sql<number>`coalesce(max(${webhookDeliveries.attempt}), 0)::int` }).from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.subscriptionId, s.id), eq(webhookDeliveries.eventId, e.id)));
      const r = await send(deps, s, e);
      await deps.db.transaction((tx) => recordAttempt(tx, s.id, { event: e, attempt: n + 1, status: r.ok ? 'succeeded' : 'failed', manual: true, ...r }));
    });
    if (!ran) throw new Error('another worker is delivering for this subscription; retried shortly');
  };
}
