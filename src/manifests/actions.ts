// The manifest's steps after the draft: submit, cancel, pickup, handover, deliver, receive.
// Each runs in the caller's transaction with the manifest row locked, its label steps, ledger
// records and audit entries, so the manifest, its containers and the trail always agree.
import { and, eq } from 'drizzle-orm';
import { manifestCarriers, manifestLabels, manifests, manifestSteps, organisations } from '../db/schema.js';
import type { Command } from '../http/command.js';
import { checkVersion } from '../http/command.js';
import { forbidden, invalid, ruleViolation } from '../http/errors.js';
import { requireClientRole, WRITE_ROLES, type Caller } from '../auth/roles.js';
import type { KeyRing } from '../auth/keys.js';
import { addWorkingDays, CalendarNotCoveredError, shanghaiDate } from '../calendar/working-days.js';
import { resolveOccurredAt } from '../lifecycle/occurred-at.js';
import { lockLabels, recordCustodySteps, type CustodyStep } from '../labels/custody.js';
import { treatmentLedgerKind } from '../labels/ledger-codes.js';
import { tokenFromQr, verifyLabelToken } from '../labels/qr-token.js';
import { normalisePlate } from '../parties/vehicles.js';
import { manifestLifecycle, type ManifestAction, type ManifestState } from './manifest-lifecycle.js';
import { loadManifestParts, loadVisibleManifest, type LoadedManifest } from './manifest-view.js';
import { checkSubmission, checkVehicle } from './submit-checks.js';
import { releaseLabels } from './drafts.js';
import { nextManifestNumber } from './manifest-number.js';

export interface ManifestActionInput {
  action: 'submit' | 'cancel' | 'pickup' | 'handover' | 'deliver' | 'receive';
  reason?: string;
  qr?: string[];
  labelIds?: string[];
  vehiclePlate?: string;
  driver?: { name: string; qualificationNo: string };
  location?: { lat: number; lng: number };
  occurredAt?: string;
  items?: Array<{ labelId: string; accepted: boolean; measuredQuantity: { value: number; unit: 'kg' | 't' }; refusalReason?: string }>;
}

export interface ManifestSettings {
  keys: KeyRing;
  occurredAtWindowDays: number;
  receiptWorkingDays: number;
  weightTolerancePct: number;
}

const DRIVER_ROLES = [...WRITE_ROLES, 'driver' as const];

function required<T>(value: T | undefined, path: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    throw invalid(`${path} is required for this action`, [{ path: `body.${path}`, message: 'required' }]);
  }
  return value;
}

/** Which lifecycle actors the caller is, for the allowed-actions list. */
export function manifestActorCheck(caller: Caller, { m, carriers }: LoadedManifest) {
  return (by: string) => {
    switch (by) {
      case 'generator': return caller.orgId === m.generatorId;
      case 'first carrier': return carriers[0]?.orgId === caller.orgId;
      case 'next carrier': return carriers[m.currentCarrier + 1]?.orgId === caller.orgId;
      case 'last carrier or receiver': return caller.orgId === m.receiverId || carriers[carriers.length - 1]?.orgId === caller.orgId;
      case 'receiver': return caller.orgId === m.receiverId;
      default: return false;
    }
  };
}

/** The client actions this caller may take on the manifest now (`complete` is never a client's). */
export function allowedManifestActions(caller: Caller, loaded: LoadedManifest): string[] {
  return manifestLifecycle.allowedActions(loaded.m.state as ManifestState, manifestActorCheck(caller, loaded)).filter((a) => a !== 'complete');
}

async function scannedLabelIds(keys: KeyRing, input: ManifestActionInput): Promise<string[]> {
  if (input.qr?.length) {
    const ids: string[] = [];
    for (const qr of input.qr) ids.push((await verifyLabelToken(keys, tokenFromQr(qr))).lid);
    return ids;
  }
  return required(input.labelIds, 'labelIds or qr');
}

export async function performManifestAction(
  cmd: Command, s: ManifestSettings, id: string, input: ManifestActionInput, expectedVersion?: number,
): Promise<LoadedManifest> {
  const { tx, actor: { caller } } = cmd;
  const loaded = await loadVisibleManifest(tx, caller, id, true);
  const { m, carriers, items } = loaded;
  const action = input.action as ManifestAction;
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action, before: { state: m.state, version: m.version } });
  checkVersion(expectedVersion, m.version, 'The manifest');
  manifestLifecycle.transition(m.state as ManifestState, action); // 409 first
  const may = manifestActorCheck(caller, loaded);
  const by = manifestLifecycle.rows.find((r) => r.action === action && r.from.includes(m.state as ManifestState))!.by;
  if (!may(by)) throw forbidden(`Only the ${by} of this manifest may ${action} it`);
  requireClientRole(caller, ...(action === 'submit' || action === 'cancel' ? WRITE_ROLES : DRIVER_ROLES));

  // The previous step on the ground: a step reported later by an offline handset may not precede it.
  const lastAt = [m.createdAt, m.submittedAt, m.pickedUpAt, m.deliveredAt, ...carriers.map((c) => c.tookOverAt)]
    .filter((d): d is Date => Boolean(d)).reduce((a, b) => (a > b ? a : b));
  const occurredAt = resolveOccurredAt(input.occurredAt, lastAt, s.occurredAtWindowDays);
  const day = shanghaiDate(occurredAt);
  const set: Partial<typeof manifests.$inferInsert> = {};
  const details: Record<string, unknown> = {};
  let to: ManifestState = manifestLifecycle.transition(m.state as ManifestState, action);
  const generator = (await tx.select().from(organisations).where(eq(organisations.id, m.generatorId)))[0];

  switch (input.action) {
    case 'submit': {
      await checkSubmission(tx, loaded);
      set.number = await nextManifestNumber(tx, m.regionCode, Number(day.slice(0, 4)));
      set.submittedAt = occurredAt;
      details.number = set.number;
      break;
    }
    case 'cancel': {
      const reason = required(input.reason, 'reason');
      set.cancelReason = reason;
      details.reason = reason;
      await releaseLabels(cmd, m.id);
      break;
    }
    case 'pickup': {
      const plate = normalisePlate(required(input.vehiclePlate, 'vehiclePlate'));
      const driver = required(input.driver, 'driver');
      const scanned = await scannedLabelIds(s.keys, input);
      const expected = new Set(items.map((i) => i.labelId));
      const seen = new Set(scanned);
      const missing = items.filter((i) => !seen.has(i.labelId)).map((i) => ({ labelId: i.labelId, digitalCode: i.digitalCode }));
      const extra = [...seen].filter((lid) => !expected.has(lid));
      if (missing.length || extra.length) {
        throw ruleViolation('scan_mismatch', `The scanned containers differ from the manifest: ${missing.length} missing, ${extra.length} not on it`, { missing, extra });
      }
      await checkVehicle(tx, caller.orgId, plate, day);
      await tx.update(manifestCarriers).set({ vehiclePlate: plate, driverName: driver.name, driverQualificationNo: driver.qualificationNo, tookOverAt: occurredAt })
        .where(and(eq(manifestCarriers.manifestId, m.id), eq(manifestCarriers.position, 0)));
      set.pickedUpAt = occurredAt;
      set.currentCarrier = 0;
      Object.assign(details, { vehiclePlate: plate, driver });
      // Out of the generator's storage (出库) and, when the route is known, contracted treatment (委外).
      const [receiver] = await tx.select().from(organisations).where(eq(organisations.id, m.receiverId));
      const wwKind = m.intendedMethod ? treatmentLedgerKind(m.intendedMethod, false) : undefined;
      const locked = await lockLabels(tx, items.map((i) => i.labelId));
      await recordCustodySteps(cmd, locked.map((label): CustodyStep => ({
        label, action: 'dispatch', orgId: caller.orgId, occurredAt, manifestId: m.id, location: input.location ?? null,
        changes: { hasLeftGenerator: true }, details: { manifestNumber: m.number, vehiclePlate: plate },
        ledger: [
          { orgId: m.generatorId, kind: 'HWCK', counterpartyName: receiver.name, manifestNumber: m.number },
          ...(wwKind ? [{ orgId: m.generatorId, kind: wwKind, method: m.intendedMethod, counterpartyName: receiver.name, manifestNumber: m.number }] : []),
        ],
      })));
      break;
    }
    case 'handover': {
      const next = carriers[m.currentCarrier + 1];
      const plate = normalisePlate(required(input.vehiclePlate, 'vehiclePlate'));
      const driver = required(input.driver, 'driver');
      await checkVehicle(tx, next.orgId, plate, day);
      await tx.update(manifestCarriers).set({ vehiclePlate: plate, driverName: driver.name, driverQualificationNo: driver.qualificationNo, tookOverAt: occurredAt })
        .where(and(eq(manifestCarriers.manifestId, m.id), eq(manifestCarriers.position, next.position)));
      set.currentCarrier = next.position;
      Object.assign(details, { fromCarrier: carriers[m.currentCarrier].orgId, toCarrier: next.orgId, vehiclePlate: plate, driver });
      break;
    }
    case 'deliver': {
      if (caller.orgId !== m.receiverId && m.currentCarrier !== carriers.length - 1) {
        throw ruleViolation('carrier_order', 'The containers have not been handed over to the last carrier yet');
      }
      set.deliveredAt = occurredAt;
      try {
        set.receiptDueOn = addWorkingDays(day, s.receiptWorkingDays);
        details.receiptDueOn = set.receiptDueOn;
      } catch (e) {
        if (!(e instanceof CalendarNotCoveredError)) throw e;
        // The arrival is a fact and is recorded; the deadline is not guessed. Loading the next
        // year's official calendar (src/calendar/data) fixes it for later deliveries.
        set.receiptDueOn = null;
        details.receiptDueOn = null;
        details.receiptDueUnknown = `The working-day calendar for ${e.year} is not loaded`;
      }
      break;
    }
    case 'receive': {
      const receipt = required(input.items, 'items');
      const byLabel = new Map(receipt.map((r) => [r.labelId, r]));
      const expected = new Set(items.map((i) => i.labelId));
      const missing = items.filter((i) => !byLabel.has(i.labelId)).map((i) => i.labelId);
      const extra = receipt.map((r) => r.labelId).filter((lid) => !expected.has(lid));
      if (missing.length || extra.length || byLabel.size !== receipt.length) {
        throw ruleViolation('receipt_items', 'The receipt must list every container of the manifest exactly once', { missing, extra });
      }
      receipt.forEach((r, i) => {
        if (!r.accepted && !r.refusalReason?.trim()) throw invalid('A refused container needs a refusalReason', [{ path: `body.items.${i}.refusalReason`, message: 'required when refused' }]);
      });
      const [receiver] = await tx.select().from(organisations).where(eq(organisations.id, m.receiverId));
      let discrepant = false;
      const steps: CustodyStep[] = [];
      for (const label of await lockLabels(tx, items.map((i) => i.labelId))) {
        const r = byLabel.get(label.id)!;
        const measuredKg = r.measuredQuantity.unit === 't' ? r.measuredQuantity.value * 1000 : r.measuredQuantity.value;
        const declared = items.find((i) => i.labelId === label.id)!.declaredKg;
        const off = declared > 0 ? Math.abs(measuredKg - declared) / declared * 100 : 0;
        if (!r.accepted || off > s.weightTolerancePct) discrepant = true;
        await tx.update(manifestLabels).set({ accepted: r.accepted, measuredKg, refusalReason: r.accepted ? null : r.refusalReason! })
          .where(and(eq(manifestLabels.manifestId, m.id), eq(manifestLabels.labelId, label.id)));
        steps.push(r.accepted
          ? {
            label, action: 'accept', orgId: caller.orgId, occurredAt, manifestId: m.id, location: input.location ?? null,
            changes: { holderId: receiver.id, holderRegionCode: receiver.regionCode, heldSince: occurredAt, openManifestId: null, facilityId: null },
            details: { measuredKg, declaredKg: declared, manifestNumber: m.number },
            ledger: [{ orgId: receiver.id, kind: 'HWRK', counterpartyName: generator.name, manifestNumber: m.number }],
          }
          : {
            label, action: 'refuse', orgId: caller.orgId, occurredAt, manifestId: m.id, location: input.location ?? null,
            changes: { openManifestId: null }, details: { measuredKg, declaredKg: declared, refusalReason: r.refusalReason, manifestNumber: m.number },
          });
      }
      await recordCustodySteps(cmd, steps);
      to = receipt.some((r) => r.accepted) ? 'received' : 'rejected';
      manifestLifecycle.transition(m.state as ManifestState, 'receive', to);
      set.receivedAt = occurredAt;
      set.discrepant = discrepant;
      Object.assign(details, { accepted: receipt.filter((r) => r.accepted).length, refused: receipt.filter((r) => !r.accepted).length, discrepant });
      break;
    }
  }

  return finishStep(cmd, loaded, action, to, set, occurredAt, details);
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
