// What one custody step of a label's own (store, treat, consolidate, return, void) declares: who
// may take it (for the step gate, which also lists the offered steps) and what it plans.
import type { Command } from '../../commands/unit-of-work.js';
import type { Caller } from '../../auth/roles.js';
import type { StepPolicy } from '../../lifecycle/steps.js';
import type { DirectLabelAction } from '../label-lifecycle.js';
import type { LabelRow } from '../label-view.js';
import type { CustodyStep, NamedFacility } from '../custody.js';
import type { LabelActionInput } from '../schemas.js';

export interface LabelStepContext {
  cmd: Command;
  caller: Caller;
  /** The label, locked. */
  label: LabelRow;
  /** The facility the body names, read with the lock (null when none or unknown). */
  facility: NamedFacility | null;
  input: LabelActionInput;
  occurredAt: Date;
  /** occurredAt's calendar day in Asia/Shanghai. */
  day: string;
}

/** The step's own part of the custody step the runner records. */
export type LabelStepPlan = Pick<CustodyStep, 'changes' | 'facilityId' | 'method' | 'details' | 'ledger'>;

export interface LabelStep extends StepPolicy<LabelRow, DirectLabelAction> {
  /** Database checks and the change, in the caller's transaction; throws a 4xx to refuse. */
  plan(ctx: LabelStepContext): Promise<LabelStepPlan>;
}
