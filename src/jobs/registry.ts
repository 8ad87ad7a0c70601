// What the background jobs of the service are: features add their tasks and cron items here before
// the runner starts (app.ts), so the runner needs to know no feature. Tasks run on graphile-worker
// (src/jobs/runner.ts): queued in PostgreSQL, each job run by one worker of one replica at a time,
// retried and scheduled by the library. Jobs are queued with addJob (enqueue.ts), in the transaction
// of the change that calls for them.
import type { CronItem, Task, TaskList } from 'graphile-worker';
import type { TaskLog } from '../background/periodic.js';
import { recurringTask, type RecurringJob } from './recurring.js';

export interface JobRegistry {
  /** Adds a task (a job handler) under a name unique across the service. */
  task(name: string, handler: Task): void;
  /**
   * Adds a recurring job: a crontab pattern (UTC, minute resolution) naming a registered task.
   * graphile-worker schedules each occurrence once across all replicas.
   */
  cron(item: CronItem): void;
  /** Adds a task run every `intervalMs` by one worker at a time across replicas (jobs/recurring.ts). */
  every(job: RecurringJob, log: TaskLog): void;
  readonly tasks: TaskList;
  readonly cronItems: readonly CronItem[];
  readonly recurring: readonly RecurringJob[];
}

export function createJobRegistry(): JobRegistry {
  const tasks: TaskList = {};
  const cronItems: CronItem[] = [];
  const recurring: RecurringJob[] = [];
  return {
    tasks,
    cronItems,
    recurring,
    task(name, handler) {
      if (tasks[name]) throw new Error(`job task ${name} is registered twice`);
      tasks[name] = handler;
    },
    cron(item) {
      if (!tasks[item.task]) throw new Error(`cron item names the unregistered task ${item.task}`);
      cronItems.push(item);
    },
    every(job, log) {
      this.task(job.task, recurringTask(job, log));
      recurring.push(job);
    },
  };
}
