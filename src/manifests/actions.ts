// A manifest's steps after the draft, run by one runner: lock, version, the step gate (table,
// actor, roles, conditions), the step's plan (its label steps go through the one custody writer),
// then the manifest's new state, its step row and its audit entry, in the caller's transaction.
// Each step is a module in ./steps/; adding one is a module and a table row.
import { and, eq } from 'drizzle-orm';
import { manifests, manifestSteps, organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { checkVersion } from '../core/version.js';
import type { Caller } from '../auth/roles.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { resolveOccurredAt } from '../lifecycle/occurred-at.js';
import { stepGate } from '../lifecycle/steps.js';
import { CLIENT_MANIFEST_ACTIONS, manifestLifecycle, type ManifestAction, type ManifestActor, type ManifestState } from './manifest-lifecycle.js';
import { loadManifestParts, loadVisibleManifest, type CarrierRow, type LoadedManifest } from './manifest-view.js';
import type { ClientManifestAction, ManifestActionInput } from './schemas.js';
import type { ManifestSettings, ManifestStep } from './steps/manifest-step.js';
import { submit } from './steps/submit.js';
import { cancel } from './steps/cancel.js';
import { pickup } from './steps/pickup.js';
import { handover } from './steps/handover.js';
import { deliver } from './steps/deliver.js';
import { receive } from './steps/receive.js';

export type { ManifestSettings } from './steps/manifest-step.js';

const STEPS: Record<ClientManifestAction, ManifestStep> = { submit, cancel, pickup, handover, deliver, receive };

/** Whether the caller is the lifecycle table's actor kind for this manifest. */
export function isManifestActor(by: ManifestActor, caller: Caller, { m, carriers }: LoadedManifest): boolean {
  const carrierOrFor = (c: CarrierRow | undefined) => c !== undefined && (c.orgId === caller.orgId || recordsFor(caller, m, c));
  switch (by) {
    case 'generator': return caller.orgId === m.generatorId;
    case 'first carrier': return carrierOrFor(carriers[0]);
    case 'next carrier': return carrierOrFor(carriers[m.currentCarrier + 1]);
    case 'last carrier or receiver': return caller.orgId === m.receiverId || carrierOrFor(carriers[carriers.length - 1]);
    // An external receiver has no clients: its generator records the receipt from the returned paper copy.
    case 'receiver': return caller.orgId === m.receiverId || (m.receiverExternal && caller.orgId === m.generatorId);
    default: return false; // 'system': completion follows by itself; 'every party': a correction, applied by its last approval
  }
}

/**
 * An external carrier has no clients of ours: the generator records its steps from the paper
 * waybill (docs/regulations.md#external-parties), and the step says so.
 */
function recordsFor(caller: Caller, m: LoadedManifest['m'], carrier: CarrierRow): boolean {
  return carrier.external && caller.orgId === m.generatorId && carrier.orgId !== caller.orgId;
}

/** The external carrier a carriage step is recorded for by the generator, if it is. */
function externalCarrierOf(action: ClientManifestAction, caller: Caller, { m, carriers }: LoadedManifest): CarrierRow | undefined {
  const carrier = action === 'pickup' ? carriers[0]
    : action === 'handover' ? carriers[m.currentCarrier + 1]
      : action === 'deliver' ? carriers[carriers.length - 1] : undefined;
  return carrier && recordsFor(caller, m, carrier) ? carrier : undefined;
}

export const manifestStepGate = stepGate({
  lifecycle: manifestLifecycle,
  stateOf: (loaded: LoadedManifest) => loaded.m.state as ManifestState,
  actorIs: isManifestActor,
  policies: Object.values(STEPS),
});

/** The client actions this caller may take on the manifest now (`complete` is never a client's). */
export function allowedManifestActions(caller: Caller, loaded: LoadedManifest): string[] {
  return manifestStepGate.offered(caller, loaded, CLIENT_MANIFEST_ACTIONS);
}

export async function performManifestAction(
  cmd: Command, settings: ManifestSettings, id: string, input: ManifestActionInput, expectedVersion?: number,
): Promise<LoadedManifest> {
  const { tx, actor: { caller } } = cmd;
  const loaded = await loadVisibleManifest(tx, caller, id, true);
  const { m, carriers } = loaded;
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: input.action, before: { state: m.state, version: m.version } });
  checkVersion(expectedVersion, m.version, 'The manifest');
  manifestStepGate.authorise(caller, loaded, input.action);

  // The previous step on the ground: a step reported later by an offline handset may not precede it.
  // A manifest back-entered from paper is created after the transfer it records: its steps are
  // dated back to when they happened, within a wider window (docs/regulations.md#paper-manifests).
  const paper = m.origin === 'paper';
  const lastAt = [paper ? new Date(0) : m.createdAt, m.submittedAt, m.pickedUpAt, m.deliveredAt, ...carriers.map((c) => c.tookOverAt)]
    .filter((d): d is Date => Boolean(d)).reduce((a, b) => (a > b ? a : b));
  const occurredAt = resolveOccurredAt(input.occurredAt, lastAt, paper ? settings.paperBackEntryWindowDays : settings.occurredAtWindowDays);
  const [generator] = await tx.select().from(organisations).where(eq(organisations.id, m.generatorId));
  const plan = await STEPS[input.action].plan({ cmd, settings, caller, loaded, input, occurredAt, day: shanghaiDate(occurredAt), generator });
  const to = manifestLifecycle.transition(m.state as ManifestState, input.action, plan.to);
  const external = externalCarrierOf(input.action, caller, loaded);
  const details = external ? { ...plan.details, recordedFor: external.orgId, via: 'paper_waybill' } : plan.details;
  return finishStep(cmd, loaded, input.action, to, plan.set, occurredAt, details);
}

/** Writes the manifest's new state, its step and its audit entry; shared with automatic completion. */
export async function finishStep(
  cmd: Command, { m }: LoadedManifest, action: ManifestAction, to: ManifestState,
  set: Partial<typeof manifests.$inferInsert>, occurredAt: Date, details: Record<string, unknown>,
): Promise<LoadedManifest> {
  const { tx, actor: { caller, requestId } } = cmd;
  const [updated] = await tx.update(manifests)
    .set({ ...set, state: to, version: m.version + 1, updatedAt: new Date() })
    .where(and(eq(manifests.id, m.id), eq(manifests.version, m.version)))
    .returning();
  await tx.insert(manifestSteps).values({
    manifestId: m.id, action, fromState: m.state, toState: to, orgId: caller.orgId, clientId: caller.clientId,
    occurredAt, requestId, details,
  });
  await cmd.audit({
    chain: m.regionCode, entityType: 'manifest', entityId: m.id, action,
    before: { state: m.state, version: m.version }, after: { state: to, version: updated.version, ...details },
  });
  return loadManifestParts(tx, updated);
}
