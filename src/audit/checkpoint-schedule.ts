// Signs a checkpoint every AUDIT_CHECKPOINT_INTERVAL_S seconds when some chain head moved, so that
// a tail cut off a chain is caught within one interval even when nobody asks for a checkpoint.
//
// The schedule is a recurring job of the job runner (jobs/recurring.ts): one run at a time across
// replicas, a failing run logged and the next one queued all the same. The advisory lock taken by
// signCheckpointIfMoved still guards the signing itself (a checkpoint asked for through the API
// meanwhile waits or skips).
import type { Db } from '../db/database.js';
import type { KeyRing } from '../auth/keys.js';
import type { TaskLog } from '../background/periodic.js';
import type { RecurringJob } from '../jobs/recurring.js';
import { signCheckpointIfMoved, type SignOutcome } from './checkpoints.js';

export interface CheckpointScheduleDeps {
  db: Db;
  keys: KeyRing;
  /** `iss` of the checkpoints (config.jwt.issuer). */
  issuer: string;
  /** Seconds between ticks (config.auditCheckpointIntervalS); 0 or less: no schedule. */
  intervalS: number;
  log: TaskLog;
}

function report(log: TaskLog, r: SignOutcome): void {
  if (r.outcome === 'signed') {
    log.info({ iat: r.checkpoint.payload.iat, chains: r.checkpoint.payload.chains.length }, 'audit checkpoint signed');
  } else if (r.outcome === 'refused') {
    // Someone changed the trail behind the service's back: every tick says so until it is resolved.
    log.error({ reason: r.reason }, 'audit checkpoint NOT signed: the audit trail contradicts the last signed checkpoint');
  }
}

export const CHECKPOINT_TASK = 'audit_checkpoint';

/** One tick: signs a checkpoint if a chain head moved since the last one, and says what happened. */
export async function checkpointTick(deps: Omit<CheckpointScheduleDeps, 'intervalS'>): Promise<void> {
  report(deps.log, await signCheckpointIfMoved(deps.db, deps.keys, deps.issuer, { wait: false }));
}

/** The recurring job, or none when the interval is 0 (no checkpoints on a schedule). */
export function checkpointJob(deps: CheckpointScheduleDeps): RecurringJob | undefined {
  if (!(deps.intervalS > 0)) return undefined;
  return { task: CHECKPOINT_TASK, intervalMs: deps.intervalS * 1000, run: () => checkpointTick(deps) };
}
