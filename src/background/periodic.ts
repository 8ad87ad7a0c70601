// A task run on a fixed interval in the background of a server process: never two runs at once,
// a failing run is logged and the next one tries again (a database restart must not stop it), and
// stop() waits for a run in flight so the pool is not closed under it.
import type { FastifyBaseLogger } from 'fastify';

export interface Periodic { stop(): Promise<void> }

export function every(intervalMs: number, name: string, task: () => Promise<void>, log: FastifyBaseLogger): Periodic {
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
