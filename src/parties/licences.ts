// Operating and transport licences (docs/regulations.md#licence-coverage): a public register, kept by registrars.
// Also the few helpers the other registry services share (validity dates, registrar checks, pages).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { licences } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { checkVersion } from '../core/version.js';
import { AppError, invalid, notFound, ruleViolation, type FieldError } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { findWasteCode, isCategory } from '../catalog/catalog.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { findOrg, loadManagedOrg } from './organisations.js';
import { managesOrg, type OrgRow } from './org-view.js';
import {
  LICENCE_MODES, licenceActiveOn, licenceCovers, type LicenceKind, type LicenceStatus,
} from './licence-rules.js';

export type LicenceRow = typeof licences.$inferSelect;

// ---- shared by the registry services --------------------------------------------------------

/** Today in Asia/Shanghai, the calendar every validity date is read in. */
export const today = () => shanghaiDate(new Date());

/** 400 when a validity period ends before it starts (one-day periods are fine). */
export function checkValidity(validFrom: string, validTo: string): void {
  if (validTo < validFrom) {
    throw invalid(`validTo ${validTo} is before validFrom ${validFrom}`, [{ path: 'body.validTo', message: 'must not be before validFrom' }]);
  }
}

/** A registrar whose jurisdiction holds the region (the org itself was already found visible). */
export function requireRegistrarOver(caller: Caller, regionCode: string): void {
  requireClientRole(caller, 'registrar');
  if (!supervises(caller, regionCode)) throw new AppError('FORBIDDEN', `Region ${regionCode} is outside your jurisdiction`);
}

/** The organisation's own admin, or a registrar whose jurisdiction holds it. */
export function requireOrgAdminOrRegistrar(caller: Caller, org: Pick<OrgRow, 'id' | 'regionCode'>): void {
  if (caller.orgId === org.id && caller.roles.includes('admin')) return;
  if (supervises(caller, org.regionCode) && caller.roles.includes('registrar')) return;
  throw new AppError('FORBIDDEN', 'Only the organisation\'s admin or a registrar may do this');
}

export interface PageQuery { limit: number; cursor?: string }

/** A page of registry rows ordered by id (see db/keyset.ts). */
export function pageOf<R extends { id: string }, V>(rows: R[], limit: number, view: (r: R) => V) {
  return keysetPage(rows, limit, (r) => [r.id], view);
}

// ---- licences ---------------------------------------------------------------------------------

export function licenceView(l: LicenceRow) {
  return {
    id: l.id,
    orgId: l.orgId,
    kind: l.kind,
    number: l.number,
    modes: l.modes,
    wasteCodes: l.wasteCodes,
    annualCapacityKg: l.annualCapacityKg ?? null,
    validFrom: l.validFrom,
    validTo: l.validTo,
    status: l.status,
    version: l.version,
    createdAt: l.createdAt.toISOString(),
  };
}

export interface NewLicence {
  kind: LicenceKind;
  number: string;
  modes?: string[];
  wasteCodes?: string[];
  annualCapacityKg?: number;
  validFrom: string;
  validTo: string;
}

function checkNewLicence(input: NewLicence): void {
  checkValidity(input.validFrom, input.validTo);
  const modes = input.modes ?? [];
  const codes = input.wasteCodes ?? [];
  const errors: FieldError[] = [];
  const unknown = codes.filter((c, i) => {
    const bad = !findWasteCode(c) && !isCategory(c);
    if (bad) errors.push({ path: `body.wasteCodes.${i}`, message: `unknown waste code or category ${c}` });
    return bad;
  });
  if (unknown.length) throw invalid(`Not in the National Hazardous Waste List: ${unknown.join(', ')}`, errors);
  if (input.kind === 'operating') {
    if (modes.length === 0) errors.push({ path: 'body.modes', message: 'an operating licence needs at least one mode' });
    if (codes.length === 0) errors.push({ path: 'body.wasteCodes', message: 'an operating licence needs at least one waste code or category' });
    if (input.annualCapacityKg === undefined) errors.push({ path: 'body.annualCapacityKg', message: 'required for an operating licence' });
  } else {
    // A road transport licence is for dangerous goods in general: no modes, no waste list, no capacity.
    if (modes.length) errors.push({ path: 'body.modes', message: 'a transport licence has no modes' });
    if (codes.length) errors.push({ path: 'body.wasteCodes', message: 'a transport licence lists no waste codes' });
    if (input.annualCapacityKg !== undefined) errors.push({ path: 'body.annualCapacityKg', message: 'a transport licence has no annual capacity' });
  }
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}

const HOLDER_ROLES: Record<LicenceKind, string[]> = { operating: ['receiver', 'collector'], transport: ['carrier'] };

export async function createLicence(cmd: Command, orgId: string, input: NewLicence) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const org = await loadManagedOrg(cmd.tx, caller, orgId);
  requireRegistrarOver(caller, org.regionCode);
  checkNewLicence(input);
  const needed = HOLDER_ROLES[input.kind];
  if (!needed.some((r) => org.roles.includes(r))) {
    throw ruleViolation('holder_role', `An ${input.kind} licence needs a holder with the role ${needed.join(' or ')}; ${org.name} has ${org.roles.join(', ')}`);
  }
  const modes = LICENCE_MODES.filter((m) => input.modes?.includes(m));
  const [row] = await cmd.tx.insert(licences).values({
    orgId: org.id,
    kind: input.kind,
    number: input.number,
    modes,
    wasteCodes: [...new Set(input.wasteCodes ?? [])],
    annualCapacityKg: input.annualCapacityKg ?? null,
    validFrom: input.validFrom,
    validTo: input.validTo,
    regionCode: org.regionCode,
  }).onConflictDoNothing({ target: [licences.kind, licences.number] }).returning();
  if (!row) throw new AppError('CONFLICT', `An ${input.kind} licence numbered ${input.number} is already registered`);
  const view = licenceView(row);
  await cmd.audit({ chain: row.regionCode, entityType: 'licence', entityId: row.id, action: 'create', after: view });
  return view;
}

/** Licences are a public register; a regulator sees only its jurisdiction (and its own org). */
function licenceVisible(caller: Caller, l: Pick<LicenceRow, 'orgId' | 'regionCode'>): boolean {
  return !isRegulator(caller) || caller.orgId === l.orgId || supervises(caller, l.regionCode);
}

async function findLicence(db: DbOrTx, caller: Caller, id: string, forUpdate = false): Promise<LicenceRow> {
  const q = db.select().from(licences).where(eq(licences.id, id));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row || !licenceVisible(caller, row)) throw notFound('Licence');
  return row;
}

export async function readLicence(db: DbOrTx, caller: Caller, id: string) {
  return licenceView(await findLicence(db, caller, id));
}

export async function listOrgLicences(
  db: DbOrTx, caller: Caller, orgId: string, q: PageQuery & { kind?: string; status?: string },
) {
  const org = await findOrg(db, orgId);
  if (!org || (isRegulator(caller) && !managesOrg(caller, org))) throw notFound('Organisation');
  const where: SQL[] = [eq(licences.orgId, org.id)];
  if (q.kind) where.push(eq(licences.kind, q.kind));
  if (q.status) where.push(eq(licences.status, q.status));
  if (q.cursor) where.push(afterCursor([licences.id], q.cursor));
  const rows = await db.select().from(licences).where(and(...where)).orderBy(asc(licences.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, licenceView);
}

const STATUS_ACTION: Record<LicenceStatus, string> = { active: 'reactivate', suspended: 'suspend', revoked: 'revoke' };

export async function setLicenceStatus(cmd: Command, id: string, status: LicenceStatus, expectedVersion: number | undefined) {
  const { caller } = cmd.actor;
  const row = await findLicence(cmd.tx, caller, id, true);
  const before = licenceView(row);
  cmd.onRefusal({ chain: row.regionCode, entityType: 'licence', entityId: row.id, action: STATUS_ACTION[status], before });
  requireRegistrarOver(caller, row.regionCode);
  checkVersion(expectedVersion, row.version, 'Licence');
  if (row.status === status) return before; // nothing to change
  if (row.status === 'revoked') {
    throw ruleViolation('licence_revoked', `Licence ${row.number} is revoked; a revoked licence cannot be ${status === 'active' ? 'reactivated' : 'suspended'}`);
  }
  const [updated] = await cmd.tx.update(licences).set({ status, version: row.version + 1 })
    .where(eq(licences.id, row.id)).returning();
  const after = licenceView(updated);
  await cmd.audit({ chain: row.regionCode, entityType: 'licence', entityId: row.id, action: STATUS_ACTION[status], before, after });
  return after;
}

export async function licenceCoverage(db: DbOrTx, caller: Caller, id: string, wasteCode: string) {
  const row = await findLicence(db, caller, id);
  if (!findWasteCode(wasteCode)) {
    throw invalid(`Unknown waste code ${wasteCode}`, [{ path: 'querystring.wasteCode', message: `unknown waste code ${wasteCode}` }]);
  }
  return {
    licenceId: row.id,
    wasteCode,
    covered: licenceCovers(row, wasteCode),
    activeToday: licenceActiveOn(row, today()),
  };
}
