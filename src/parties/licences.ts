// Licences and collection approvals (docs/regulations.md#licence-kinds) and transport licences: a public
// register, kept by registrars.
// Also the few helpers the other registry services share (validity dates, registrar checks, pages).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { licences } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { checkVersion } from '../core/version.js';
import { AppError, invalid, notFound, ruleViolation, type FieldError } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { categoryOf, findWasteCode, isCategory } from '../catalog/catalog.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { findOrg, loadManagedOrg } from './organisations.js';
import { managesOrg, type OrgRow } from './org-view.js';
import {
  COLLECTION_LICENCE_CODES, LICENCE_KINDS, LICENCE_MODES, MEDICAL_WASTE_CATEGORY, RECEIVING_LICENCE_KINDS,
  licenceActiveOn, licenceCovers, type LicenceKind, type LicenceMode, type LicenceStatus,
} from './licence-rules.js';
import { siteFor } from './sites.js';

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
    siteId: l.siteId ?? null,
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

/** The kind every receiving licence was registered as before the kinds were told apart (migration 0011). */
export const OLD_OPERATING_KIND = 'operating';

export interface NewLicence {
  kind: LicenceKind | typeof OLD_OPERATING_KIND;
  /** The site (生产经营场所) whose facilities it licenses; the holder's default site when absent. */
  siteId?: string;
  number: string;
  modes?: string[];
  wasteCodes?: string[];
  annualCapacityKg?: number;
  validFrom: string;
  validTo: string;
}

/** What each kind takes (docs/regulations.md#licence-kinds). */
interface KindRule {
  /** Modes it may list; `defaultModes` when the request lists none. */
  modes: readonly LicenceMode[];
  defaultModes: readonly LicenceMode[];
  needsCodes: boolean;
  needsCapacity: boolean;
  /** A listed code or category the kind may not cover: the reason, or null. */
  codeProblem(code: string): string | null;
  /** Organisation roles that may hold it. */
  holder(org: OrgRow): boolean;
  holderText: string;
}

const hasRole = (org: OrgRow, ...roles: string[]) => roles.some((r) => org.roles.includes(r));
const GATHERING: readonly LicenceMode[] = ['collection', 'storage'];

const KIND_RULES: Record<LicenceKind, KindRule> = {
  comprehensive: {
    modes: LICENCE_MODES, defaultModes: [], needsCodes: true, needsCapacity: true,
    codeProblem: () => null,
    holder: (o) => hasRole(o, 'receiver', 'collector'), holderText: 'the role receiver or collector',
  },
  // 经营许可证管理办法 Art. 3: collection only, of waste mineral oil from vehicle repair and households'
  // waste Cd-Ni batteries; Art. 10: every 经营许可证 states its annual scale.
  collection: {
    modes: ['collection'], defaultModes: ['collection'], needsCodes: true, needsCapacity: true,
    codeProblem: (c) => ((COLLECTION_LICENCE_CODES as readonly string[]).includes(c) ? null
      : `a collection licence covers only ${COLLECTION_LICENCE_CODES.join(' and ')} (经营许可证管理办法 Art. 3)`),
    holder: (o) => hasRole(o, 'receiver', 'collector'), holderText: 'the role receiver or collector',
  },
  collection_pilot: {
    modes: GATHERING, defaultModes: GATHERING, needsCodes: true, needsCapacity: false,
    codeProblem: () => null,
    holder: (o) => hasRole(o, 'collector'), holderText: 'the role collector',
  },
  medical_collection_point: {
    modes: GATHERING, defaultModes: GATHERING, needsCodes: true, needsCapacity: false,
    codeProblem: (c) => ((c === MEDICAL_WASTE_CATEGORY || (!isCategory(c) && categoryOf(c) === MEDICAL_WASTE_CATEGORY)) ? null
      : `a medical-waste collection point gathers ${MEDICAL_WASTE_CATEGORY} only`),
    // A township centre or county hospital that gathers other institutions' bags: it receives them, so
    // it needs the collector role (a receiver of manifests) beside its medical generator class.
    holder: (o) => hasRole(o, 'collector'), holderText: 'the role collector',
  },
  // A road transport licence is for dangerous goods in general: no modes, no waste list, no capacity.
  transport: {
    modes: [], defaultModes: [], needsCodes: false, needsCapacity: false,
    codeProblem: () => 'a transport licence lists no waste codes',
    holder: (o) => hasRole(o, 'carrier'), holderText: 'the role carrier',
  },
};

const KINDS_TEXT = LICENCE_KINDS.join(', ');

/** The kind asked for, or 400: `operating` no longer says which licence or approval it is. */
function kindOf(kind: NewLicence['kind']): LicenceKind {
  if (kind === OLD_OPERATING_KIND) {
    throw invalid(`kind operating is ambiguous: say which licence or approval this is, one of ${KINDS_TEXT}`,
      [{ path: 'body.kind', message: `one of ${KINDS_TEXT}` }]);
  }
  return kind;
}

/** The modes to store: those listed, or the kind's default. 400 when the kind does not allow one. */
function checkNewLicence(kind: LicenceKind, input: NewLicence): LicenceMode[] {
  checkValidity(input.validFrom, input.validTo);
  const rule = KIND_RULES[kind];
  const listed = input.modes ?? [];
  const codes = input.wasteCodes ?? [];
  const errors: FieldError[] = [];
  const unknown = codes.filter((c, i) => {
    const bad = !findWasteCode(c) && !isCategory(c);
    if (bad) errors.push({ path: `body.wasteCodes.${i}`, message: `unknown waste code or category ${c}` });
    return bad;
  });
  if (unknown.length) throw invalid(`Not in the National Hazardous Waste List: ${unknown.join(', ')}`, errors);
  const label = kind === 'transport' ? 'a transport licence' : `a ${kind} licence`;
  listed.forEach((m, i) => {
    if (!(rule.modes as readonly string[]).includes(m)) {
      errors.push({ path: `body.modes.${i}`, message: rule.modes.length ? `${label} allows only ${rule.modes.join(', ')}` : `${label} has no modes` });
    }
  });
  const modes = listed.length ? LICENCE_MODES.filter((m) => listed.includes(m)) : [...rule.defaultModes];
  if (kind !== 'transport' && modes.length === 0) errors.push({ path: 'body.modes', message: `${label} needs at least one mode` });
  if (rule.needsCodes && codes.length === 0) errors.push({ path: 'body.wasteCodes', message: `${label} needs at least one waste code or category` });
  codes.forEach((c, i) => {
    const problem = rule.codeProblem(c);
    if (problem) errors.push({ path: `body.wasteCodes.${i}`, message: problem });
  });
  if (rule.needsCapacity && input.annualCapacityKg === undefined) errors.push({ path: 'body.annualCapacityKg', message: `required for ${label}` });
  if (kind === 'transport' && input.annualCapacityKg !== undefined) errors.push({ path: 'body.annualCapacityKg', message: 'a transport licence has no annual capacity' });
  if (kind === 'transport' && input.siteId !== undefined) errors.push({ path: 'body.siteId', message: 'a transport licence has no site' });
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  return modes;
}

export async function createLicence(cmd: Command, orgId: string, input: NewLicence) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const org = await loadManagedOrg(cmd.tx, caller, orgId);
  requireRegistrarOver(caller, org.regionCode);
  const kind = kindOf(input.kind);
  const modes = checkNewLicence(kind, input);
  const rule = KIND_RULES[kind];
  if (!rule.holder(org)) {
    throw ruleViolation('holder_role', `A ${kind} licence needs a holder with ${rule.holderText}; ${org.name} has ${org.roles.join(', ')}`);
  }
  const site = kind === 'transport' ? null : await siteFor(cmd.tx, org.id, input.siteId);
  const [row] = await cmd.tx.insert(licences).values({
    orgId: org.id,
    siteId: site?.id ?? null,
    kind,
    number: input.number,
    modes,
    wasteCodes: [...new Set(input.wasteCodes ?? [])],
    annualCapacityKg: input.annualCapacityKg ?? null,
    validFrom: input.validFrom,
    validTo: input.validTo,
    regionCode: org.regionCode,
  }).onConflictDoNothing({ target: [licences.kind, licences.number] }).returning();
  if (!row) throw new AppError('CONFLICT', `A ${kind} licence numbered ${input.number} is already registered`);
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
  // The old kind still filters: every licence or approval under which a receiver takes waste in.
  if (q.kind === OLD_OPERATING_KIND) where.push(inArray(licences.kind, [...RECEIVING_LICENCE_KINDS]));
  else if (q.kind) where.push(eq(licences.kind, q.kind));
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
