// Spot-check inspections (规范化管理抽查) recorded by regulators (indicator input, docs/regulations.md#indicator-45).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, gte, like, lte, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { inspections } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { forbidden, invalid, notFound, ruleViolation } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { findOrg } from './organisations.js';
import { pageOf, requireRegistrarOver, today, type PageQuery } from './licences.js';

type InspectionRow = typeof inspections.$inferSelect;

export interface NewInspection { orgId: string; date: string; passed: boolean; findings?: string }

export const inspectionView = (i: InspectionRow) => ({
  id: i.id,
  orgId: i.orgId,
  inspectorOrgId: i.inspectorOrgId,
  date: i.date,
  passed: i.passed,
  findings: i.findings,
  regionCode: i.regionCode,
  createdAt: i.createdAt.toISOString(),
});

/** Parties a spot check applies to: generators and operators, not regulators. */
const INSPECTED_ROLES = ['generator', 'carrier', 'receiver', 'collector'];

export async function recordInspection(cmd: Command, input: NewInspection) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const org = await findOrg(cmd.tx, input.orgId);
  if (!org || !supervises(caller, org.regionCode)) throw notFound('Organisation');
  requireRegistrarOver(caller, org.regionCode);
  const now = today();
  if (input.date > now) {
    throw invalid(`An inspection cannot be recorded for a future date (${input.date}; today is ${now})`, [{ path: 'body.date', message: 'must not be in the future' }]);
  }
  if (!INSPECTED_ROLES.some((r) => org.roles.includes(r))) {
    throw ruleViolation('holder_role', `${org.name} is not a generator or operator`);
  }
  const [row] = await cmd.tx.insert(inspections).values({
    orgId: org.id,
    inspectorOrgId: caller.orgId,
    date: input.date,
    passed: input.passed,
    findings: input.findings ?? '',
    regionCode: org.regionCode,
  }).returning();
  const view = inspectionView(row);
  await cmd.audit({ chain: org.regionCode, entityType: 'inspection', entityId: row.id, action: 'create', after: view });
  return view;
}

export async function listInspections(
  db: DbOrTx, caller: Caller, q: PageQuery & { orgId?: string; from?: string; to?: string; passed?: boolean },
) {
  if (!isRegulator(caller) || !caller.jurisdiction) throw forbidden('Only regulators list inspections');
  if (q.from && q.to && q.to < q.from) {
    throw invalid(`to ${q.to} is before from ${q.from}`, [{ path: 'querystring.to', message: 'must not be before from' }]);
  }
  const where: SQL[] = [like(inspections.regionCode, `${caller.jurisdiction}%`)];
  if (q.orgId) where.push(eq(inspections.orgId, q.orgId));
  if (q.from) where.push(gte(inspections.date, q.from));
  if (q.to) where.push(lte(inspections.date, q.to));
  if (q.passed !== undefined) where.push(eq(inspections.passed, q.passed));
  if (q.cursor) where.push(afterCursor([inspections.id], q.cursor));
  const rows = await db.select().from(inspections).where(and(...where)).orderBy(asc(inspections.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, inspectionView);
}
