// The receipt outcome of a container (accepted or refused) corrected by a manifest revision
// (docs/regulations.md#manifest-corrections). Changing it moves custody, so it is corrected only
// while the container is where the receipt left it: an accepted one still `received` at the
// receiver (not stored, treated or shipped on), a refused one still `rejected` there and on no
// return manifest. Checked when proposed and again when the last approval applies it, since the
// container may have moved in between. The label moves through the lifecycle table's `revise` rows.
import { and, eq, ne, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { manifestLabels, manifests } from '../db/schema.js';
import { ruleViolation } from '../core/errors.js';
import type { CustodyStep } from '../labels/custody.js';
import type { LabelRow } from '../labels/label-view.js';
import type { ManifestRow } from './manifest-view.js';

/** The manifest's containers put on one of its return manifests (not cancelled): their refusal has been acted on. */
export async function containersOnReturnManifests(db: DbOrTx, manifestId: string): Promise<Set<string>> {
  const rows = await db.select({ labelId: manifestLabels.labelId }).from(manifestLabels)
    .innerJoin(manifests, eq(manifests.id, manifestLabels.manifestId))
    .where(and(eq(manifests.originalManifestId, manifestId), ne(manifests.state, 'cancelled')));
  return new Set(rows.map((r) => r.labelId));
}

/** Why the container's outcome cannot be corrected to `accepted` now; undefined when it can. */
function custodyBlock(m: ManifestRow, accepted: boolean, label: LabelRow, returned: Set<string>): string | undefined {
  // Received back by its own generator, a returned container is simply the generator's again: there
  // is no receiver whose custody a corrected outcome would move.
  if (m.kind === 'return' && m.receiverId === m.generatorId) {
    return 'The receipt outcome of a return to its own generator is not corrected: the generator took its containers back';
  }
  if (!accepted) {
    if (label.state !== 'received' || label.holderId !== m.receiverId || label.openManifestId !== null) {
      return `Container ${label.digitalCode} is no longer as the receipt left it (now ${label.state}${label.openManifestId ? ', on another manifest' : ''}): its acceptance stands`;
    }
    return undefined;
  }
  if (label.state !== 'rejected' || label.openManifestId !== null || returned.has(label.id)) {
    return `Container ${label.digitalCode} is no longer waiting at the receiver that refused it (now ${label.state}${returned.has(label.id) ? ', on a return manifest' : ''}): its refusal stands`;
  }
  return undefined;
}

/** Refuses (422 `revision_outcome_custody`) a corrected outcome the container's custody no longer allows. */
export function checkOutcomeCustody(m: ManifestRow, accepted: boolean, label: LabelRow, returned: Set<string>, field: string): void {
  const block = custodyBlock(m, accepted, label, returned);
  if (block) throw ruleViolation('revision_outcome_custody', block, { field, labelId: label.id, state: label.state });
}

/**
 * When the manifest's generator last took custody of the container before this manifest: the
 * storage clock a refusal leaves running (a refused container stays the generator's, as at receipt).
 * Its own generation, unless it was received by this generator on an earlier manifest.
 */
async function generatorHeldSince(db: DbOrTx, m: ManifestRow, label: LabelRow): Promise<Date> {
  const { rows } = await db.execute<{ at: string | Date | null }>(sql`
    SELECT max(s.occurred_at) AS at FROM label_steps s JOIN manifests x ON x.id = s.manifest_id
    WHERE s.label_id = ${label.id} AND s.to_state = 'received' AND x.receiver_id = ${m.generatorId} AND x.id <> ${m.id}`);
  return rows[0]?.at ? new Date(rows[0].at) : label.generatedAt;
}

/**
 * The label step of a corrected outcome: to `received` with the receiver as holder since the
 * receipt (as the receipt's `accept` would have made it), or to `rejected` with custody back to the
 * generator as the receipt's `refuse` leaves it.
 */
export async function outcomeStep(
  db: DbOrTx, m: ManifestRow, generatorRegionCode: string, label: LabelRow, accepted: boolean, orgId: string, at: Date, details: Record<string, unknown>,
): Promise<CustodyStep> {
  const common = { label, action: 'revise' as const, orgId, occurredAt: at, manifestId: m.id, details };
  return accepted
    ? {
      ...common, to: 'received',
      changes: { holderId: m.receiverId, holderRegionCode: m.receiverRegionCode, heldSince: m.receivedAt ?? at, openManifestId: null, facilityId: null },
    }
    : {
      ...common, to: 'rejected',
      changes: { holderId: m.generatorId, holderRegionCode: generatorRegionCode, heldSince: await generatorHeldSince(db, m, label), openManifestId: null, facilityId: null },
    };
}
