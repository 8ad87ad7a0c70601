// How new events wake the relay without adding work to the change that wrote them (no job per
// event in the trigger, nothing on the custody hot path): every WEBHOOK_POLL_MS, each process
// queues a deliver job for the active subscriptions that have events past their cursor below the
// feed horizon and no retry pending. The job_key per subscription folds these wake-ups into one
// queued job (preserve_run_at: a wake-up never moves a job later), whichever replica queued them.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { every, type Periodic, type TaskLog } from '../background/periodic.js';
import { DELIVER_JOB_KEY_PREFIX, DELIVER_TASK } from './relay-state.js';

export async function wakeSubscriptions(db: Db): Promise<void> {
  await db.execute(sql`
    SELECT graphile_worker.add_job(${DELIVER_TASK}, json_build_object('subscriptionId', s.id),
             job_key => ${DELIVER_JOB_KEY_PREFIX} || s.id, job_key_mode => 'preserve_run_at', max_attempts => 5)
    FROM webhook_subscriptions s
    WHERE s.state = 'active' AND (s.next_attempt_at IS NULL OR s.next_attempt_at <= now())
      AND EXISTS (SELECT 1 FROM events e
                  WHERE (e.txid, e.position) > (s.cursor_txid, s.cursor_position)
                    AND e.txid < events_horizon())`);
}

export function startWakeUps(db: Db, pollMs: number, log: TaskLog): Periodic {
  return every(pollMs, 'webhook wake-up', () => wakeSubscriptions(db), log);
}
