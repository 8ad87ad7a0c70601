// First start: a city regulator with one admin + registrar client, so someone can register parties.
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { clients, organisations, sites } from '../db/schema.js';
import { hashSecret } from '../auth/secrets.js';
import { appendAudit } from '../audit/trail.js';
import { withCheckCharacter } from './uscc.js';

export async function bootstrapAdmin(log: FastifyBaseLogger, db: Db, config: Config): Promise<void> {
  const b = config.bootstrap;
  if (!b) return;
  const [existing] = await db.select({ id: clients.id }).from(clients).where(eq(clients.id, b.clientId));
  if (existing) return;
  const secretHash = await hashSecret(b.clientSecret);
  // A placeholder USCC with a valid check character: 11 = government body, then the region.
  const uscc = withCheckCharacter(`11${b.regionCode}000000000`);
  await db.transaction(async (tx) => {
    const [org] = await tx.insert(organisations).values({
      uscc,
      name: `监管部门 ${b.regionCode}`,
      roles: ['regulator'],
      regionCode: b.regionCode,
      contactName: 'bootstrap',
      contactPhone: '-',
      address: '-',
    }).onConflictDoNothing().returning();
    const orgId = org?.id ?? (await tx.select({ id: organisations.id }).from(organisations).where(eq(organisations.uscc, uscc)))[0].id;
    await tx.insert(clients).values({ id: b.clientId, orgId, name: 'bootstrap admin', roles: ['admin', 'registrar'], secretHash });
    const actor = { orgId, clientId: b.clientId, requestId: 'bootstrap' };
    if (org) {
      await appendAudit(tx, actor, { chain: b.regionCode, entityType: 'organisation', entityId: orgId, action: 'create', after: org });
      // Every organisation has a default site (docs/regulations.md#sites), the regulator too.
      const [site] = await tx.insert(sites).values({ orgId, name: org.name, address: org.address, regionCode: org.regionCode, isDefault: true }).returning();
      await appendAudit(tx, actor, { chain: b.regionCode, entityType: 'site', entityId: site.id, action: 'create', after: site });
    }
    await appendAudit(tx, actor, { chain: b.regionCode, entityType: 'client', entityId: b.clientId, action: 'create', after: { orgId, roles: ['admin', 'registrar'] } });
  });
  log.info({ clientId: b.clientId, regionCode: b.regionCode }, 'bootstrap regulator and admin client created');
}
