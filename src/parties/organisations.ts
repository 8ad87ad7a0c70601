// Registering and reading organisations (docs/regulations.md#parties).
import { afterCursor, keysetPage } from '../db/keyset.js';
import { and, asc, eq, gt, like, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, notFound } from '../core/errors.js';
import { isRegulator, requireClientRole, supervises, type Caller } from '../auth/roles.js';
import { usccProblem } from './uscc.js';
import { fullOrg, managesOrg, publicOrg, type OrgRow } from './org-view.js';
import { createDefaultSite } from './sites.js';

export interface NewOrg {
  uscc: string;
  name: string;
  roles: string[];
  regionCode: string;
  generatorClass?: string;
  medicalTier?: string;
  contact: { name: string; phone: string };
  address: string;
}

export const GENERATOR_CLASSES = ['industrial', 'medical', 'small_source'] as const;
export const MEDICAL_TIERS = ['village_clinic', 'township_health_centre', 'county_hospital', 'other'] as const;

function checkNewOrg(input: NewOrg): void {
  const problem = usccProblem(input.uscc);
  if (problem === 'format') throw invalid('uscc must be 18 characters from 0-9 and A-Y without I, O, S, V, Z', [{ path: 'body.uscc', message: 'malformed' }]);
  if (problem === 'check') throw invalid('uscc has a wrong check character (GB 32100-2015)', [{ path: 'body.uscc', message: 'wrong check character' }]);
  const isGenerator = input.roles.includes('generator') || input.roles.includes('collector');
  if (input.roles.includes('generator') && !input.generatorClass) {
    throw invalid('A generator needs a generatorClass', [{ path: 'body.generatorClass', message: 'required for generators' }]);
  }
  if (input.generatorClass && !isGenerator) {
    throw invalid('generatorClass applies to generators and collectors only', [{ path: 'body.generatorClass', message: 'only for generators' }]);
  }
  if ((input.generatorClass === 'medical') !== Boolean(input.medicalTier)) {
    throw invalid('medicalTier is required for, and only for, medical generators', [{ path: 'body.medicalTier', message: 'medical generators only' }]);
  }
}

export async function createOrg(cmd: Command, input: NewOrg) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  checkNewOrg(input);
  if (!supervises(caller, input.regionCode)) {
    throw new AppError('FORBIDDEN', `Region ${input.regionCode} is outside your jurisdiction`);
  }
  const [org] = await cmd.tx.insert(organisations).values({
    uscc: input.uscc,
    name: input.name,
    roles: [...new Set(input.roles)],
    regionCode: input.regionCode,
    generatorClass: input.generatorClass ?? null,
    medicalTier: input.medicalTier ?? null,
    contactName: input.contact.name,
    contactPhone: input.contact.phone,
    address: input.address,
  }).onConflictDoNothing({ target: organisations.uscc }).returning();
  if (!org) throw new AppError('CONFLICT', `An organisation with USCC ${input.uscc} is already registered`);
  await cmd.audit({ chain: org.regionCode, entityType: 'organisation', entityId: org.id, action: 'create', after: fullOrg(org) });
  await createDefaultSite(cmd, org);
  return fullOrg(org);
}

export async function findOrg(db: DbOrTx, id: string): Promise<OrgRow | undefined> {
  const [row] = await db.select().from(organisations).where(eq(organisations.id, id));
  return row;
}

/** An organisation the caller may act on or read in full (itself, or in a regulator's jurisdiction). */
export async function loadManagedOrg(db: DbOrTx, caller: Caller, id: string): Promise<OrgRow> {
  const org = await findOrg(db, id);
  if (!org || !managesOrg(caller, org)) throw notFound('Organisation');
  return org;
}

export async function readOrg(db: DbOrTx, caller: Caller, id: string) {
  const org = await findOrg(db, id);
  // A regulator sees nothing outside its jurisdiction but the external parties its registrars
  // register for manifests to name; other parties see a public directory entry.
  if (!org || (isRegulator(caller) && !managesOrg(caller, org) && !org.external)) throw notFound('Organisation');
  return managesOrg(caller, org) ? fullOrg(org) : publicOrg(org);
}

export async function listOrgs(db: DbOrTx, caller: Caller, q: { role?: string; regionCode?: string; limit: number; cursor?: string }) {
  const where: SQL[] = [];
  if (q.role) where.push(sql`${q.role} = ANY(${organisations.roles})`);
  if (q.regionCode) where.push(like(organisations.regionCode, `${q.regionCode}%`));
  if (isRegulator(caller)) where.push(like(organisations.regionCode, `${caller.jurisdiction}%`));
  if (q.cursor) where.push(afterCursor([organisations.id], q.cursor));
  const rows = await db.select().from(organisations).where(and(...where)).orderBy(asc(organisations.id)).limit(q.limit + 1);
  return keysetPage(rows, q.limit, (o) => [o.id], (o) => (managesOrg(caller, o) ? fullOrg(o) : publicOrg(o)));
}
