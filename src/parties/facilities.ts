// Storage and treatment facilities of an organisation (docs/regulations.md#facilities).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { facilities } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, type FieldError } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { methodKind } from '../catalog/treatment-methods.js';
import { loadManagedOrg } from './organisations.js';
import { pageOf, requireOrgAdminOrRegistrar, type PageQuery } from './licences.js';
import { siteFor } from './sites.js';

type FacilityRow = typeof facilities.$inferSelect;

export const FACILITY_KINDS = ['storage', 'treatment'] as const;
/** 贮存库 | 贮存场 | 贮存池 | 贮存罐区 | 贮存点 */
export const STORAGE_TYPES = ['warehouse', 'yard', 'pool', 'tank_farm', 'point'] as const;

export interface NewFacility {
  /** The site (生产经营场所) it is at; the organisation's default site when absent. */
  siteId?: string;
  code: string;
  name: string;
  kind: (typeof FACILITY_KINDS)[number];
  storageType?: string;
  capacityKg?: number;
  methods?: string[];
}

export const facilityView = (f: FacilityRow) => ({
  id: f.id,
  orgId: f.orgId,
  siteId: f.siteId,
  code: f.code,
  name: f.name,
  kind: f.kind,
  storageType: f.storageType ?? null,
  capacityKg: f.capacityKg ?? null,
  methods: f.methods,
  createdAt: f.createdAt.toISOString(),
});

function checkNewFacility(input: NewFacility): void {
  const errors: FieldError[] = [];
  const methods = input.methods ?? [];
  if (input.kind === 'storage') {
    if (!input.storageType) errors.push({ path: 'body.storageType', message: 'required for a storage facility' });
    if (methods.length) errors.push({ path: 'body.methods', message: 'a storage facility runs no treatment methods' });
  } else {
    if (input.storageType) errors.push({ path: 'body.storageType', message: 'only for storage facilities' });
    if (methods.length === 0) errors.push({ path: 'body.methods', message: 'a treatment facility needs at least one method code' });
    methods.forEach((m, i) => {
      if (!methodKind(m)) errors.push({ path: `body.methods.${i}`, message: `unknown treatment method ${m}` });
    });
  }
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
}

export async function createFacility(cmd: Command, orgId: string, input: NewFacility) {
  const { caller } = cmd.actor;
  const org = await loadManagedOrg(cmd.tx, caller, orgId);
  requireOrgAdminOrRegistrar(caller, org);
  checkNewFacility(input);
  const site = await siteFor(cmd.tx, org.id, input.siteId);
  const [row] = await cmd.tx.insert(facilities).values({
    orgId: org.id,
    siteId: site.id,
    code: input.code,
    name: input.name,
    kind: input.kind,
    storageType: input.kind === 'storage' ? input.storageType! : null,
    capacityKg: input.capacityKg ?? null,
    methods: [...new Set(input.methods ?? [])],
  }).onConflictDoNothing({ target: [facilities.orgId, facilities.code] }).returning();
  if (!row) throw new AppError('CONFLICT', `This organisation already has a facility with code ${input.code}`);
  const view = facilityView(row);
  await cmd.audit({ chain: org.regionCode, entityType: 'facility', entityId: row.id, action: 'create', after: view });
  return view;
}

export async function listFacilities(db: DbOrTx, caller: Caller, orgId: string, q: PageQuery & { kind?: string }) {
  const org = await loadManagedOrg(db, caller, orgId);
  const where: SQL[] = [eq(facilities.orgId, org.id)];
  if (q.kind) where.push(eq(facilities.kind, q.kind));
  if (q.cursor) where.push(afterCursor([facilities.id], q.cursor));
  const rows = await db.select().from(facilities).where(and(...where)).orderBy(asc(facilities.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, facilityView);
}
