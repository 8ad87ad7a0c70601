// Storage-extension approvals (固废法 Art. 81, docs/regulations.md#storage-extensions): a licensed
// operator may store hazardous waste longer than one year only with the licensing authority's
// approval. A registrar records the approval: its number, the operator, what it covers (named
// containers, or one of the operator's storage facilities) and until when. While it is in force the
// storage_over_limit breach is suspended for what it covers (src/supervision/storage-alerts.ts).
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { afterCursor } from '../db/keyset.js';
import type { DbOrTx } from '../db/database.js';
import { facilities, labels, storageExtensions } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, notFound, ruleViolation } from '../core/errors.js';
import { supervises, type Caller } from '../auth/roles.js';
import { findOrg, loadManagedOrg } from './organisations.js';
import { checkValidity, pageOf, requireRegistrarOver, type PageQuery } from './licences.js';

type StorageExtensionRow = typeof storageExtensions.$inferSelect;

export interface NewStorageExtension {
  number: string;
  labelIds?: string[];
  facilityId?: string;
  validFrom: string;
  validTo: string;
}

/**
 * Whether the organisation (a uuid expression) is bound by Art. 81's one-year limit: it holds a
 * licence of any status or validity other than a transport licence — an operating licence, or a
 * collection approval registered like one (docs/regulations.md#storage-limit). Written as "not
 * transport" so that it holds whatever names the receiving licence kinds carry.
 */
export const holdsOperatorLicence = (orgId: SQL): SQL =>
  sql`EXISTS (SELECT 1 FROM licences lic WHERE lic.org_id = ${orgId} AND lic.kind <> 'transport')`;

export const storageExtensionView = (e: StorageExtensionRow) => ({
  id: e.id,
  number: e.number,
  orgId: e.orgId,
  regionCode: e.regionCode,
  labelIds: e.labelIds,
  facilityId: e.facilityId,
  validFrom: e.validFrom,
  validTo: e.validTo,
  createdAt: e.createdAt.toISOString(),
});

export async function createStorageExtension(cmd: Command, orgId: string, input: NewStorageExtension) {
  const { tx, actor: { caller } } = cmd;
  const org = await findOrg(tx, orgId);
  if (!org || !supervises(caller, org.regionCode)) throw notFound('Organisation');
  requireRegistrarOver(caller, org.regionCode);
  checkValidity(input.validFrom, input.validTo);
  const labelIds = input.labelIds ?? [];
  if ((labelIds.length > 0) === (input.facilityId !== undefined)) {
    throw invalid('An extension covers either containers (labelIds) or one storage facility (facilityId), not both or neither', [
      { path: 'body', message: 'exactly one of labelIds and facilityId' },
    ]);
  }
  // Art. 81 binds units that collect, store, utilise or dispose of hazardous waste as a business:
  // the approval is the licensing authority's, so only a licensed operator has one.
  const { rows: [bound] } = await tx.execute<{ operator: boolean }>(sql`SELECT ${holdsOperatorLicence(sql`${org.id}::uuid`)} AS operator`);
  if (!bound.operator) {
    throw ruleViolation('storage_extension_scope', `${org.name} holds no operating licence or collection approval: Art. 81's one-year limit and its extension apply to licensed operators`, { orgId: org.id });
  }
  if (input.facilityId !== undefined) {
    const [facility] = await tx.select({ id: facilities.id }).from(facilities)
      .where(and(eq(facilities.id, input.facilityId), eq(facilities.orgId, org.id), eq(facilities.kind, 'storage')));
    if (!facility) throw ruleViolation('storage_extension_scope', 'The facility is not a storage facility of this organisation', { facilityId: input.facilityId });
  } else {
    const held = new Set((await tx.select({ id: labels.id }).from(labels)
      .where(and(inArray(labels.id, labelIds), eq(labels.holderId, org.id)))).map((l) => l.id));
    const notHeld = labelIds.filter((id) => !held.has(id));
    if (notHeld.length) throw ruleViolation('storage_extension_scope', 'Some containers are not held by this organisation', { notHeld });
  }
  const [row] = await tx.insert(storageExtensions).values({
    number: input.number, orgId: org.id, regionCode: org.regionCode, labelIds, facilityId: input.facilityId ?? null,
    validFrom: input.validFrom, validTo: input.validTo,
  }).onConflictDoNothing({ target: storageExtensions.number }).returning();
  if (!row) throw new AppError('CONFLICT', `A storage extension numbered ${input.number} is already registered`);
  const view = storageExtensionView(row);
  await cmd.audit({ chain: row.regionCode, entityType: 'storage_extension', entityId: row.id, action: 'create', after: view });
  return view;
}

/** The organisation's approvals: itself, or a regulator whose jurisdiction holds it. */
export async function listStorageExtensions(db: DbOrTx, caller: Caller, orgId: string, q: PageQuery) {
  const org = await loadManagedOrg(db, caller, orgId);
  const where = [eq(storageExtensions.orgId, org.id)];
  if (q.cursor) where.push(afterCursor([storageExtensions.id], q.cursor));
  const rows = await db.select().from(storageExtensions).where(and(...where)).orderBy(asc(storageExtensions.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, storageExtensionView);
}
