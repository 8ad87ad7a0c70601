import { index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

// The alerts the alert sweep has seen open (migrations/0023_alert_states.sql).
export const alertStates = pgTable('alert_states', {
  alertType: text().notNull(),
  entityType: text().notNull(),
  entityId: text().notNull(),
  regionCode: text().notNull(),
  orgId: text(),
  openedAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
  closedAt: timestamp({ withTimezone: true, mode: 'date' }),
  alert: jsonb().notNull(),
}, (t) => [
  primaryKey({ columns: [t.alertType, t.entityType, t.entityId] }),
  index('alert_states_open_idx').on(t.alertType, t.entityType, t.entityId).where(sql`closed_at IS NULL`),
]);
