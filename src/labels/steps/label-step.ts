// What one custody step of a label's own (store, treat, consolidate, return, void) declares: who
// may take it (for the step gate, which also lists the offered steps) and what it plans.
import type { DbOrTx } from '../../db/database.js';
import type { Caller } from '../../auth/roles.js';
import type { StepPolicy } from '../../lifecycle/steps.js';
import type { DirectLabelAction } from '../label-lifecycle.js';
import type { LabelRow } from '../label-view.js';
import type { CustodyStep, NamedFacility } from '../custody.js';
import type { LabelActionInput } from '../schemas.js';

export interface LabelStepContext {
  /**
   * Where the plan reads: the transaction holding the label's lock, or (for a one-statement step)
   * the pool, outside any transaction.
   */
  db: DbOrTx;
  caller: Caller;
  /** The label: locked, or for a one-statement step as read (the write refuses it if it moved). */
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
  /**
   * Recorded by one statement on the label as read (docs/architecture.md#one-statement-steps): only
   * for a step whose plan reads nothing another writer could change without moving this label's
   * version, and that needs no after-step hook. Others run in a transaction on the locked label.
   */
  oneStatement?: boolean;
  /** Database checks and the change; throws a 4xx to refuse. */
  plan(ctx: LabelStepContext): Promise<LabelStepPlan>;
}
