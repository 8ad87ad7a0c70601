// A client's own custody steps on a label, run by one runner: lock, version, the step gate (table,
// actor, roles, conditions), the step's plan, the one step writer (label, step, ledger, audit), and
// the after-step hooks. Each step is a module in ./steps/; adding one is a module and a table row.
import type { Command } from '../commands/unit-of-work.js';
import { checkVersion } from '../core/version.js';
import { notFound } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { resolveOccurredAt } from '../lifecycle/occurred-at.js';
import { stepGate } from '../lifecycle/steps.js';
import { DIRECT_LABEL_ACTIONS, labelLifecycle, type DirectLabelAction, type LabelActor, type LabelState } from './label-lifecycle.js';
import { lockLabel, lockLabelWithFacility, recordCustodySteps } from './custody.js';
import type { LabelRow } from './label-view.js';
import type { LabelActionInput } from './schemas.js';
import { canSeeLabel } from './visibility.js';
import type { LabelStep } from './steps/label-step.js';
import { store } from './steps/store.js';
import { treat } from './steps/treat.js';
import { consolidate } from './steps/consolidate.js';
import { returnToGenerator } from './steps/return.js';
import { voidLabel } from './steps/void.js';

const STEPS: Record<DirectLabelAction, LabelStep> = {
  store, treat, consolidate, return: returnToGenerator, void: voidLabel,
};

/** Whether the caller is the lifecycle table's actor kind for this label. */
export function isLabelActor(by: LabelActor, caller: Caller, l: LabelRow): boolean {
  switch (by) {
    case 'holder': return caller.orgId === l.holderId;
    case 'generator': return caller.orgId === l.generatorId;
    default: return false; // carrier and receiver act through a manifest
  }
}

export const labelStepGate = stepGate({
  lifecycle: labelLifecycle,
  stateOf: (l: LabelRow) => l.state as LabelState,
  actorIs: isLabelActor,
  policies: Object.values(STEPS),
});

/** The direct actions this caller may take on the label now. */
export function allowedDirectActions(caller: Caller, l: LabelRow): string[] {
  return labelStepGate.offered(caller, l, DIRECT_LABEL_ACTIONS);
}

export interface LabelActionSettings { occurredAtWindowDays: number }

/** Runs after a step has been written, in the same transaction (e.g. completing manifests). */
export type LabelStepHook = (cmd: Command, action: DirectLabelAction, labels: LabelRow[]) => Promise<void>;

export async function performLabelAction(
  cmd: Command, settings: LabelActionSettings, labelId: string, input: LabelActionInput, expectedVersion?: number,
  afterStep?: LabelStepHook,
): Promise<LabelRow> {
  const { tx, actor: { caller } } = cmd;
  // Consolidation locks two labels: take them in id order, as every multi-label lock here does,
  // so that X-into-Y and Y-into-X at the same moment cannot deadlock.
  if (input.action === 'consolidate' && input.parentLabelId && input.parentLabelId < labelId) await lockLabel(tx, input.parentLabelId);
  // The facility the body names comes with the lock, in one round trip; the step checks it.
  const { label, facility } = await lockLabelWithFacility(tx, labelId, input.facilityId);
  if (!label || !(await canSeeLabel(tx, caller, label))) throw notFound('Label');
  cmd.onRefusal({ chain: label.regionCode, entityType: 'label', entityId: label.id, action: input.action, before: { state: label.state, version: label.version } });
  checkVersion(expectedVersion, label.version, 'The label');
  labelStepGate.authorise(caller, label, input.action);

  const occurredAt = resolveOccurredAt(input.occurredAt, label.lastStepAt, settings.occurredAtWindowDays);
  const step = STEPS[input.action];
  const plan = await step.plan({ cmd, caller, label, facility, input, occurredAt, day: shanghaiDate(occurredAt) });
  const [updated] = await recordCustodySteps(cmd, [{
    label, action: input.action, orgId: caller.orgId, occurredAt, location: input.location ?? null, ...plan,
  }]);
  if (afterStep) await afterStep(cmd, input.action, [updated]);
  return updated;
}

