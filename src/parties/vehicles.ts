// Vehicles registered under a carrier's transport licence (docs/regulations.md#carrier-licence).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { licences, vehicles } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, ruleViolation } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { loadManagedOrg } from './organisations.js';
import { pageOf, requireOrgAdminOrRegistrar, type PageQuery } from './licences.js';

type VehicleRow = typeof vehicles.$inferSelect;

// GA 36-2018 plates: province abbreviation, issuing-authority letter, then
//  - 5 characters (letters without I and O, digits; a trailer ends in 挂) for ordinary plates,
//  - D/F + letter-or-digit + 4 digits for small new-energy plates (晋AD12345),
//  - 5 digits + D/F for large new-energy plates (晋A12345D).
const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const L = 'A-HJ-NP-Z';
export const PLATE_RE = new RegExp(
  `^[${PROVINCES}][${L}](?:[${L}0-9]{4}[${L}0-9挂]|[DF][${L}0-9]\\d{4}|\\d{5}[DF])$`,
);

/** The plate as stored: no spaces or separator dots, Latin letters in upper case. */
export function normalisePlate(plate: string): string {
  return plate.replace(/[\s·.\-]/g, '').toUpperCase();
}

export const vehicleView = (v: VehicleRow) => ({
  id: v.id,
  orgId: v.orgId,
  licenceId: v.licenceId,
  plate: v.plate,
  createdAt: v.createdAt.toISOString(),
});

export async function registerVehicle(cmd: Command, orgId: string, input: { plate: string; licenceId: string }) {
  const { caller } = cmd.actor;
  const org = await loadManagedOrg(cmd.tx, caller, orgId);
  requireOrgAdminOrRegistrar(caller, org);
  const plate = normalisePlate(input.plate);
  if (!PLATE_RE.test(plate)) {
    throw invalid(`${input.plate} is not a Chinese vehicle plate (e.g. 晋A12345, 晋AD12345)`, [{ path: 'body.plate', message: 'not a valid plate number' }]);
  }
  const [licence] = await cmd.tx.select().from(licences).where(eq(licences.id, input.licenceId));
  if (!licence || licence.orgId !== org.id || licence.kind !== 'transport') {
    throw ruleViolation('vehicle_licence', 'A vehicle is registered under a transport licence of its own organisation', { licenceId: input.licenceId });
  }
  if (licence.status === 'revoked') {
    throw ruleViolation('vehicle_licence', `Transport licence ${licence.number} is revoked`, { licenceId: licence.id });
  }
  const [row] = await cmd.tx.insert(vehicles).values({ orgId: org.id, licenceId: licence.id, plate })
    .onConflictDoNothing({ target: vehicles.plate }).returning();
  if (!row) throw new AppError('CONFLICT', `Vehicle ${plate} is already registered`);
  const view = vehicleView(row);
  await cmd.audit({ chain: org.regionCode, entityType: 'vehicle', entityId: row.id, action: 'create', after: view });
  return view;
}

export async function listVehicles(db: DbOrTx, caller: Caller, orgId: string, q: PageQuery & { licenceId?: string }) {
  const org = await loadManagedOrg(db, caller, orgId);
  const where: SQL[] = [eq(vehicles.orgId, org.id)];
  if (q.licenceId) where.push(eq(vehicles.licenceId, q.licenceId));
  if (q.cursor) where.push(afterCursor([vehicles.id], q.cursor));
  const rows = await db.select().from(vehicles).where(and(...where)).orderBy(asc(vehicles.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, vehicleView);
}
