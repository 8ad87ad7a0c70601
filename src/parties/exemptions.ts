// Point-to-point utilisation exemptions (点对点定向利用豁免, 名录 2021 appendix entry 32):
// one generator → one receiver → one waste code for a period, approved by a registrar.
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, inArray, like, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { exemptions, organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, notFound, ruleViolation } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { findWasteCode } from '../catalog/catalog.js';
import { findOrg } from './organisations.js';
import { checkValidity, pageOf, requireRegistrarOver, type PageQuery } from './licences.js';

type ExemptionRow = typeof exemptions.$inferSelect;

export interface NewExemption {
  generatorId: string;
  receiverId: string;
  wasteCode: string;
  approvalNo: string;
  validFrom: string;
  validTo: string;
}

export const exemptionView = (e: ExemptionRow) => ({
  id: e.id,
  generatorId: e.generatorId,
  receiverId: e.receiverId,
  wasteCode: e.wasteCode,
  approvalNo: e.approvalNo,
  validFrom: e.validFrom,
  validTo: e.validTo,
  regionCode: e.regionCode,
  createdAt: e.createdAt.toISOString(),
});

export async function createExemption(cmd: Command, input: NewExemption) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const generator = await findOrg(cmd.tx, input.generatorId);
  if (!generator || !supervises(caller, generator.regionCode)) throw notFound('Generator organisation');
  requireRegistrarOver(caller, generator.regionCode);
  // The receiver may sit in another district: the generator's regulator approves the exemption.
  const receiver = await findOrg(cmd.tx, input.receiverId);
  if (!receiver) throw notFound('Receiver organisation');
  if (generator.id === receiver.id) {
    throw invalid('An exemption runs from one organisation to another', [{ path: 'body.receiverId', message: 'must differ from generatorId' }]);
  }
  if (!findWasteCode(input.wasteCode)) {
    throw invalid(`Unknown waste code ${input.wasteCode}`, [{ path: 'body.wasteCode', message: `unknown waste code ${input.wasteCode}` }]);
  }
  checkValidity(input.validFrom, input.validTo);
  if (!['generator', 'collector'].some((r) => generator.roles.includes(r))) {
    throw ruleViolation('holder_role', `${generator.name} is neither a generator nor a collector`, { orgId: generator.id });
  }
  if (!['receiver', 'collector'].some((r) => receiver.roles.includes(r))) {
    throw ruleViolation('holder_role', `${receiver.name} is neither a receiver nor a collector`, { orgId: receiver.id });
  }
  const [row] = await cmd.tx.insert(exemptions).values({
    generatorId: generator.id,
    receiverId: receiver.id,
    wasteCode: input.wasteCode,
    approvalNo: input.approvalNo,
    validFrom: input.validFrom,
    validTo: input.validTo,
    regionCode: generator.regionCode,
  }).onConflictDoNothing({ target: exemptions.approvalNo }).returning();
  if (!row) throw new AppError('CONFLICT', `An exemption with approval number ${input.approvalNo} is already registered`);
  const view = exemptionView(row);
  await cmd.audit({ chain: row.regionCode, entityType: 'exemption', entityId: row.id, action: 'create', after: view });
  return view;
}

/**
 * What the caller may see: a regulator, exemptions whose generator (the exemption's region) or
 * receiver lies in its jurisdiction; any other organisation, those it is party to.
 */
function visibleTo(db: DbOrTx, caller: Caller): SQL {
  if (isRegulator(caller)) {
    const prefix = `${caller.jurisdiction ?? caller.regionCode}%`;
    return or(
      like(exemptions.regionCode, prefix),
      inArray(exemptions.receiverId, db.select({ id: organisations.id }).from(organisations).where(like(organisations.regionCode, prefix))),
    )!;
  }
  return or(eq(exemptions.generatorId, caller.orgId), eq(exemptions.receiverId, caller.orgId))!;
}

export async function listExemptions(
  db: DbOrTx, caller: Caller, q: PageQuery & { generatorId?: string; receiverId?: string; wasteCode?: string },
) {
  const where: SQL[] = [visibleTo(db, caller)];
  if (q.generatorId) where.push(eq(exemptions.generatorId, q.generatorId));
  if (q.receiverId) where.push(eq(exemptions.receiverId, q.receiverId));
  if (q.wasteCode) where.push(eq(exemptions.wasteCode, q.wasteCode));
  if (q.cursor) where.push(afterCursor([exemptions.id], q.cursor));
  const rows = await db.select().from(exemptions).where(and(...where)).orderBy(asc(exemptions.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, exemptionView);
}

export async function readExemption(db: DbOrTx, caller: Caller, id: string) {
  const [row] = await db.select().from(exemptions).where(and(eq(exemptions.id, id), visibleTo(db, caller)));
  if (!row) throw notFound('Exemption');
  return exemptionView(row);
}
