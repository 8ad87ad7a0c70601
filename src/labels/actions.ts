// A client's own custody steps on a label, run by one runner: lock, version, the step gate (table,
// actor, roles, conditions), the step's plan, the one step writer (label, step, ledger, audit), and
// the after-step hooks. Each step is a module in ./steps/; adding one is a module and a table row.
import type { Command, CommandResult } from '../commands/unit-of-work.js';
import type { Attempt, ReadCommand } from '../commands/one-statement.js';
import type { DbOrTx } from '../db/database.js';
import { checkVersion } from '../core/version.js';
import { notFound } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { resolveOccurredAt } from '../lifecycle/occurred-at.js';
import { stepGate } from '../lifecycle/steps.js';
import { DIRECT_LABEL_ACTIONS, labelLifecycle, type DirectLabelAction, type LabelActor, type LabelState } from './label-lifecycle.js';
import { lockLabel, lockLabelWithFacility, prepareCustodySteps, readLabelForStep, recordCustodySteps, type CustodyStep, type NamedFacility } from './custody.js';
import type { LabelRow } from './label-view.js';
import type { LabelActionInput } from './schemas.js';
import { canSeeLabel } from './visibility.js';
import type { LabelStep } from './steps/label-step.js';
import { store } from './steps/store.js';
import { treat } from './steps/treat.js';
import { consolidate } from './steps/consolidate.js';
import { voidLabel } from './steps/void.js';

const STEPS: Record<DirectLabelAction, LabelStep> = {
  store, treat, consolidate, void: voidLabel,
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

/** Whether this action is recorded by one statement (its step module says so). */
export const isOneStatementAction = (action: DirectLabelAction): boolean => STEPS[action].oneStatement === true;

/**
 * The checks of a step on the label as read or locked (visibility, version, the step gate, the
 * step's own plan), and the custody step they lead to. Shared by both paths.
 */
async function planLabelStep(
  db: DbOrTx, caller: Caller, onRefusal: Command['onRefusal'], settings: LabelActionSettings,
  label: LabelRow | undefined, facility: NamedFacility | null, input: LabelActionInput, expectedVersion?: number,
): Promise<CustodyStep> {
  if (!label || !(await canSeeLabel(db, caller, label))) throw notFound('Label');
  onRefusal({ chain: label.regionCode, entityType: 'label', entityId: label.id, action: input.action, before: { state: label.state, version: label.version } });
  checkVersion(expectedVersion, label.version, 'The label');
  labelStepGate.authorise(caller, label, input.action);

  const occurredAt = resolveOccurredAt(input.occurredAt, label.lastStepAt, settings.occurredAtWindowDays);
  const plan = await STEPS[input.action].plan({ db, caller, label, facility, input, occurredAt, day: shanghaiDate(occurredAt) });
  return { label, action: input.action, orgId: caller.orgId, occurredAt, location: input.location ?? null, ...plan };
}

/** A step on the locked label, in the command's transaction, then the after-step hook. */
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
  const step = await planLabelStep(tx, caller, cmd.onRefusal, settings, label, facility, input, expectedVersion);
  const [updated] = await recordCustodySteps(cmd, [step]);
  if (afterStep) await afterStep(cmd, input.action, [updated]);
  return updated;
}

/**
 * A one-statement step: the label and the named facility read in one round trip, the checks, and
 * the answer for the row after the step, with the statement that writes it.
 */
export async function attemptLabelAction<T>(
  cmd: ReadCommand, settings: LabelActionSettings, labelId: string, input: LabelActionInput, expectedVersion: number | undefined,
  respond: (l: LabelRow) => CommandResult<T>,
): Promise<Attempt<T>> {
  const { db, actor } = cmd;
  const { label, facility, stored } = await readLabelForStep(db, labelId, input.facilityId, actor.caller.clientId, cmd.idempotency);
  cmd.replayIfStored(stored);
  const step = await planLabelStep(db, actor.caller, cmd.onRefusal, settings, label, facility, input, expectedVersion);
  const prepared = prepareCustodySteps(actor, [step]);
  return { result: respond(prepared.updated[0]), write: (answer) => prepared.apply(db, answer) };
}
