// Who reads and who files a site's plans and declarations: the organisation itself or a regulator
// of its region reads; the organisation's own admins and operators file (HJ 1259-2022 §7.1 lets a
// unit delegate its declaration; delegation is not modelled: docs/regulations.md#declarations).
import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/database.js';
import { sites } from '../../db/schema.js';
import type { Caller } from '../../auth/roles.js';
import { requireClientRole, WRITE_ROLES } from '../../auth/roles.js';
import { forbidden, notFound } from '../../core/errors.js';
import { loadManagedOrg } from '../../parties/organisations.js';

export async function readableSite(db: DbOrTx, caller: Caller, orgId: string, siteId: string) {
  const org = await loadManagedOrg(db, caller, orgId);
  const [site] = await db.select().from(sites).where(and(eq(sites.id, siteId), eq(sites.orgId, org.id)));
  if (!site) throw notFound('Site');
  return { org, site };
}

/** The site, for a filing by the organisation itself; serialises filings of the same site and key. */
export async function filingSite(tx: Tx, caller: Caller, orgId: string, siteId: string, key: string) {
  const found = await readableSite(tx, caller, orgId, siteId);
  if (caller.orgId !== found.org.id) throw forbidden('Only the unit itself files its plans and declarations');
  requireClientRole(caller, ...WRITE_ROLES);
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`filing:${siteId}:${key}`}, 0))`);
  return found;
}
