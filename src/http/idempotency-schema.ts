import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

// The first response to a POST carrying an Idempotency-Key, written in the same transaction as
// the change it reports, so a retry either sees the whole change or none of it. Never a secret: a
// response that carries one is stored without it (CommandResult.replayBody).
export const idempotencyKeys = pgTable('idempotency_keys', {
  clientId: text().notNull(),
  key: text().notNull(),
  requestHash: text().notNull(),
  statusCode: integer().notNull(),
  body: jsonb().notNull(),
  headers: jsonb().notNull(),
  createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}, (t) => [
  primaryKey({ columns: [t.clientId, t.key] }),
  // The purge of expired records (IDEMPOTENCY_TTL_HOURS) deletes by age.
  index('idempotency_keys_created_idx').on(t.createdAt),
]);
