// Queues a job in the caller's transaction with graphile-worker's SQL API: the job exists if and
// only if the transaction commits (a change and the work it calls for commit together).
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';

export interface JobSpec {
  /** Only one job with this key is queued at a time; a new one replaces the queued one. */
  jobKey?: string;
  /** When it may run (default: now), e.g. sql`now() + interval '1 minute'`. */
  runAt?: SQL;
  /** Attempts before graphile-worker gives up on a job whose task throws (default 5). */
  maxAttempts?: number;
}

export async function addJob(db: DbOrTx, task: string, payload: object, o: JobSpec = {}): Promise<void> {
  await db.execute(sql`SELECT graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json,
    run_at => ${o.runAt ?? sql`now()`}, max_attempts => ${o.maxAttempts ?? 5}, job_key => ${o.jobKey ?? null}::text)`);
}
