// Read queries of manifests that route handlers call: what a caller may list, one page at a time.
import { and, asc, eq, inArray, like, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { manifestCarriers, manifests } from '../db/schema.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { isRegulator, type Caller } from '../auth/roles.js';
import { loadManifestPartsOf } from './manifest-view.js';

export interface ManifestListQuery { state?: string; limit: number; cursor?: string }

/** Manifests the caller is party to (a regulator: those leaving or entering its jurisdiction), with their parts. */
export async function listManifests(db: DbOrTx, caller: Caller, q: ManifestListQuery) {
  const where: (SQL | undefined)[] = [
    isRegulator(caller)
      ? or(like(manifests.regionCode, `${caller.jurisdiction}%`), like(manifests.receiverRegionCode, `${caller.jurisdiction}%`))
      : or(eq(manifests.generatorId, caller.orgId), eq(manifests.receiverId, caller.orgId),
        inArray(manifests.id, db.select({ id: manifestCarriers.manifestId }).from(manifestCarriers).where(eq(manifestCarriers.orgId, caller.orgId)))),
  ];
  if (q.state) where.push(eq(manifests.state, q.state));
  if (q.cursor) where.push(afterCursor([manifests.createdAt, manifests.id], q.cursor));
  const rows = await db.select().from(manifests).where(and(...where)).orderBy(asc(manifests.createdAt), asc(manifests.id)).limit(q.limit + 1);
  const { items: page, nextCursor } = keysetPage(rows, q.limit, (m) => [m.createdAt, m.id], (m) => m);
  return { items: await loadManifestPartsOf(db, page), nextCursor };
}
