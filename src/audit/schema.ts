import { bigint, index, integer, jsonb, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

// One hash chain per region (see README "Audit trail"): writers in different districts never wait
// for each other; the head row of a chain is the lock that orders its entries.
export const auditChains = pgTable('audit_chains', {
  chain: text().primaryKey(),
  headSeq: bigint({ mode: 'number' }).notNull().default(0),
  headHash: text().notNull(),
});

export const auditEntries = pgTable('audit_entries', {
  seq: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  chain: text().notNull(),
  chainSeq: bigint({ mode: 'number' }).notNull(),
  prevHash: text().notNull(),
  hash: text().notNull(),
  recordedAt: timestamp({ withTimezone: true, mode: 'string' }).notNull(),
  orgId: uuid(),
  clientId: text(),
  requestId: text(),
  entityType: text().notNull(),
  entityId: text().notNull(),
  action: text().notNull(),
  outcome: text().notNull(), // applied | refused
  before: jsonb(),
  after: jsonb(),
  // How `hash` was computed (docs/architecture.md#audit-hash): 1 = SHA-256 over the JCS text of the
  // hashed fields. A future scheme gets a new number; entries keep theirs and stay verifiable.
  hashScheme: smallint().notNull().default(1),
}, (t) => [
  uniqueIndex('audit_chain_seq_uq').on(t.chain, t.chainSeq),
  index('audit_entity_idx').on(t.entityType, t.entityId, t.seq),
]);

export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  jws: text().notNull(),
  createdAt: timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
