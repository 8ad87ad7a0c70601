// Environmental liability insurance policies of licensed operators (indicator input, docs/regulations.md#indicator-39).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, inArray, ne, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { insurancePolicies, licences } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, ruleViolation } from '../core/errors.js';
import { requireClientRole, type Caller } from '../auth/roles.js';
import { loadManagedOrg } from './organisations.js';
import { checkValidity, pageOf, requireRegistrarOver, type PageQuery } from './licences.js';
import { RECEIVING_LICENCE_KINDS } from './licence-rules.js';

type PolicyRow = typeof insurancePolicies.$inferSelect;

export interface NewPolicy {
  policyNo: string;
  insurer: string;
  coverageCny?: number;
  validFrom: string;
  validTo: string;
}

export const policyView = (p: PolicyRow) => ({
  id: p.id,
  orgId: p.orgId,
  policyNo: p.policyNo,
  insurer: p.insurer,
  coverageCny: p.coverageCny ?? null,
  validFrom: p.validFrom,
  validTo: p.validTo,
  createdAt: p.createdAt.toISOString(),
});

export async function createPolicy(cmd: Command, orgId: string, input: NewPolicy) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const org = await loadManagedOrg(cmd.tx, caller, orgId);
  requireRegistrarOver(caller, org.regionCode);
  checkValidity(input.validFrom, input.validTo);
  if (!org.roles.includes('receiver')) {
    // A licensed operator: any licence or collection approval but transport that is not revoked.
    const [licence] = await cmd.tx.select({ id: licences.id }).from(licences)
      .where(and(eq(licences.orgId, org.id), inArray(licences.kind, [...RECEIVING_LICENCE_KINDS]), ne(licences.status, 'revoked'))).limit(1);
    if (!licence) {
      throw ruleViolation('holder_role', `${org.name} holds no operating licence and is not a receiver; liability insurance is recorded for licensed operators`);
    }
  }
  const [row] = await cmd.tx.insert(insurancePolicies).values({
    orgId: org.id,
    policyNo: input.policyNo,
    insurer: input.insurer,
    coverageCny: input.coverageCny ?? null,
    validFrom: input.validFrom,
    validTo: input.validTo,
  }).onConflictDoNothing({ target: insurancePolicies.policyNo }).returning();
  if (!row) throw new AppError('CONFLICT', `Policy ${input.policyNo} is already registered`);
  const view = policyView(row);
  await cmd.audit({ chain: org.regionCode, entityType: 'insurance_policy', entityId: row.id, action: 'create', after: view });
  return view;
}

export async function listPolicies(db: DbOrTx, caller: Caller, orgId: string, q: PageQuery) {
  const org = await loadManagedOrg(db, caller, orgId);
  const where: SQL[] = [eq(insurancePolicies.orgId, org.id)];
  if (q.cursor) where.push(afterCursor([insurancePolicies.id], q.cursor));
  const rows = await db.select().from(insurancePolicies).where(and(...where)).orderBy(asc(insurancePolicies.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, policyView);
}
