// A task run on a fixed interval in the background of a server process: never two runs at once,
// a failing run is logged and the next one tries again (a database restart must not stop it), and
// stop() waits for a run in flight so the pool is not closed under it.

export interface Periodic {
  /** Stops the timer and waits for a run in flight. */
  stop(): Promise<void>;
}

/** The part of a pino / fastify logger background tasks write to. */
export interface TaskLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function every(intervalMs: number, name: string, task: () => Promise<void>, log: TaskLog): Periodic {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = task()
      .catch((err) => log.warn({ err, task: name }, 'background task failed; it runs again at the next interval'))
      .finally(() => { running = undefined; });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref(); // a pending tick never keeps the process alive
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
