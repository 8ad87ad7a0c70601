// Work repeated every few seconds or minutes (audit checkpoints, alert sweeps) as graphile-worker
// jobs: one queued job per task across all replicas (its job key), run by one worker at a time.
// Each run queues the next one when it ends, so the interval is measured from the end of a run and
// runs never overlap; cron items (minute resolution) would not serve intervals under a minute.
//
// A run that throws is logged and the next one is queued all the same (like a timer: a database
// restart must not stop the schedule). If even queuing the next run fails (the database is away),
// the job fails and graphile-worker retries it with its backoff. Every process queues the first
// run at start, one interval ahead (keeping a run already queued), so a replica killed during a run does not end it.
import type { Task } from 'graphile-worker';
import type { TaskLog } from '../background/periodic.js';

export interface RecurringJob {
  task: string;
  intervalMs: number;
  run: () => Promise<void>;
}

/** How many times graphile-worker retries a run that could not queue its successor. */
const MAX_ATTEMPTS = 25;

/** The graphile-worker task of a recurring job. */
export function recurringTask(job: RecurringJob, log: TaskLog): Task {
  return async (_payload, helpers) => {
    try {
      await job.run();
    } catch (err) {
      log.warn({ err, task: job.task }, 'scheduled job failed; it runs again at the next interval');
    }
    await helpers.addJob(job.task, {}, {
      jobKey: job.task, jobKeyMode: 'replace', runAt: new Date(Date.now() + job.intervalMs), maxAttempts: MAX_ATTEMPTS,
    });
  };
}

/** How the runner queues a job (graphile-worker's Runner.addJob / WorkerUtils.addJob). */
type AddJob = (task: string, payload: object, spec: { jobKey: string; jobKeyMode: 'preserve_run_at'; runAt: Date; maxAttempts: number }) => Promise<unknown>;

/**
 * Queues the first run of each recurring job one interval from now, as a timer would, unless a
 * run is already queued (its time is kept): every replica does this at start, one job results.
 */
export async function queueRecurring(addJob: AddJob, jobs: readonly RecurringJob[]): Promise<void> {
  for (const job of jobs) {
    await addJob(job.task, {}, { jobKey: job.task, jobKeyMode: 'preserve_run_at', runAt: new Date(Date.now() + job.intervalMs), maxAttempts: MAX_ATTEMPTS });
  }
}
