// Registering and listing an organisation's sites (docs/regulations.md#sites).
import { and, asc, eq, type SQL } from 'drizzle-orm';
import { afterCursor } from '../db/keyset.js';
import type { DbOrTx } from '../db/database.js';
import { sites } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError } from '../core/errors.js';
import { supervises, type Caller } from '../auth/roles.js';
import { loadManagedOrg } from './organisations.js';
import { pageOf, requireOrgAdminOrRegistrar, type PageQuery } from './licences.js';
import { siteView } from './sites.js';

export interface NewSite { name: string; address: string; regionCode: string }

export async function createSite(cmd: Command, orgId: string, input: NewSite) {
  const { caller } = cmd.actor;
  const org = await loadManagedOrg(cmd.tx, caller, orgId);
  requireOrgAdminOrRegistrar(caller, org);
  // A site elsewhere is supervised where it is (§5.1: its plan is filed there); a registrar may only
  // place it inside its own jurisdiction, the organisation's admin anywhere its regulators can follow.
  if (caller.orgId !== org.id && !supervises(caller, input.regionCode)) {
    throw new AppError('FORBIDDEN', `Region ${input.regionCode} is outside your jurisdiction`);
  }
  const [row] = await cmd.tx.insert(sites).values({
    orgId: org.id, name: input.name, address: input.address, regionCode: input.regionCode,
  }).onConflictDoNothing({ target: [sites.orgId, sites.name] }).returning();
  if (!row) throw new AppError('CONFLICT', `This organisation already has a site named ${input.name}`);
  const view = siteView(row);
  await cmd.audit({ chain: org.regionCode, entityType: 'site', entityId: row.id, action: 'create', after: view });
  return view;
}

export async function listSites(db: DbOrTx, caller: Caller, orgId: string, q: PageQuery) {
  const org = await loadManagedOrg(db, caller, orgId);
  const where: SQL[] = [eq(sites.orgId, org.id)];
  if (q.cursor) where.push(afterCursor([sites.id], q.cursor));
  const rows = await db.select().from(sites).where(and(...where)).orderBy(asc(sites.id)).limit(q.limit + 1);
  return pageOf(rows, q.limit, siteView);
}

