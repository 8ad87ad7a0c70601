// Read queries of the audit trail that route handlers call.
import { and, asc, eq, gte, like, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { auditEntries } from '../db/schema.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { isRegulator, type Caller } from '../auth/roles.js';

export interface AuditListQuery { entityType?: string; entityId?: string; from?: string; to?: string; limit: number; cursor?: string }

/** Entries oldest first: a regulator's jurisdiction, or a party's own trail. */
export async function listAuditEntries(db: DbOrTx, caller: Caller, q: AuditListQuery) {
  const where: (SQL | undefined)[] = [];
  if (isRegulator(caller)) where.push(like(auditEntries.chain, `${caller.jurisdiction}%`));
  else {
    // A party's own trail: what its clients did, what was done to the organisation itself, and
    // every entry about a container or manifest it is party to (e.g. the receiver's acceptance
    // of the generator's drum).
    const org = caller.orgId;
    where.push(or(
      eq(auditEntries.orgId, org),
      eq(auditEntries.entityId, org),
      sql`(${auditEntries.entityType} = 'label' AND ${auditEntries.entityId} IN (
        SELECT id::text FROM labels WHERE generator_id = ${org} OR holder_id = ${org}
        UNION SELECT ml.label_id::text FROM manifest_labels ml JOIN manifests m ON m.id = ml.manifest_id
        WHERE m.generator_id = ${org} OR m.receiver_id = ${org}))`,
      sql`(${auditEntries.entityType} = 'manifest' AND ${auditEntries.entityId} IN (
        SELECT id::text FROM manifests WHERE generator_id = ${org} OR receiver_id = ${org}
        UNION SELECT manifest_id::text FROM manifest_carriers WHERE org_id = ${org}))`,
    ));
  }
  if (q.entityType) where.push(eq(auditEntries.entityType, q.entityType));
  if (q.entityId) where.push(eq(auditEntries.entityId, q.entityId));
  if (q.from) where.push(gte(auditEntries.recordedAt, q.from));
  if (q.to) where.push(lte(auditEntries.recordedAt, q.to));
  if (q.cursor) where.push(afterCursor([auditEntries.seq], q.cursor));
  const rows = await db.select().from(auditEntries).where(and(...where)).orderBy(asc(auditEntries.seq)).limit(q.limit + 1);
  return keysetPage(rows, q.limit, (r) => [r.seq], (r) => ({ ...r, recordedAt: new Date(r.recordedAt).toISOString() }));
}
