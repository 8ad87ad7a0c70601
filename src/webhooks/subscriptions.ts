// Webhook subscriptions of a regulator (docs/events.md#webhooks): where to send which events of
// which part of its jurisdiction. Managed by the regulator's admin clients; the signing secret is
// shown once, at creation and at each rotation, and kept sealed (secret-box.ts).
import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { webhookSubscriptions } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { requireClientRole, requireOrgRole, type Caller } from '../auth/roles.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { EVENT_TYPES } from '../events/catalogue.js';
import { newSigningSecret, sealSecret } from './secret-box.js';
import { checkSubscriptionUrl, type UrlPolicy } from './url-rules.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;

export interface SubscriptionSettings extends UrlPolicy {
  secretKey: Buffer;
  secretOverlapHours: number;
}

export interface SubscriptionInput {
  url: string;
  eventTypes?: string[];
  regionScope?: string;
  contact?: string | null;
  state?: 'active' | 'paused';
}

export const subscriptionView = (s: SubscriptionRow) => ({
  id: s.id,
  url: s.url,
  eventTypes: s.eventTypes,
  regionScope: s.regionPrefix,
  contact: s.contact,
  state: s.state,
  pausedReason: s.pausedReason,
  previousSecretExpiresAt: s.previousSecretEnc && s.previousSecretUntil ? s.previousSecretUntil.toISOString() : null,
  delivery: {
    failingEventId: s.failingEventId,
    failingAttempts: s.failingAttempts,
    nextAttemptAt: s.nextAttemptAt?.toISOString() ?? null,
    failingSince: s.failingSince?.toISOString() ?? null,
  },
  version: s.version,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

/** Regulators' admin clients only. */
export function requireSubscriptionManager(caller: Caller): void {
  requireOrgRole(caller, 'regulator');
  requireClientRole(caller, 'admin');
}

function eventTypesOf(types: string[] | undefined): string[] {
  const list = [...new Set(types ?? [])];
  const unknown = list.filter((t) => !EVENT_TYPES.includes(t));
  if (unknown.length) throw invalid(`Unknown event types: ${unknown.join(', ')}`, [{ path: 'body.eventTypes', message: `not in the event catalogue: ${unknown.join(', ')}` }]);
  return list;
}

/** The region scope: a prefix inside the caller's jurisdiction (absent: all of it). */
function scopeOf(caller: Caller, regionScope: string | undefined): string {
  const own = caller.jurisdiction!;
  if (regionScope === undefined) return own;
  if (!regionScope.startsWith(own)) {
    throw invalid(`The region scope ${regionScope} is not inside your jurisdiction ${own}`, [{ path: 'body.regionScope', message: `must start with ${own}` }]);
  }
  return regionScope;
}

export async function loadSubscription(db: DbOrTx, caller: Caller, id: string): Promise<SubscriptionRow> {
  requireSubscriptionManager(caller);
  const [s] = await db.select().from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.orgId, caller.orgId)));
  if (!s) throw notFound('Webhook subscription');
  return s;
}

const auditOf = (caller: Caller, s: SubscriptionRow, action: string) =>
  ({ chain: caller.regionCode, entityType: 'webhook_subscription', entityId: s.id, action, after: subscriptionView(s) });

export async function createSubscription(cmd: Command, settings: SubscriptionSettings, input: SubscriptionInput) {
  const { tx, actor: { caller } } = cmd;
  requireSubscriptionManager(caller);
  const url = await checkSubscriptionUrl(settings, input.url);
  const id = randomUUID();
  const secret = newSigningSecret();
  const state = input.state ?? 'active';
  const [s] = await tx.insert(webhookSubscriptions).values({
    id, orgId: caller.orgId, url, eventTypes: eventTypesOf(input.eventTypes), regionPrefix: scopeOf(caller, input.regionScope),
    contact: input.contact ?? null, state, pausedReason: state === 'paused' ? 'manual' : null,
    secretEnc: sealSecret(settings.secretKey, id, secret),
    // From now on: every event of a transaction still running or yet to start.
    cursorTxid: sql`events_horizon()`, cursorPosition: 0,
  }).returning();
  await cmd.audit(auditOf(caller, s, 'create'));
  return { view: subscriptionView(s), secret };
}

export async function listSubscriptions(db: DbOrTx, caller: Caller, q: { limit: number; cursor?: string }) {
  requireSubscriptionManager(caller);
  const rows = await db.select().from(webhookSubscriptions).where(and(
    eq(webhookSubscriptions.orgId, caller.orgId),
    q.cursor ? afterCursor([webhookSubscriptions.createdAt, webhookSubscriptions.id], q.cursor) : undefined,
  )).orderBy(asc(webhookSubscriptions.createdAt), asc(webhookSubscriptions.id)).limit(q.limit + 1);
  return keysetPage(rows, q.limit, (s) => [s.createdAt, s.id], subscriptionView);
}

export async function updateSubscription(cmd: Command, settings: SubscriptionSettings, id: string, input: Partial<SubscriptionInput>, ifMatch?: number) {
  const { tx, actor: { caller } } = cmd;
  const s = await loadSubscription(tx, caller, id);
  if (ifMatch !== undefined && ifMatch !== s.version) throw new AppError('VERSION_CONFLICT', `The subscription is at version ${s.version}`);
  const changes: Partial<typeof webhookSubscriptions.$inferInsert> = {};
  if (input.url !== undefined) changes.url = await checkSubscriptionUrl(settings, input.url);
  if (input.eventTypes !== undefined) changes.eventTypes = eventTypesOf(input.eventTypes);
  if (input.regionScope !== undefined) changes.regionPrefix = scopeOf(caller, input.regionScope);
  if (input.contact !== undefined) changes.contact = input.contact;
  if (input.state === 'paused' && s.state !== 'paused') Object.assign(changes, { state: 'paused', pausedReason: 'manual' });
  // Resumed: the failing event is tried again at once, and the failure streak starts afresh.
  if (input.state === 'active' && s.state !== 'active') Object.assign(changes, { state: 'active', pausedReason: null, nextAttemptAt: null, failingSince: null });
  const [updated] = await tx.update(webhookSubscriptions)
    .set({ ...changes, version: sql`${webhookSubscriptions.version} + 1`, updatedAt: sql`now()` })
    .where(eq(webhookSubscriptions.id, s.id)).returning();
  await cmd.audit(auditOf(caller, updated, 'update'));
  return subscriptionView(updated);
}

export async function deleteSubscription(cmd: Command, id: string) {
  const { tx, actor: { caller } } = cmd;
  const s = await loadSubscription(tx, caller, id);
  await tx.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, s.id));
  await cmd.audit({ ...auditOf(caller, s, 'delete'), after: null });
}

/** A new secret; the old one keeps signing too for WEBHOOK_SECRET_OVERLAP_HOURS, then is dropped. */
export async function rotateSecret(cmd: Command, settings: SubscriptionSettings, id: string) {
  const { tx, actor: { caller } } = cmd;
  const s = await loadSubscription(tx, caller, id);
  const secret = newSigningSecret();
  const overlap = settings.secretOverlapHours > 0;
  const [updated] = await tx.update(webhookSubscriptions).set({
    secretEnc: sealSecret(settings.secretKey, s.id, secret),
    previousSecretEnc: overlap ? s.secretEnc : null,
    previousSecretUntil: overlap ? sql`now() + make_interval(secs => ${settings.secretOverlapHours * 3600})` : null,
    version: sql`${webhookSubscriptions.version} + 1`, updatedAt: sql`now()`,
  }).where(eq(webhookSubscriptions.id, s.id)).returning();
  await cmd.audit(auditOf(caller, updated, 'rotate_secret'));
  return { view: subscriptionView(updated), secret };
}
