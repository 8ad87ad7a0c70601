// A client's own custody steps on a label: store, treat, consolidate, return, void.
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { exemptions, licences } from '../db/schema.js';
import type { Command } from '../http/command.js';
import { checkVersion } from '../http/command.js';
import { AppError, forbidden, invalid, notFound, ruleViolation } from '../http/errors.js';
import { requireClientRole, WRITE_ROLES, type Caller } from '../auth/roles.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { methodKind } from '../catalog/treatment-methods.js';
import { licenceActiveOn, licenceCovers, requiredModesFor } from '../parties/licence-rules.js';
import { findOrg } from '../parties/organisations.js';
import { resolveOccurredAt } from '../lifecycle/occurred-at.js';
import { labelLifecycle, type DirectLabelAction, type LabelActor, type LabelState } from './label-lifecycle.js';
import { lockLabel, lockLabelWithFacility, recordCustodySteps, type CustodyStep, type NamedFacility } from './custody.js';
import { treatmentLedgerKind } from './ledger-codes.js';
import type { LabelRow } from './label-view.js';
import { canSeeLabel } from './visibility.js';

export interface LabelActionInput {
  action: DirectLabelAction;
  facilityId?: string;
  method?: string;
  parentLabelId?: string;
  reason?: string;
  location?: { lat: number; lng: number };
  occurredAt?: string;
}

export interface LabelActionSettings { occurredAtWindowDays: number }

/** Which lifecycle actor kinds the caller is for this label (drives allowedActions). */
export function actorKinds(caller: Caller, l: LabelRow): (by: LabelActor) => boolean {
  const writer = WRITE_ROLES.some((r) => caller.roles.includes(r));
  return (by) => writer && (
    (by === 'holder' && caller.orgId === l.holderId) ||
    (by === 'generator' && caller.orgId === l.generatorId)
  );
}

/** The direct actions this caller may take on the label now. */
export function allowedDirectActions(caller: Caller, l: LabelRow): string[] {
  const may = actorKinds(caller, l);
  return labelLifecycle.allowedActions(l.state as LabelState, may)
    .filter((a) => a !== 'dispatch' && a !== 'accept' && a !== 'refuse')
    // On an open manifest only storing is allowed (see performLabelAction).
    .filter((a) => !l.openManifestId || a === 'store');
}

/** The facility a request names must be the organisation's own, of the right kind. */
function ownFacility(f: NamedFacility | null, orgId: string, id: string | undefined, kind: 'storage' | 'treatment'): NamedFacility {
  if (!id) throw invalid(`facilityId is required: the ${kind} facility`, [{ path: 'body.facilityId', message: 'required' }]);
  if (!f || f.orgId !== orgId || f.kind !== kind) throw ruleViolation('facility', `Facility ${id} is not a ${kind} facility of the holder`, { facilityId: id });
  return f;
}

function requireHolder(caller: Caller, l: LabelRow, action: string) {
  if (caller.orgId !== l.holderId) throw forbidden(`Only the current holder may ${action} this container`);
}

async function checkTreatment(tx: DbOrTx, l: LabelRow, method: string | undefined, named: NamedFacility | null, facilityId: string | undefined, today: string) {
  if (!method) throw invalid('method is required to treat (R… utilisation, D… disposal, C… other)', [{ path: 'body.method', message: 'required' }]);
  if (!methodKind(method)) throw invalid(`Unknown treatment method ${method}`, [{ path: 'body.method', message: 'unknown method code' }]);
  const facility = ownFacility(named, l.holderId, facilityId, 'treatment');
  if (!facility.methods.includes(method)) {
    throw ruleViolation('facility_method', `Facility ${facility.code} does not run method ${method}`, { facilityId: facility.id, method });
  }
  // A generator treating its own waste in its own facility (自行利用/处置) needs no licence, but a box
  // it labelled that holds other units' containers is their waste, received, and needs one.
  if (l.holderId === l.generatorId && !(await holdsOthersWaste(tx, l))) return facility;
  // A point-to-point exemption (名录 appendix entry 32) lets its receiver utilise that generator's
  // waste without an operating licence: utilisation (R…) only, for the exempt code, while valid.
  if (methodKind(method) === 'utilisation') {
    const [exempt] = await tx.select({ id: exemptions.id }).from(exemptions).where(and(
      eq(exemptions.generatorId, l.generatorId), eq(exemptions.receiverId, l.holderId), eq(exemptions.wasteCode, l.wasteCode),
      lte(exemptions.validFrom, today), gte(exemptions.validTo, today),
    ));
    if (exempt) return facility;
  }
  const held = await tx.select().from(licences).where(and(eq(licences.orgId, l.holderId), eq(licences.kind, 'operating')));
  const modes = requiredModesFor(method);
  const ok = held.some((lic) => licenceActiveOn(lic, today) && licenceCovers(lic, l.wasteCode) && lic.modes.some((m) => modes.includes(m as never)));
  if (!ok) {
    throw ruleViolation('treatment_licence', `The holder has no active operating licence with mode ${modes.join('/')} covering ${l.wasteCode}`, { wasteCode: l.wasteCode, method });
  }
  return facility;
}

/** Whether anything consolidated into this label (at any depth) was generated by another unit. */
async function holdsOthersWaste(tx: DbOrTx, l: LabelRow): Promise<boolean> {
  const { rows } = await tx.execute(sql`
    WITH RECURSIVE inside(id, generator_id) AS (
      SELECT id, generator_id FROM labels WHERE parent_id = ${l.id}
      UNION ALL SELECT c.id, c.generator_id FROM labels c JOIN inside i ON c.parent_id = i.id
    )
    SELECT 1 FROM inside WHERE generator_id <> ${l.generatorId} LIMIT 1`);
  return rows.length > 0;
}

export async function performLabelAction(
  cmd: Command, settings: LabelActionSettings, labelId: string, input: LabelActionInput, expectedVersion?: number,
  afterTreatment?: (cmd: Command, labelIds: string[]) => Promise<void>,
): Promise<LabelRow> {
  const { tx, actor } = cmd;
  const { caller } = actor;
  // Consolidation locks two labels: take them in id order, as every multi-label lock here does,
  // so that X-into-Y and Y-into-X at the same moment cannot deadlock.
  if (input.action === 'consolidate' && input.parentLabelId && input.parentLabelId < labelId) await lockLabel(tx, input.parentLabelId);
  // The facility the body names comes with the lock, in one round trip; it is checked per action below.
  const { label, facility } = await lockLabelWithFacility(tx, labelId, input.facilityId);
  if (!label || !(await canSeeLabel(tx, caller, label))) throw notFound('Label');
  cmd.onRefusal({ chain: label.regionCode, entityType: 'label', entityId: label.id, action: input.action, before: { state: label.state, version: label.version } });
  checkVersion(expectedVersion, label.version, 'The label');
  labelLifecycle.transition(label.state as LabelState, input.action); // 409 before anything else
  requireClientRole(caller, ...WRITE_ROLES);
  const occurredAt = resolveOccurredAt(input.occurredAt, label.lastStepAt, settings.occurredAtWindowDays);
  const day = shanghaiDate(occurredAt);
  const step: CustodyStep = { label, action: input.action, orgId: caller.orgId, occurredAt, location: input.location ?? null };

  if (label.openManifestId && input.action !== 'store') {
    throw ruleViolation('on_open_manifest', 'The container is on an open transfer manifest; cancel or complete it first', { manifestId: label.openManifestId });
  }

  switch (input.action) {
    case 'store': {
      requireHolder(caller, label, 'store');
      const f = ownFacility(facility, label.holderId, input.facilityId, 'storage');
      step.facilityId = f.id;
      step.changes = { facilityId: f.id };
      step.ledger = [{ orgId: caller.orgId, kind: 'HWRK', facilityCode: f.code }];
      break;
    }
    case 'treat': {
      requireHolder(caller, label, 'treat');
      const f = await checkTreatment(tx, label, input.method, facility, input.facilityId, day);
      const kind = treatmentLedgerKind(input.method!, true);
      step.facilityId = f.id;
      step.method = input.method!;
      step.changes = { facilityId: f.id };
      step.details = { methodKind: methodKind(input.method!) };
      step.ledger = [{ orgId: caller.orgId, kind, facilityCode: f.code, method: input.method }];
      break;
    }
    case 'consolidate': {
      requireHolder(caller, label, 'consolidate');
      if (!input.parentLabelId) throw invalid('parentLabelId is required', [{ path: 'body.parentLabelId', message: 'required' }]);
      if (input.parentLabelId === label.id) throw ruleViolation('consolidation_parent', 'A container cannot be consolidated into itself');
      const parent = await lockLabel(tx, input.parentLabelId);
      if (!parent || parent.holderId !== label.holderId) {
        throw ruleViolation('consolidation_parent', 'The parent label must be held by the same organisation', { parentLabelId: input.parentLabelId });
      }
      if (parent.category !== label.category) {
        throw ruleViolation('consolidation_parent', `The parent holds ${parent.category}, this container ${label.category}`, { parentLabelId: parent.id });
      }
      // The parent must be at the holder's site and free to take more: not shipped, refused or closed.
      if (!['issued', 'stored', 'received'].includes(parent.state) || parent.openManifestId) {
        throw ruleViolation('consolidation_parent', `The parent label is ${parent.openManifestId ? 'on an open manifest' : parent.state}`, { parentLabelId: parent.id });
      }
      step.changes = { parentId: parent.id };
      step.details = { parentLabelId: parent.id, parentDigitalCode: parent.digitalCode };
      break;
    }
    case 'return': {
      if (caller.orgId !== label.generatorId) throw forbidden('Only the generator takes back refused waste');
      const generator = (await findOrg(tx, label.generatorId))!;
      const f = ownFacility(facility, generator.id, input.facilityId, 'storage');
      step.facilityId = f.id;
      step.changes = { holderId: generator.id, holderRegionCode: generator.regionCode, facilityId: f.id, heldSince: occurredAt, openManifestId: null };
      step.ledger = [{ orgId: generator.id, kind: 'HWRK', facilityCode: f.code }];
      break;
    }
    case 'void': {
      if (caller.orgId !== label.generatorId || label.holderId !== label.generatorId) throw forbidden('Only the generator voids its own labels');
      if (label.hasLeftGenerator) throw ruleViolation('void_after_transfer', 'This container has left the generator; it can no longer be voided');
      if (!input.reason?.trim()) throw invalid('A reason is required to void a label', [{ path: 'body.reason', message: 'required' }]);
      // Voiding a box would silently end the containers inside it.
      const { rows: inside } = await tx.execute(sql`SELECT 1 FROM labels WHERE parent_id = ${label.id} LIMIT 1`);
      if (inside.length) throw ruleViolation('void_with_contents', 'Containers have been consolidated into this label; it cannot be voided');
      step.details = { reason: input.reason };
      break;
    }
    default:
      throw new AppError('VALIDATION_FAILED', `Unknown action ${String(input.action)}`);
  }

  const [updated] = await recordCustodySteps(cmd, [step]);
  if (input.action === 'treat' && afterTreatment) await afterTreatment(cmd, [updated.id]);
  return updated;
}
