// Return manifests (转移管理办法 Art. 18, docs/regulations.md#return-trips): refused containers of an
// original manifest go back to the generator, or on to another receiver it names, only on a manifest
// of their own. The generator drafts it (the waste is still its own, and it names where it goes);
// the containers it claims are the original's refused ones, waiting at the receiver that refused them.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { labels, manifestLabels, manifests } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { invalid, ruleViolation } from '../core/errors.js';
import { manifestLifecycle } from './manifest-lifecycle.js';

/** Where a return starts: the original manifest and the receiver that refused its containers. */
export interface ReturnOrigin { originalManifestId: string; returnFromId: string }

/** Manifest states with a receipt recorded: the only ones whose refused containers can go back. */
const WITH_RECEIPT = manifestLifecycle.states.filter((s) => s === 'rejected' || manifestLifecycle.reachableFrom('received').includes(s));

/** The original manifest of a return: the caller's as generator, with its receipt recorded. */
export async function returnOrigin(tx: DbOrTx, generatorId: string, originalManifestId: string): Promise<ReturnOrigin> {
  const [o] = await tx.select().from(manifests).where(eq(manifests.id, originalManifestId));
  if (!o || o.generatorId !== generatorId || !WITH_RECEIPT.includes(o.state as never)) {
    throw ruleViolation('return_original', 'The original manifest is not yours or has no receipt yet', { originalManifestId });
  }
  return { originalManifestId: o.id, returnFromId: o.receiverId };
}

/**
 * A return goes to the generator itself or to another receiver; never back to the one that refused
 * the containers (it holds them already). Other receivers get the ordinary party checks.
 */
export function checkReturnReceiver(origin: ReturnOrigin, receiverId: string): void {
  if (receiverId === origin.returnFromId) {
    throw ruleViolation('return_receiver', 'A return cannot go to the receiver that refused the containers', { receiverId });
  }
}

/**
 * Claims the original manifest's refused containers for the return manifest: refused there, still
 * `rejected` (waiting at the receiver), on no other open manifest. Each is declared at the weight
 * the refusing receiver measured, what the return trip carries.
 */
export async function claimReturnedLabels(cmd: Command, origin: ReturnOrigin, manifestId: string, labelIds: string[]): Promise<void> {
  const { tx } = cmd;
  const unique = [...new Set(labelIds)];
  if (unique.length !== labelIds.length) throw invalid('labelIds lists a container twice', [{ path: 'body.labelIds', message: 'duplicates' }]);
  const refused = tx.select({ id: manifestLabels.labelId }).from(manifestLabels)
    .where(and(eq(manifestLabels.manifestId, origin.originalManifestId), eq(manifestLabels.accepted, false)));
  const claimed = await tx.update(labels).set({ openManifestId: manifestId, version: sql`${labels.version} + 1` })
    .where(and(inArray(labels.id, unique), inArray(labels.id, refused), eq(labels.state, 'rejected'), isNull(labels.openManifestId)))
    .returning({ id: labels.id, quantityKg: labels.quantityKg, regionCode: labels.regionCode, version: labels.version });
  if (claimed.length !== unique.length) {
    const got = new Set(claimed.map((c) => c.id));
    throw ruleViolation('labels_unavailable',
      'Some containers were not refused on the original manifest, are no longer waiting at its receiver, or are on another open manifest',
      { labelIds: unique.filter((id) => !got.has(id)) });
  }
  const measured = await tx.select({ labelId: manifestLabels.labelId, measuredKg: manifestLabels.measuredKg }).from(manifestLabels)
    .where(and(eq(manifestLabels.manifestId, origin.originalManifestId), inArray(manifestLabels.labelId, unique)));
  const kgOf = new Map(measured.map((r) => [r.labelId, r.measuredKg]));
  await tx.insert(manifestLabels).values(claimed.map((c) => ({ manifestId, labelId: c.id, declaredKg: kgOf.get(c.id) ?? c.quantityKg })));
  await cmd.audit(...claimed.map((c) => ({
    chain: c.regionCode, entityType: 'label', entityId: c.id, action: 'attach_to_manifest',
    after: { openManifestId: manifestId, version: c.version, returnOf: origin.originalManifestId },
  })));
}
