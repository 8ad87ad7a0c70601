// Who may see a label: its generator and holder, the parties of a manifest that carried it,
// and the regulators of the generator's or the holder's region. Everyone else gets 404.
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { labels } from '../db/schema.js';
import { supervises, type Caller } from '../auth/roles.js';
import { notFound } from '../http/errors.js';
import type { LabelRow } from './label-view.js';

export async function canSeeLabel(db: DbOrTx, caller: Caller, l: LabelRow): Promise<boolean> {
  if (caller.orgId === l.generatorId || caller.orgId === l.holderId) return true;
  if (supervises(caller, l.regionCode) || supervises(caller, l.holderRegionCode)) return true;
  const { rows } = await db.execute(sql`
    SELECT 1 FROM manifest_labels ml JOIN manifests m ON m.id = ml.manifest_id
    WHERE ml.label_id = ${l.id}
      AND (m.generator_id = ${caller.orgId} OR m.receiver_id = ${caller.orgId}
           OR EXISTS (SELECT 1 FROM manifest_carriers mc WHERE mc.manifest_id = m.id AND mc.org_id = ${caller.orgId}))
    LIMIT 1`);
  return rows.length > 0;
}

export async function loadVisibleLabel(db: DbOrTx, caller: Caller, id: string): Promise<LabelRow> {
  const [row] = await db.select().from(labels).where(eq(labels.id, id));
  if (!row || !(await canSeeLabel(db, caller, row))) throw notFound('Label');
  return row;
}
