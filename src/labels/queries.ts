// Read queries of labels that route handlers call: what a caller may list, one page at a time.
import { and, asc, eq, like, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { labels } from '../db/schema.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { isRegulator, type Caller } from '../auth/roles.js';
import type { LabelRow } from './label-view.js';

export interface LabelListQuery { state?: string; wasteCode?: string; limit: number; cursor?: string }

/** Labels the caller generated or holds (a regulator: those generated or held in its jurisdiction). */
export async function listLabels(db: DbOrTx, caller: Caller, q: LabelListQuery) {
  const where: (SQL | undefined)[] = [
    isRegulator(caller)
      ? or(like(labels.regionCode, `${caller.jurisdiction}%`), like(labels.holderRegionCode, `${caller.jurisdiction}%`))
      : or(eq(labels.generatorId, caller.orgId), eq(labels.holderId, caller.orgId)),
  ];
  if (q.state) where.push(eq(labels.state, q.state));
  if (q.wasteCode) where.push(eq(labels.wasteCode, q.wasteCode));
  if (q.cursor) where.push(afterCursor([labels.createdAt, labels.id], q.cursor));
  const rows = await db.select().from(labels).where(and(...where)).orderBy(asc(labels.createdAt), asc(labels.id)).limit(q.limit + 1);
  return keysetPage(rows, q.limit, (l) => [l.createdAt, l.id], (l): LabelRow => l);
}
