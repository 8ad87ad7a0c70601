// The relay (docs/events.md#webhooks): a graphile-worker job per subscription delivers the events
// past its cursor, in feed order, one at a time. A failing event blocks the subscription (so each
// aggregate's events arrive in order) until it succeeds or is dead-lettered after
// WEBHOOK_MAX_ATTEMPTS; retries are jobs scheduled with run_at. Jobs share a job_key per
// subscription, and a session advisory lock per subscription makes sure that, across every replica,
// one worker at a time delivers for it (a lock that dies with its connection: a killed process
// leaves nothing blocked behind it), so no attempt is made twice.
import type pg from 'pg';
import type { JobHelpers } from 'graphile-worker';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { events, webhookDeliveries, webhookSubscriptions } from '../db/schema.js';
import { eventView, type EventRow } from '../events/render.js';
import type { TaskLog } from '../background/periodic.js';
import { retryDelayMs } from './backoff.js';
import { postWebhook } from './post.js';
import { afterAttempt, pendingEvents, recordAttempt, recordSuccesses, skipTo, type Success } from './relay-state.js';
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

/** Delivers a subscription's pending events in order until none is left, one fails, or the budget is spent. */
async function deliverInOrder(deps: RelayDeps, subscriptionId: string): Promise<void> {
  const started = Date.now();
  const { settings } = deps;
  for (;;) {
    const loaded = await loadDue(deps.db, subscriptionId);
    // Gone, paused, or waiting for its scheduled retry (a job with that run_at exists).
    if (!loaded || loaded.s.state !== 'active' || !loaded.due) return;
    const s = loaded.s;
    const { rows, scannedTo } = await pendingEvents(deps.db, s, BATCH);
    // Successes are logged together (and the cursor moved past them) when the batch ends or an
    // attempt fails: a crash in between sends them again (at least once; webhook-id is stable).
    const delivered: Success[] = [];
    const flush = async () => (delivered.length ? recordSuccesses(deps.pool, s.id, delivered.splice(0)) : 'active');
    for (const e of rows) {
      const attempt = s.failingEventId === e.id ? s.failingAttempts + 1 : 1;
      const at = new Date();
      const r = await send(deps, s, e);
      // The next event is a first attempt: reflect the move in the row we hold.
      const moveOn = () => { s.failingEventId = null; s.failingAttempts = 0; };
      if (r.ok) {
        delivered.push({ event: e, attempt, responseStatus: r.responseStatus, latencyMs: r.latencyMs, at });
        moveOn();
        continue;
      }
      if ((await flush()) !== 'active') return;
      const dead = attempt >= settings.maxAttempts;
      const state = await deps.db.transaction(async (tx) => {
        await recordAttempt(tx, s.id, { event: e, attempt, status: dead ? 'dead' : 'failed', ...r });
        return afterAttempt(tx, s, e, {
          ok: false, dead, attempt, retryInMs: retryDelayMs(attempt, settings.retryBaseMs, settings.retryMaxMs), pauseAfterHours: settings.pauseAfterHours,
        });
      });
      if (dead) deps.log.warn({ subscriptionId: s.id, eventId: e.id, attempts: attempt }, 'webhook delivery dead-lettered');
      if (state !== 'active') {
        deps.log.warn({ subscriptionId: s.id }, 'webhook subscription paused: its deliveries have failed for too long');
        return;
      }
      if (!dead) return; // blocked until the scheduled retry
      moveOn();
    }
    if ((await flush()) !== 'active') return; // paused (by PATCH) or deleted meanwhile
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
