import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, customType } from 'drizzle-orm/pg-core';

/** PostgreSQL's 64-bit transaction id; read and written as its decimal text. */
export const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

// One row per state change (table: migrations/0019_events.sql; written from the audit trail by the
// trigger of migrations/0024_event_trigger.sql).
export const events = pgTable('events', {
  position: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  id: uuid().notNull().defaultRandom(),
  txid: xid8().notNull(),
  type: text().notNull(),
  aggregateType: text().notNull(),
  aggregateId: text().notNull(),
  regionCode: text().notNull(),
  otherRegionCode: text(),
  occurredAt: timestamp({ withTimezone: true, mode: 'date' }).notNull(),
  auditSeq: bigint({ mode: 'number' }),
  snapshot: jsonb(),
}, (t) => [
  uniqueIndex('events_id_uq').on(t.id),
  index('events_commit_order_idx').on(t.txid, t.position),
  index('events_aggregate_idx').on(t.aggregateType, t.aggregateId, t.position),
]);
