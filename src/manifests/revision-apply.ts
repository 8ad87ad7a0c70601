// Applies an approved manifest revision, in the transaction of its last approval
// (docs/regulations.md#manifest-corrections): the containers' values on the manifest and their
// labels, the manifest's method and discrepancy, a new manifest version, a `revise` step in its
// history holding the old and new values, and the correcting ledger records. Indicators and alerts
// read these same columns, so from here on they use the corrected values.
import { eq, sql } from 'drizzle-orm';
import { labels, manifestLabels, manifests, manifestSteps } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { findWasteCode } from '../catalog/catalog.js';
import { lockLabels } from '../labels/custody.js';
import type { AuditInput } from '../audit/trail.js';
import { offTolerance } from './weight-discrepancy.js';
import type { LoadedManifest } from './manifest-view.js';
import type { RevisionBefore, RevisionChanges } from './revision-changes.js';
import { writeLedgerCorrections } from './revision-ledger.js';

export interface AppliedRevision { id: string; reason: string; changes: RevisionChanges; before: RevisionBefore; proposedByOrgId: string }

export async function applyRevision(cmd: Command, loaded: LoadedManifest, revision: AppliedRevision, weightTolerancePct: number) {
  const { tx, actor } = cmd;
  const { m } = loaded;
  const now = new Date();
  const changed = revision.changes.containers;
  const locked = new Map((await lockLabels(tx, changed.map((c) => c.labelId))).map((l) => [l.id, l]));
  const labelKgBefore = new Map([...locked.values()].map((l) => [l.id, l.quantityKg]));
  const categories = new Map<string, string>();
  const audit: AuditInput[] = [];

  for (const c of changed) {
    const label = locked.get(c.labelId)!;
    if (c.declaredKg !== undefined || c.measuredKg !== undefined) {
      await tx.update(manifestLabels).set({
        ...(c.declaredKg !== undefined ? { declaredKg: c.declaredKg } : {}),
        ...(c.measuredKg !== undefined ? { measuredKg: c.measuredKg } : {}),
      }).where(sql`${manifestLabels.manifestId} = ${m.id} AND ${manifestLabels.labelId} = ${c.labelId}`);
    }
    const category = c.wasteCode !== undefined ? findWasteCode(c.wasteCode, label.catalogueEdition)!.category : undefined;
    if (category) categories.set(c.labelId, category);
    const labelSet = {
      // The declared weight on the manifest is the label's quantity (drafts copy it): both are corrected.
      ...(c.declaredKg !== undefined ? { quantityKg: c.declaredKg } : {}),
      ...(c.wasteCode !== undefined ? { wasteCode: c.wasteCode, category } : {}),
      ...(c.wasteName !== undefined ? { wasteName: c.wasteName } : {}),
      ...(c.packagingType !== undefined ? { packagingType: c.packagingType } : {}),
      ...(c.physicalForm !== undefined ? { physicalForm: c.physicalForm } : {}),
    };
    if (Object.keys(labelSet).length > 0) {
      await tx.update(labels).set({ ...labelSet, version: label.version + 1 }).where(eq(labels.id, label.id));
      audit.push({
        chain: label.regionCode, entityType: 'label', entityId: label.id, action: 'revise',
        before: { version: label.version, ...Object.fromEntries(Object.keys(labelSet).map((k) => [k, label[k as keyof typeof label]])) },
        after: { version: label.version + 1, ...labelSet, revisionId: revision.id, manifestId: m.id },
      });
    }
  }

  // The discrepancy follows the corrected weights, as receive.ts computes it: a refusal or a reported
  // Art. 18 mismatch (kept as reported: the receipt's report stands) still makes it; a discrepancy
  // the correction creates is open for review again.
  const items = (await tx.select().from(manifestLabels).where(eq(manifestLabels.manifestId, m.id)));
  const discrepant = items.some((i) => i.accepted === false || i.mismatches.length > 0
    || (i.measuredKg !== null && offTolerance(i.declaredKg, i.measuredKg, weightTolerancePct)));
  const [updated] = await tx.update(manifests).set({
    ...(revision.changes.intendedMethod !== undefined ? { intendedMethod: revision.changes.intendedMethod } : {}),
    discrepant,
    ...(discrepant && !m.discrepant ? { discrepancyReviewedAt: null, discrepancyReviewNote: null } : {}),
    version: m.version + 1,
    updatedAt: now,
  }).where(eq(manifests.id, m.id)).returning();

  const ledger = await writeLedgerCorrections(tx, changed, {
    revisionId: revision.id, manifestNumber: m.number, labelKgBefore, categories, clientId: actor.caller.clientId, at: now,
  });
  const details = {
    revisionId: revision.id, reason: revision.reason, proposedByOrgId: revision.proposedByOrgId,
    before: revision.before, after: revision.changes, discrepant, ledger,
  };
  await tx.insert(manifestSteps).values({
    manifestId: m.id, action: 'revise', fromState: m.state, toState: m.state, orgId: actor.caller.orgId, clientId: actor.caller.clientId,
    occurredAt: now, recordedAt: now, requestId: actor.requestId, details,
  });
  audit.push({
    chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'revise',
    before: { version: m.version, discrepant: m.discrepant, ...revision.before }, after: { version: updated.version, ...details },
  });
  await cmd.audit(...audit);
  return updated;
}
