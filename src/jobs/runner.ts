// The graphile-worker runner of a server process: the registry's tasks and cron items, on a small
// pool of its own (one connection LISTENing, one per running job for the library and one more a
// task may hold, such as a webhook delivery's lock; on the app's pool they would compete with
// requests). Its schema, graphile_worker, is installed or upgraded by
// installJobSchema, which server.ts runs with the app's migrations under the start-up lock, so
// replicas started together upgrade it one at a time (the runner checks it again when it starts,
// still under that lock, and finds it done).
import pg from 'pg';
import { Logger, parseCronItems, run, runMigrations, type LogFunctionFactory, type Runner } from 'graphile-worker';
import type { TaskLog } from '../background/periodic.js';
import type { JobRegistry } from './registry.js';
import { queueRecurring } from './recurring.js';

export interface JobRunnerOptions {
  /** The app's database; the runner opens its own pool to the same one. */
  connectionString: string;
  concurrency: number;
  pollIntervalMs: number;
  log: TaskLog & { debug(obj: object, msg: string): void };
}

export interface JobRunner {
  stop(): Promise<void>;
}

/** graphile-worker's log lines through the app's logger (its debug noise at debug). */
function loggerOf(log: JobRunnerOptions['log']): Logger {
  const factory: LogFunctionFactory = (scope) => (level, message, meta) => {
    const obj = { jobs: scope, ...(meta ?? {}) };
    // graphile-worker's errors are mostly its connections' during a database restart or failover,
    // which the runner survives by itself (test/db/database-restart.test.ts): warnings, not errors.
    if (level === 'error' || level === 'warning') log.warn(obj, message);
    else log.debug(obj, message);
  };
  return new Logger(factory);
}

/** A client losing its server (restart, failover) must not crash the process: the pool replaces it. */
function withErrorHandlers(pool: pg.Pool, onError: (err: Error) => void): pg.Pool {
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** Installs or upgrades the graphile_worker schema (idempotent; concurrent callers are tolerated by the library). */
export async function installJobSchema(connectionString: string): Promise<void> {
  const pool = withErrorHandlers(new pg.Pool({ connectionString, max: 1 }), () => {});
  try {
    await runMigrations({ pgPool: pool, logger: new Logger(() => () => {}) });
  } finally {
    await pool.end();
  }
}

/** The runner when this process runs jobs (JOBS_ENABLED), a no-op otherwise (it only queues them). */
export async function startJobs(registry: JobRegistry, o: JobRunnerOptions & { enabled: boolean }): Promise<JobRunner> {
  return o.enabled ? startJobRunner(registry, o) : { stop: async () => {} };
}

export async function startJobRunner(registry: JobRegistry, o: JobRunnerOptions): Promise<JobRunner> {
  const pool = withErrorHandlers(new pg.Pool({ connectionString: o.connectionString, max: 2 * o.concurrency + 2, options: '-c jit=off' }),
    (err) => o.log.warn({ err: err.message }, 'job runner: database connection lost'));
  let started: Runner | undefined;
  try {
    const runner = started = await run({
      pgPool: pool,
      taskList: registry.tasks,
      parsedCronItems: parseCronItems([...registry.cronItems]),
      concurrency: o.concurrency,
      pollInterval: o.pollIntervalMs,
      noHandleSignals: true, // server.ts owns the signals and closes the app, which stops this runner
      logger: loggerOf(o.log),
    });
    await queueRecurring((task, payload, spec) => runner.addJob(task, payload, spec), registry.recurring);
    return {
      async stop() {
        await runner.stop();
        await pool.end();
      },
    };
  } catch (e) {
    await started?.stop().catch(() => {});
    await pool.end();
    throw e;
  }
}
