// Production/operating sites (生产经营场所) of an organisation (docs/regulations.md#sites). HJ 1259-2022
// §4.2.1 classes each site, so facilities and licences belong to one. Every organisation has a default
// site (its registered address), created with it: facilities and licences registered without a site,
// and labels issued without a facility, belong there. Registering and listing: site-registry.ts.
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { sites } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { invalid, ruleViolation } from '../core/errors.js';
import type { OrgRow } from './org-view.js';

export type SiteRow = typeof sites.$inferSelect;

export const siteView = (s: SiteRow) => ({
  id: s.id,
  orgId: s.orgId,
  name: s.name,
  address: s.address,
  regionCode: s.regionCode,
  isDefault: s.isDefault,
  createdAt: s.createdAt.toISOString(),
});

/** The default site of a new organisation: its name, registered address and region. */
export async function createDefaultSite(cmd: Command, org: OrgRow) {
  const [row] = await cmd.tx.insert(sites).values({
    orgId: org.id, name: org.name, address: org.address, regionCode: org.regionCode, isDefault: true,
  }).returning();
  await cmd.audit({ chain: org.regionCode, entityType: 'site', entityId: row.id, action: 'create', after: siteView(row) });
  return row;
}

/**
 * The site a facility or licence is registered at: the one named (422 `site` when it is not the
 * organisation's), or the organisation's default site.
 */
export async function siteFor(db: DbOrTx, orgId: string, siteId: string | undefined): Promise<SiteRow> {
  const where = siteId ? and(eq(sites.id, siteId), eq(sites.orgId, orgId)) : and(eq(sites.orgId, orgId), eq(sites.isDefault, true));
  const [row] = await db.select().from(sites).where(where);
  if (row) return row;
  if (siteId) throw ruleViolation('site', `Site ${siteId} is not a site of this organisation`, { siteId });
  throw invalid('The organisation has no default site', [{ path: 'body.siteId', message: 'required' }]);
}
