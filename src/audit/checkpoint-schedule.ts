// Signs a checkpoint every AUDIT_CHECKPOINT_INTERVAL_S seconds when some chain head moved, so that
// a tail cut off a chain is caught within one interval even when nobody asks for a checkpoint.
//
// Every replica runs the schedule; the advisory lock taken by signCheckpointIfMoved makes one of
// them sign and the others skip their turn (or find nothing moved once it committed). A failing tick
// (database down, failover) is logged and the next one retries; the timer never throws.
import type { Db } from '../db/database.js';
import type { KeyRing } from '../auth/keys.js';
import { every, type Periodic, type TaskLog } from '../background/periodic.js';
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

export function startCheckpointSchedule(deps: CheckpointScheduleDeps): Periodic {
  const { db, keys, issuer, log } = deps;
  if (!(deps.intervalS > 0)) return { stop: async () => {} };
  return every(deps.intervalS * 1000, 'audit checkpoint', async () => {
    report(log, await signCheckpointIfMoved(db, keys, issuer, { wait: false }));
  }, log);
}
