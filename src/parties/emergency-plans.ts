// Emergency plan filings (应急预案备案; 固废法 Art. 85, docs/regulations.md#emergency-plans): a unit that
// generates, collects, stores, carries, utilises or disposes of hazardous waste files its emergency
// plan with the authority. A registrar of the unit's region records the filing as the authority's
// receipt states it: number, authority, filing date, valid to, and the site it is for (none: the
// whole organisation). The emergency_plan_missing alert (src/supervision/emergency-plan-alerts.ts)
// reads these records for key-class sites.
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { afterCursor } from '../db/keyset.js';
import type { DbOrTx } from '../db/database.js';
import { emergencyPlanFilings } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, ruleViolation } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { loadManagedOrg } from './organisations.js';
import { checkValidity, pageOf, requireRegistrarOver, today, type PageQuery } from './licences.js';
import { siteFor } from './sites.js';

type FilingRow = typeof emergencyPlanFilings.$inferSelect;

export interface NewEmergencyPlanFiling {
  number: string;
  authority: string;
  filedOn: string;
  validTo: string;
  siteId?: string;
}

/** The roles Art. 85 binds: units that generate, collect, store, carry, utilise or dispose of hazardous waste. */
const FILING_ROLES = ['generator', 'collector', 'receiver', 'carrier'];

/** In force on `day`: filed on or before it, valid through it. */
export const filingInForce = (f: Pick<FilingRow, 'filedOn' | 'validTo'>, day: string) => f.filedOn <= day && f.validTo >= day;

export const filingView = (f: FilingRow, day = today()) => ({
  id: f.id,
  orgId: f.orgId,
  siteId: f.siteId,
  number: f.number,
  authority: f.authority,
  filedOn: f.filedOn,
  validTo: f.validTo,
  regionCode: f.regionCode,
  inForce: filingInForce(f, day),
  createdAt: f.createdAt.toISOString(),
});

export async function createFiling(cmd: Command, orgId: string, input: NewEmergencyPlanFiling) {
  const { tx, actor: { caller } } = cmd;
  const org = await loadManagedOrg(tx, caller, orgId);
  requireRegistrarOver(caller, org.regionCode);
  checkValidity(input.filedOn, input.validTo);
  if (!org.roles.some((r) => FILING_ROLES.includes(r))) {
    throw ruleViolation('holder_role', `${org.name} neither generates nor handles hazardous waste; emergency plans are filed by such units`, { orgId: org.id });
  }
  const day = today();
  // The record is of a filing made and in force: a future filing date or a plan already lapsed is a
  // typing error or a stale document, and would make the alert wrong either way.
  if (input.filedOn > day) {
    throw ruleViolation('emergency_plan_dates', `The filing date ${input.filedOn} is after today (${day})`, { filedOn: input.filedOn });
  }
  if (input.validTo < day) {
    throw ruleViolation('emergency_plan_expired', `The filing ${input.number} expired on ${input.validTo}; register the current filing`, { validTo: input.validTo });
  }
  const site = input.siteId ? await siteFor(tx, org.id, input.siteId) : undefined;
  const [row] = await tx.insert(emergencyPlanFilings).values({
    orgId: org.id,
    siteId: site?.id ?? null,
    number: input.number,
    authority: input.authority,
    filedOn: input.filedOn,
    validTo: input.validTo,
    regionCode: site?.regionCode ?? org.regionCode,
  }).onConflictDoNothing({ target: emergencyPlanFilings.number }).returning();
  if (!row) throw new AppError('CONFLICT', `An emergency plan filing numbered ${input.number} is already registered`);
  const view = filingView(row, day);
  await cmd.audit({ chain: org.regionCode, entityType: 'emergency_plan_filing', entityId: row.id, action: 'create', after: view });
  return view;
}

export async function listFilings(db: DbOrTx, caller: Caller, orgId: string, q: PageQuery) {
  const org = await loadManagedOrg(db, caller, orgId);
  const where: SQL[] = [eq(emergencyPlanFilings.orgId, org.id)];
  if (q.cursor) where.push(afterCursor([emergencyPlanFilings.id], q.cursor));
  const rows = await db.select().from(emergencyPlanFilings).where(and(...where)).orderBy(asc(emergencyPlanFilings.id)).limit(q.limit + 1);
  const day = today();
  return pageOf(rows, q.limit, (r) => filingView(r, day));
}
