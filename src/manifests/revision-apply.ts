// Applies an approved manifest revision, in the transaction of its last approval
// (docs/regulations.md#manifest-corrections): the containers' values on the manifest and their
// labels, a corrected receipt outcome (the label's `revise` step, the manifest's state through the
// lifecycle table), the manifest's method and discrepancy, a new manifest version, a `revise` step
// in its history holding the old and new values, and the correcting ledger records. Indicators and
// alerts read these same columns, so from here on they use the corrected values.
import { and, eq, sql } from 'drizzle-orm';
import { labels, labelSteps, manifestLabels, manifests, manifestSteps, organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { findWasteCode } from '../catalog/catalog.js';
import { lockLabels, recordCustodySteps, type CustodyStep } from '../labels/custody.js';
import type { LabelRow } from '../labels/label-view.js';
import type { AuditInput } from '../audit/trail.js';
import { offTolerance } from './weight-discrepancy.js';
import type { LoadedManifest, ManifestLabelRow } from './manifest-view.js';
import type { ContainerChange, RevisionBefore, RevisionChanges } from './revision-changes.js';
import { writeLedgerCorrections, writeReceiptAdditions, type ReceiptAddition } from './revision-ledger.js';
import { checkOutcomeCustody, containersOnReturnManifests, outcomeStep } from './revision-outcome.js';
import { manifestLifecycle, type ManifestState } from './manifest-lifecycle.js';
import { completeIfAllTreated } from './completion.js';
import { consumeApproval } from './cross-province.js';

export interface AppliedRevision { id: string; reason: string; changes: RevisionChanges; before: RevisionBefore; proposedByOrgId: string }

type ItemRow = Pick<ManifestLabelRow, 'accepted' | 'measuredKg' | 'declaredKg'>;

/** The weight the receiver took in: accepted containers, measured weight where weighed (as at receipt). */
const acceptedKg = (items: ItemRow[]) =>
  Math.round(items.filter((i) => i.accepted).reduce((s, i) => s + (i.measuredKg ?? i.declaredKg), 0) * 1000) / 1000;

/**
 * The corrected receipt outcomes, rechecked against custody now (the container may have moved since
 * the proposal: then the approval is refused and nothing changes), as label `revise` steps.
 */
async function reviseOutcomes(
  cmd: Command, loaded: LoadedManifest, flips: ContainerChange[], locked: Map<string, LabelRow>, revision: AppliedRevision, at: Date,
) {
  const { tx, actor } = cmd;
  const { m } = loaded;
  const returned = await containersOnReturnManifests(tx, m.id);
  const [generator] = await tx.select({ name: organisations.name, regionCode: organisations.regionCode }).from(organisations)
    .where(eq(organisations.id, m.generatorId));
  const steps: CustodyStep[] = [];
  for (const c of flips) {
    const label = locked.get(c.labelId)!;
    checkOutcomeCustody(m, c.accepted!, label, returned, `changes.containers.${revision.changes.containers.indexOf(c)}.accepted`);
    steps.push(await outcomeStep(tx, m, generator.regionCode, label, c.accepted!, actor.caller.orgId, at, {
      manifestNumber: m.number, revisionId: revision.id, accepted: c.accepted, ...(c.accepted ? {} : { refusalReason: c.refusalReason }),
    }));
  }
  // No one handled the container for a correction (经办人): the parties' approvals are its record.
  const updated = await recordCustodySteps({ ...cmd, actor: { ...actor, handledByRequired: false } }, steps);
  for (const l of updated) locked.set(l.id, l);
  // The steps' ids, which the receiver's added 入库 records name.
  const stepIds = new Map<string, number>();
  for (const l of updated.filter((x) => x.state === 'received')) {
    const [s] = await tx.select({ id: labelSteps.id }).from(labelSteps).where(and(eq(labelSteps.labelId, l.id), eq(labelSteps.seq, l.stepCount)));
    stepIds.set(l.id, s.id);
  }
  return { generatorName: generator.name, stepIds };
}

export async function applyRevision(cmd: Command, loaded: LoadedManifest, revision: AppliedRevision, weightTolerancePct: number) {
  const { tx, actor } = cmd;
  const { m } = loaded;
  const now = new Date();
  const changed = revision.changes.containers;
  const itemsBefore = new Map(loaded.items.map((i) => [i.labelId, i]));
  const locked = new Map((await lockLabels(tx, changed.map((c) => c.labelId))).map((l) => [l.id, l]));
  const labelKgBefore = new Map([...locked.values()].map((l) => [l.id, l.quantityKg]));
  const categories = new Map<string, string>();
  const audit: AuditInput[] = [];

  const flips = changed.filter((c) => c.accepted !== undefined && c.accepted !== itemsBefore.get(c.labelId)!.accepted);
  const outcomes = flips.length > 0 ? await reviseOutcomes(cmd, loaded, flips, locked, revision, now) : undefined;
  const labelsAfter = new Map<string, LabelRow>();

  for (const c of changed) {
    const label = locked.get(c.labelId)!;
    const item = itemsBefore.get(c.labelId)!;
    const accepted = c.accepted ?? item.accepted;
    const outcome = c.accepted !== undefined || c.refusalReason !== undefined
      // An accepted container has no refusal reason; a refused one keeps its own unless corrected.
      ? { accepted, refusalReason: accepted ? null : c.refusalReason ?? item.refusalReason }
      : {};
    if (c.declaredKg !== undefined || c.measuredKg !== undefined || Object.keys(outcome).length > 0) {
      await tx.update(manifestLabels).set({
        ...(c.declaredKg !== undefined ? { declaredKg: c.declaredKg } : {}),
        ...(c.measuredKg !== undefined ? { measuredKg: c.measuredKg } : {}),
        ...outcome,
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
    labelsAfter.set(label.id, { ...label, ...labelSet } as LabelRow);
    if (Object.keys(labelSet).length > 0) {
      await tx.update(labels).set({ ...labelSet, version: label.version + 1 }).where(eq(labels.id, label.id));
      audit.push({
        chain: label.regionCode, entityType: 'label', entityId: label.id, action: 'revise',
        before: { version: label.version, ...Object.fromEntries(Object.keys(labelSet).map((k) => [k, label[k as keyof typeof label]])) },
        after: { version: label.version + 1, ...labelSet, revisionId: revision.id, manifestId: m.id },
      });
    }
  }

  // The discrepancy follows the corrected weights and outcomes, as receive.ts computes it: a refusal
  // or a reported Art. 18 mismatch (kept as reported: the receipt's report stands) still makes it; a
  // discrepancy the correction creates is open for review again.
  const items = (await tx.select().from(manifestLabels).where(eq(manifestLabels.manifestId, m.id)));
  const discrepant = items.some((i) => i.accepted === false || i.mismatches.length > 0
    || (i.measuredKg !== null && offTolerance(i.declaredKg, i.measuredKg, weightTolerancePct)));
  // The manifest's state moves only with its receipt outcome as a whole: none accepted is a
  // rejection; a container accepted now is waiting for treatment (completion follows it again).
  const target: ManifestState = flips.length === 0 ? m.state as ManifestState
    : !items.some((i) => i.accepted) ? 'rejected'
      : flips.some((c) => c.accepted) ? 'received' : m.state as ManifestState;
  const to = manifestLifecycle.transition(m.state as ManifestState, 'revise', target);
  const [updated] = await tx.update(manifests).set({
    ...(revision.changes.intendedMethod !== undefined ? { intendedMethod: revision.changes.intendedMethod } : {}),
    discrepant,
    ...(discrepant && !m.discrepant ? { discrepancyReviewedAt: null, discrepancyReviewNote: null } : {}),
    state: to,
    ...(m.state === 'completed' && to !== 'completed' ? { completedAt: null } : {}),
    version: m.version + 1,
    updatedAt: now,
  }).where(eq(manifests.id, m.id)).returning();

  const ledgerInput = {
    revisionId: revision.id, manifestNumber: m.number, receiverId: m.receiverId, labelKgBefore, categories, clientId: actor.caller.clientId, at: now,
  };
  const ledger = await writeLedgerCorrections(tx, changed, ledgerInput);
  if (outcomes) {
    const additions: ReceiptAddition[] = flips.filter((c) => c.accepted).map((c) => {
      const item = items.find((i) => i.labelId === c.labelId)!;
      return { label: labelsAfter.get(c.labelId)!, stepId: outcomes.stepIds.get(c.labelId)!, measuredKg: item.measuredKg ?? item.declaredKg, counterpartyName: outcomes.generatorName };
    });
    ledger.push(...await writeReceiptAdditions(tx, additions, ledgerInput));
  }
  // A transfer to another province consumes its approval with what the receiver took in.
  await consumeApproval(cmd, m, Math.round((acceptedKg(items) - acceptedKg(loaded.items)) * 1000) / 1000);

  const details = {
    revisionId: revision.id, reason: revision.reason, proposedByOrgId: revision.proposedByOrgId,
    before: revision.before, after: revision.changes, discrepant, ledger,
  };
  await tx.insert(manifestSteps).values({
    manifestId: m.id, action: 'revise', fromState: m.state, toState: to, orgId: actor.caller.orgId, clientId: actor.caller.clientId,
    occurredAt: now, recordedAt: now, requestId: actor.requestId, details,
  });
  audit.push({
    chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'revise',
    before: { version: m.version, state: m.state, discrepant: m.discrepant, ...revision.before },
    after: { version: updated.version, state: to, ...details },
  });
  await cmd.audit(...audit);
  // Refusing a container may leave every accepted one treated: the manifest completes, as after a treatment.
  if (to === 'received' && flips.some((c) => !c.accepted)) await completeIfAllTreated(cmd, m.id);
  return updated;
}
