// What one step of a manifest (submit, cancel, pickup, handover, deliver, receive) declares: who
// may take it (for the step gate) and what it plans. The runner in ../actions.ts writes the plan.
import type { Command } from '../../commands/unit-of-work.js';
import type { Caller } from '../../auth/roles.js';
import type { KeyRing } from '../../auth/keys.js';
import type { StepPolicy } from '../../lifecycle/steps.js';
import type { manifests, organisations } from '../../db/schema.js';
import type { ManifestState } from '../manifest-lifecycle.js';
import type { LoadedManifest } from '../manifest-view.js';
import type { ClientManifestAction, ManifestActionInput } from '../schemas.js';

export interface ManifestSettings {
  keys: KeyRing;
  occurredAtWindowDays: number;
  /** How far back the steps of a manifest back-entered from paper may be dated. */
  paperBackEntryWindowDays: number;
  receiptWorkingDays: number;
  weightTolerancePct: number;
  /** Where a receipt link for an external receiver points, and how long it lasts (docs/regulations.md#external-receipts). */
  externalReceipt?: { baseUrl: string; linkHours: number };
}

export interface ManifestStepContext {
  cmd: Command;
  settings: ManifestSettings;
  caller: Caller;
  /** The manifest, locked, with its carriers and containers. */
  loaded: LoadedManifest;
  input: ManifestActionInput;
  occurredAt: Date;
  /** occurredAt's calendar day in Asia/Shanghai. */
  day: string;
  generator: typeof organisations.$inferSelect;
}

export interface ManifestStepPlan {
  /** Columns of the manifest the step changes (state and version are the runner's). */
  set: Partial<typeof manifests.$inferInsert>;
  /** What the manifest step row and its audit entry say about the step. */
  details: Record<string, unknown>;
  /** Where the table has several outcomes for the action (receive: received or rejected). */
  to?: ManifestState;
}

export interface ManifestStep extends StepPolicy<LoadedManifest, ClientManifestAction> {
  plan(ctx: ManifestStepContext): Promise<ManifestStepPlan>;
}

