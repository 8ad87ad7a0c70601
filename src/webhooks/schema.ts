import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organisations } from '../parties/schema.js';
import { xid8 } from '../events/schema.js';

// Regulators' webhook subscriptions and the relay's state per subscription (migrations/0022_webhooks.sql).
export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid().notNull().references(() => organisations.id),
  url: text().notNull(),
  eventTypes: text().array().notNull().default([]),
  regionPrefix: text().notNull(),
  contact: text(),
  state: text({ enum: ['active', 'paused'] }).notNull().default('active'),
  pausedReason: text({ enum: ['manual', 'failing'] }),
  secretEnc: text().notNull(),
  previousSecretEnc: text(),
  previousSecretUntil: timestamp({ withTimezone: true, mode: 'date' }),
  cursorTxid: xid8().notNull(),
  cursorPosition: bigint({ mode: 'number' }).notNull().default(0),
  failingEventId: uuid(),
  failingAttempts: integer().notNull().default(0),
  nextAttemptAt: timestamp({ withTimezone: true, mode: 'date' }),
  failingSince: timestamp({ withTimezone: true, mode: 'date' }),
  version: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [
  index('webhook_subscriptions_org_idx').on(t.orgId, t.createdAt, t.id),
  index('webhook_subscriptions_active_idx').on(t.id).where(sql`state = 'active'`),
]);

// One row per delivery attempt: the subscription's delivery log.
export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: uuid().primaryKey().defaultRandom(),
  subscriptionId: uuid().notNull().references(() => webhookSubscriptions.id, { onDelete: 'cascade' }),
  eventId: uuid().notNull(),
  eventType: text().notNull(),
  attempt: integer().notNull(),
  status: text({ enum: ['succeeded', 'failed', 'dead'] }).notNull(),
  manual: boolean().notNull().default(false),
  responseStatus: integer(),
  latencyMs: integer().notNull(),
  error: text(),
  attemptedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [
  index('webhook_deliveries_log_idx').on(t.subscriptionId, t.attemptedAt.desc(), t.id.desc()),
  index('webhook_deliveries_event_idx').on(t.subscriptionId, t.eventId),
]);
