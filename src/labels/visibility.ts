// Who may see a label: its generator and holder, the parties of a manifest that carried it,
// and the regulators of the generator's or the holder's region. Everyone else gets 404.
import type { DbOrTx } from '../db/database.js';
import { labels } from '../db/schema.js';
import { run, selectList, statement } from '../db/statements.js';
import { supervises, type Caller } from '../auth/roles.js';
import { notFound } from '../core/errors.js';
import type { LabelRow } from './label-view.js';

// Named statements: scans and label reads run these for every request that is not the label's own party.
const ON_CALLERS_MANIFEST = statement('label_on_callers_manifest', `
  SELECT 1 FROM manifest_labels ml JOIN manifests m ON m.id = ml.manifest_id
  WHERE ml.label_id = $1
    AND (m.generator_id = $2 OR m.receiver_id = $2
         OR EXISTS (SELECT 1 FROM manifest_carriers mc WHERE mc.manifest_id = m.id AND mc.org_id = $2))
  LIMIT 1`);

const LABEL_BY_ID = statement('label_by_id', `SELECT ${selectList(labels)} FROM labels WHERE id = $1`);

export async function canSeeLabel(db: DbOrTx, caller: Caller, l: LabelRow): Promise<boolean> {
  if (caller.orgId === l.generatorId || caller.orgId === l.holderId) return true;
  if (supervises(caller, l.regionCode) || supervises(caller, l.holderRegionCode)) return true;
  const rows = await run(db, ON_CALLERS_MANIFEST, [l.id, caller.orgId]);
  return rows.length > 0;
}

/**
 * A label by id, as drizzle's select() would give it. A named statement: every scan loads one, and
 * building the query with drizzle cost more CPU than the rest of the scan's SQL (profiled).
 */
export async function findLabel(db: DbOrTx, id: string): Promise<LabelRow | undefined> {
  const [row] = await run<LabelRow>(db, LABEL_BY_ID, [id]);
  return row;
}

export async function loadVisibleLabel(db: DbOrTx, caller: Caller, id: string): Promise<LabelRow> {
  const row = await findLabel(db, id);
  if (!row || !(await canSeeLabel(db, caller, row))) throw notFound('Label');
  return row;
}
