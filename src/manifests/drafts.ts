// Creating and editing draft manifests: parties checked, containers claimed for this manifest only.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { exemptions, labels, manifestCarriers, manifestLabels, manifests, organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { checkVersion } from '../core/version.js';
import { invalid, ruleViolation } from '../core/errors.js';
import { requireClientRole, requireOrgRole, WRITE_ROLES } from '../auth/roles.js';
import { normalisePlate } from '../parties/vehicles.js';
import { manifestLifecycle, type ManifestState } from './manifest-lifecycle.js';
import { SHIPPABLE_STATES } from '../labels/label-states.js';
import { loadManifestParts, loadVisibleManifest, type LoadedManifest } from './manifest-view.js';
import type { CarrierInput, DraftInput, DraftPatch } from './schemas.js';
import { checkReturnReceiver, claimReturnedLabels, returnOrigin, type ReturnOrigin } from './return-drafts.js';

async function checkParties(
  tx: DbOrTx, generatorId: string, input: Pick<DraftInput, 'receiverId' | 'carriers' | 'exemptionId'>, origin?: ReturnOrigin | null,
) {
  const ids = [input.receiverId, ...input.carriers.map((c) => c.orgId)];
  const orgs = await tx.select().from(organisations).where(inArray(organisations.id, ids));
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const receiver = byId.get(input.receiverId);
  if (origin) checkReturnReceiver(origin, input.receiverId);
  // A return trip may end at the generator itself, which needs no receiver role (Art. 18).
  const backToGenerator = origin && receiver?.id === generatorId;
  if (!backToGenerator && (!receiver || !receiver.roles.some((r) => r === 'receiver' || r === 'collector'))) {
    throw ruleViolation('receiver_role', 'The receiver must be a registered receiver or collector', { receiverId: input.receiverId });
  }
  if (!receiver) throw ruleViolation('receiver_role', 'The receiver must be a registered receiver or collector', { receiverId: input.receiverId });
  if (receiver.id === generatorId && !backToGenerator) throw ruleViolation('receiver_role', 'A manifest cannot transfer waste to its own generator');
  input.carriers.forEach((c, i) => {
    const o = byId.get(c.orgId);
    if (!o || !o.roles.includes('carrier')) {
      throw ruleViolation('carrier_role', `Carrier ${i + 1} is not a registered carrier`, { carrierId: c.orgId });
    }
  });
  if (input.exemptionId) {
    const [ex] = await tx.select().from(exemptions).where(eq(exemptions.id, input.exemptionId));
    if (!ex || ex.generatorId !== generatorId || ex.receiverId !== input.receiverId) {
      throw ruleViolation('exemption', 'The exemption is not for this generator and receiver', { exemptionId: input.exemptionId });
    }
  }
  return receiver;
}

/** Claims labels for a manifest: held by the generator, issued or stored, on no other open manifest. */
async function claimLabels(cmd: Command, generatorId: string, manifestId: string, labelIds: string[]) {
  const { tx } = cmd;
  const unique = [...new Set(labelIds)];
  if (unique.length !== labelIds.length) throw invalid('labelIds lists a container twice', [{ path: 'body.labelIds', message: 'duplicates' }]);
  // A change of the label (its version and ETag move) but not a custody step: the container stays put.
  const claimed = await tx.update(labels).set({ openManifestId: manifestId, version: sql`${labels.version} + 1` })
    .where(and(inArray(labels.id, unique), eq(labels.holderId, generatorId), inArray(labels.state, SHIPPABLE_STATES), isNull(labels.openManifestId)))
    .returning({ id: labels.id, quantityKg: labels.quantityKg, regionCode: labels.regionCode, version: labels.version });
  if (claimed.length !== unique.length) {
    const got = new Set(claimed.map((c) => c.id));
    const refused = unique.filter((id) => !got.has(id));
    throw ruleViolation('labels_unavailable',
      'Some containers are not yours, not issued or stored, or already on another open manifest', { labelIds: refused });
  }
  await tx.insert(manifestLabels).values(claimed.map((c) => ({ manifestId, labelId: c.id, declaredKg: c.quantityKg })));
  await cmd.audit(...claimed.map((c) => ({
    chain: c.regionCode, entityType: 'label', entityId: c.id, action: 'attach_to_manifest', after: { openManifestId: manifestId, version: c.version },
  })));
}

/** Frees a draft's or cancelled manifest's containers for another manifest. */
export async function releaseLabels(cmd: Command, manifestId: string): Promise<void> {
  const released = await cmd.tx.update(labels).set({ openManifestId: null, version: sql`${labels.version} + 1` })
    .where(eq(labels.openManifestId, manifestId))
    .returning({ id: labels.id, regionCode: labels.regionCode, version: labels.version });
  await cmd.audit(...released.map((r) => ({
    chain: r.regionCode, entityType: 'label', entityId: r.id, action: 'release_from_manifest',
    before: { openManifestId: manifestId }, after: { openManifestId: null, version: r.version },
  })));
}

async function writeCarriers(tx: DbOrTx, manifestId: string, carriers: CarrierInput[]) {
  await tx.insert(manifestCarriers).values(carriers.map((c, i) => ({
    manifestId, position: i, orgId: c.orgId, vehiclePlate: c.vehiclePlate ? normalisePlate(c.vehiclePlate) : null,
    driverName: c.driver?.name ?? null, driverQualificationNo: c.driver?.qualificationNo ?? null,
  })));
}

/** A paper form's number names one transfer: a second manifest with it is refused. */
async function unusedPaperNumber(tx: DbOrTx, paperNumber: string | undefined): Promise<string | null> {
  if (!paperNumber) return null;
  const [taken] = await tx.select({ id: manifests.id }).from(manifests).where(eq(manifests.paperNumber, paperNumber));
  if (taken) throw ruleViolation('paper_number_taken', `Paper manifest ${paperNumber} is already entered`, { manifestId: taken.id });
  return paperNumber;
}

export async function createDraft(cmd: Command, input: DraftInput): Promise<LoadedManifest> {
  const { tx, actor: { caller } } = cmd;
  requireOrgRole(caller, 'generator', 'collector');
  requireClientRole(caller, ...WRITE_ROLES);
  const origin = input.originalManifestId ? await returnOrigin(tx, caller.orgId, input.originalManifestId) : null;
  const receiver = await checkParties(tx, caller.orgId, input, origin);
  const [m] = await tx.insert(manifests).values({
    state: 'draft',
    // Set here, at millisecond precision, so that a list cursor (which carries JSON times) is exact.
    createdAt: new Date(),
    generatorId: caller.orgId,
    receiverId: receiver.id,
    regionCode: caller.regionCode,
    receiverRegionCode: receiver.regionCode,
    plannedAt: new Date(input.plannedAt),
    exemptionId: input.exemptionId ?? null,
    intendedMethod: input.intendedMethod ?? null,
    emergencyMeasures: input.emergencyMeasures ?? '',
    origin: input.paperNumber ? 'paper' : 'electronic',
    paperNumber: await unusedPaperNumber(tx, input.paperNumber),
    ...(origin ? { kind: 'return', originalManifestId: origin.originalManifestId, returnFromId: origin.returnFromId } : {}),
  }).returning();
  await writeCarriers(tx, m.id, input.carriers);
  if (origin) await claimReturnedLabels(cmd, origin, m.id, input.labelIds);
  else await claimLabels(cmd, caller.orgId, m.id, input.labelIds);
  const loaded = await loadManifestParts(tx, m);
  await cmd.audit({
    chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'create',
    after: { state: 'draft', labelIds: input.labelIds, receiverId: receiver.id, ...(origin ? { kind: 'return', originalManifestId: origin.originalManifestId } : {}), ...(m.paperNumber ? { origin: m.origin, paperNumber: m.paperNumber } : {}) },
  });
  return loaded;
}

export async function updateDraft(cmd: Command, id: string, patch: DraftPatch, expectedVersion?: number): Promise<LoadedManifest> {
  const { tx, actor: { caller } } = cmd;
  const current = await loadVisibleManifest(tx, caller, id, true);
  const { m } = current;
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'update' });
  if (caller.orgId !== m.generatorId) throw ruleViolation('not_generator', 'Only the generator edits its manifest');
  requireClientRole(caller, ...WRITE_ROLES);
  checkVersion(expectedVersion, m.version, 'The manifest');
  if (m.state !== 'draft') {
    manifestLifecycle.transition(m.state as ManifestState, 'submit'); // raises the 409 with the allowed actions
  }
  const next = {
    receiverId: patch.receiverId ?? m.receiverId,
    carriers: patch.carriers ?? current.carriers.map((c) => ({
      orgId: c.orgId, vehiclePlate: c.vehiclePlate ?? undefined,
      driver: c.driverName ? { name: c.driverName, qualificationNo: c.driverQualificationNo ?? '' } : undefined,
    })),
    exemptionId: patch.exemptionId ?? m.exemptionId ?? undefined,
  };
  const origin = m.originalManifestId && m.returnFromId ? { originalManifestId: m.originalManifestId, returnFromId: m.returnFromId } : null;
  const receiver = await checkParties(tx, m.generatorId, next, origin);
  if (patch.carriers) {
    await tx.delete(manifestCarriers).where(eq(manifestCarriers.manifestId, m.id));
    await writeCarriers(tx, m.id, patch.carriers);
  }
  if (patch.labelIds) {
    await releaseLabels(cmd, m.id);
    await tx.delete(manifestLabels).where(eq(manifestLabels.manifestId, m.id));
    if (origin) await claimReturnedLabels(cmd, origin, m.id, patch.labelIds);
    else await claimLabels(cmd, m.generatorId, m.id, patch.labelIds);
  }
  const [updated] = await tx.update(manifests).set({
    receiverId: receiver.id,
    receiverRegionCode: receiver.regionCode,
    plannedAt: patch.plannedAt ? new Date(patch.plannedAt) : m.plannedAt,
    exemptionId: next.exemptionId ?? null,
    intendedMethod: patch.intendedMethod ?? m.intendedMethod,
    emergencyMeasures: patch.emergencyMeasures ?? m.emergencyMeasures,
    version: m.version + 1,
    updatedAt: new Date(),
  }).where(eq(manifests.id, m.id)).returning();
  const loaded = await loadManifestParts(tx, updated);
  await cmd.audit({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'update', before: { version: m.version }, after: { version: updated.version, patch } });
  return loaded;
}
