// 跨省转移 (转移管理办法 Arts. 21–28, docs/regulations.md#cross-province-approvals): a transfer to a
// receiver in another province needs the approval of the generator's provincial authority. One
// approval names the generator, the receiver, the waste codes and a total quantity, lasts at most
// 12 months and may be used for many trips; each receipt consumes what was accepted.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../db/database.js';
import { crossProvinceApprovals, manifestLabels, manifests } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { invalid, notFound, ruleViolation } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { findOrg } from '../parties/organisations.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { provinceOf } from '../parties/external-parties.js';
import type { LoadedManifest, ManifestRow } from './manifest-view.js';

/** An approval lasts at most 12 months (转移管理办法, the cross-province articles 21–28). */
export const APPROVAL_MAX_MONTHS = 12;

type ApprovalRow = typeof crossProvinceApprovals.$inferSelect;

export interface NewApproval {
  number: string;
  issuingAuthority: string;
  generatorId: string;
  receiverId: string;
  wasteCodes: string[];
  approvedKg: number;
  validFrom: string;
  validTo: string;
}

// Manifests that have passed the submit check but not the receipt hold their declared quantity:
// two trips submitted on the same approval cannot both use its last tonne.
const OPEN_STATES = ['submitted', 'in_transit', 'delivered'];

export function approvalView(a: ApprovalRow) {
  return {
    id: a.id, number: a.number, issuingAuthority: a.issuingAuthority, generatorId: a.generatorId, receiverId: a.receiverId,
    wasteCodes: a.wasteCodes, approvedKg: a.approvedKg, consumedKg: a.consumedKg, remainingKg: a.approvedKg - a.consumedKg,
    validFrom: a.validFrom, validTo: a.validTo, regionCode: a.regionCode, createdAt: a.createdAt.toISOString(), version: a.version,
  };
}

/** The last day of a validity of `months` starting on `from` (YYYY-MM-DD): 2026-03-01 + 12 → 2027-02-28. */
export function lastDayOfMonths(from: string, months: number): string {
  const d = new Date(`${from}T00:00:00Z`);
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()));
  // A start on the 29th–31st of a month the end month lacks ends on that month's last day.
  if (end.getUTCDate() !== d.getUTCDate()) end.setUTCDate(0);
  else end.setUTCDate(end.getUTCDate() - 1);
  return end.toISOString().slice(0, 10);
}

export async function createApproval(cmd: Command, input: NewApproval, maxMonths = APPROVAL_MAX_MONTHS) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  if (input.validFrom > input.validTo) throw invalid('validTo is before validFrom', [{ path: 'body.validTo', message: 'before validFrom' }]);
  const generator = await findOrg(cmd.tx, input.generatorId);
  const receiver = await findOrg(cmd.tx, input.receiverId);
  if (!generator || !receiver) throw notFound('Organisation');
  cmd.onRefusal({ chain: generator.regionCode, entityType: 'cross_province_approval', entityId: generator.id, action: 'create' });
  const longest = lastDayOfMonths(input.validFrom, maxMonths);
  if (!supervises(caller, generator.regionCode) || provinceOf(generator.regionCode) === provinceOf(receiver.regionCode)
    || !generator.roles.some((r) => r === 'generator' || r === 'collector') || !receiver.roles.some((r) => r === 'receiver' || r === 'collector')
    || input.validTo > longest || (receiver.declaredLicenceValidTo !== null && input.validTo > receiver.declaredLicenceValidTo)) {
    throw ruleViolation('cross_province_approval_scope',
      `The approval must be for a generator of your jurisdiction and a receiver in another province, valid ${maxMonths} months at most and not beyond the receiver's licence`,
      { generatorRegion: generator.regionCode, receiverRegion: receiver.regionCode, latestValidTo: longest, receiverLicenceValidTo: receiver.declaredLicenceValidTo });
  }
  const [row] = await cmd.tx.insert(crossProvinceApprovals).values({ ...input, wasteCodes: [...new Set(input.wasteCodes)], regionCode: generator.regionCode })
    .onConflictDoNothing({ target: crossProvinceApprovals.number }).returning();
  if (!row) throw ruleViolation('cross_province_approval_scope', `An approval numbered ${input.number} is already registered`, { number: input.number });
  await cmd.audit({ chain: row.regionCode, entityType: 'cross_province_approval', entityId: row.id, action: 'create', after: approvalView(row) });
  return approvalView(row);
}

/** The approval, to the generator, the receiver, and regulators of the generator's region. */
export async function readApproval(db: DbOrTx, caller: Caller, id: string) {
  const [a] = await db.select().from(crossProvinceApprovals).where(eq(crossProvinceApprovals.id, id));
  const visible = a && (caller.orgId === a.generatorId || caller.orgId === a.receiverId || (isRegulator(caller) && supervises(caller, a.regionCode)));
  if (!visible) throw notFound('Cross-province approval');
  return approvalView(a);
}

/** What the open manifests on each approval hold, besides `exceptId`. */
async function heldByOpenManifests(tx: DbOrTx, approvalIds: string[], exceptId: string): Promise<Map<string, number>> {
  if (approvalIds.length === 0) return new Map();
  const rows = await tx.select({ id: manifests.crossProvinceApprovalId, kg: sql<number>`coalesce(sum(${manifestLabels.declaredKg}), 0)::float8` })
    .from(manifests).innerJoin(manifestLabels, eq(manifestLabels.manifestId, manifests.id))
    .where(and(inArray(manifests.crossProvinceApprovalId, approvalIds), inArray(manifests.state, OPEN_STATES), sql`${manifests.id} <> ${exceptId}`))
    .groupBy(manifests.crossProvinceApprovalId);
  return new Map(rows.map((r) => [r.id!, Number(r.kg)]));
}

/**
 * At submit: a manifest to another province needs one approval for the pair, valid on the planned
 * date, covering every waste code, with enough left for the declared quantity. Returns the
 * approval's id to record on the manifest (null within the province). Locks the approvals, so two
 * submits on the same one run one after the other.
 */
export async function checkCrossProvince(tx: Tx, { m, items }: LoadedManifest, date: string): Promise<string | null> {
  if (provinceOf(m.regionCode) === provinceOf(m.receiverRegionCode)) return null;
  const all = await tx.select().from(crossProvinceApprovals)
    .where(and(eq(crossProvinceApprovals.generatorId, m.generatorId), eq(crossProvinceApprovals.receiverId, m.receiverId)))
    .orderBy(crossProvinceApprovals.validTo, crossProvinceApprovals.id).for('update');
  const context = { generatorRegion: m.regionCode, receiverRegion: m.receiverRegionCode };
  if (all.length === 0) {
    throw ruleViolation('cross_province_approval_missing', 'The receiver is in another province: register the 跨省转移 approval for this generator and receiver first', context);
  }
  const valid = all.filter((a) => a.validFrom <= date && date <= a.validTo);
  if (valid.length === 0) {
    throw ruleViolation('cross_province_approval_expired', `No cross-province approval for this generator and receiver is valid on ${date}`,
      { ...context, plannedOn: date, approvals: all.map((a) => ({ number: a.number, validFrom: a.validFrom, validTo: a.validTo })) });
  }
  const codes = [...new Set(items.map((i) => i.wasteCode))].sort();
  const covering = valid.filter((a) => codes.every((c) => a.wasteCodes.includes(c)));
  if (covering.length === 0) {
    const uncovered = codes.filter((c) => !valid.some((a) => a.wasteCodes.includes(c)));
    throw ruleViolation('cross_province_approval_code', `No cross-province approval valid on ${date} covers every waste code of the manifest`,
      { ...context, wasteCodes: uncovered.length ? uncovered : codes });
  }
  const kg = items.reduce((s, i) => s + i.declaredKg, 0);
  const held = await heldByOpenManifests(tx, covering.map((a) => a.id), m.id);
  const usable = covering.find((a) => a.approvedKg - a.consumedKg - (held.get(a.id) ?? 0) >= kg);
  if (!usable) {
    const best = covering[0];
    throw ruleViolation('cross_province_approval_quantity', `Approval ${best.number} has ${best.approvedKg - best.consumedKg - (held.get(best.id) ?? 0)} kg left; this manifest declares ${kg} kg`,
      { ...context, number: best.number, remainingKg: best.approvedKg - best.consumedKg - (held.get(best.id) ?? 0), declaredKg: kg });
  }
  return usable.id;
}

/**
 * At receipt: the accepted, measured quantity is consumed from the manifest's approval. An approved
 * correction of the receipt (revision-apply.ts) passes the change of that quantity, negative when it
 * refuses a container or lowers a measured weight.
 */
export async function consumeApproval(cmd: Command, m: ManifestRow, acceptedKg: number): Promise<void> {
  if (!m.crossProvinceApprovalId || acceptedKg === 0) return;
  // greatest(0, …): a correction gives back what was consumed, never more, whatever the float rounding.
  const [before] = await cmd.tx.select().from(crossProvinceApprovals).where(eq(crossProvinceApprovals.id, m.crossProvinceApprovalId)).for('update');
  const [after] = await cmd.tx.update(crossProvinceApprovals)
    .set({ consumedKg: sql`greatest(0, ${crossProvinceApprovals.consumedKg} + ${acceptedKg})`, version: sql`${crossProvinceApprovals.version} + 1` })
    .where(eq(crossProvinceApprovals.id, m.crossProvinceApprovalId)).returning();
  await cmd.audit({
    chain: after.regionCode, entityType: 'cross_province_approval', entityId: after.id, action: 'consume',
    before: { consumedKg: before.consumedKg, version: before.version },
    after: { consumedKg: after.consumedKg, version: after.version, manifestId: m.id, manifestNumber: m.number, acceptedKg },
  });
}

/**
 * What the submit records about a receiver beyond the jurisdiction: whether it is external (its
 * receipt then comes through a signed link or the returned paper copy), and the approval a
 * transfer to another province runs under.
 */
export async function checkBeyondJurisdiction(tx: Tx, loaded: LoadedManifest) {
  const receiver = await findOrg(tx, loaded.m.receiverId);
  const crossProvinceApprovalId = await checkCrossProvince(tx, loaded, shanghaiDate(loaded.m.plannedAt));
  return { receiverExternal: receiver?.external ?? false, crossProvinceApprovalId };
}
