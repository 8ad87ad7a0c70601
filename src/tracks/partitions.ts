// The monthly partitions of track_fixes (migration 0025) are made ahead of time: the migration made
// 2024–2027, and the server makes the months from the current one to a year ahead at start and then
// daily. A fix dated beyond the partitions lands in the default partition and moves into its
// month's partition when that is made (track_fixes_month_partition). Earlier months are made the
// same way, e.g. SELECT track_fixes_ensure_partitions('2023-01-01', 12), for back-entered tracks.
// Old months are dropped (or detached and archived) by the operator once past the 10-year
// retention: one DROP TABLE each.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { every, type Periodic, type TaskLog } from '../background/periodic.js';

export const MONTHS_AHEAD = 13;

/** Makes the missing partitions from this month on; how many it made. */
export async function ensureTrackPartitions(db: Db, now = new Date()): Promise<number> {
  const month = `${now.toISOString().slice(0, 7)}-01`;
  const { rows } = await db.execute(sql`SELECT track_fixes_ensure_partitions(${month}::date, ${MONTHS_AHEAD}) AS made`);
  return Number((rows[0] as { made: number }).made);
}

const DAY_MS = 86_400_000;

/** At start (a failure is logged, not fatal: the default partition takes the fixes) and daily. */
export async function startTrackPartitions(db: Db, log: TaskLog): Promise<Periodic> {
  const run = async () => {
    const made = await ensureTrackPartitions(db);
    if (made > 0) log.info({ made }, 'track_fixes partitions made');
  };
  await run().catch((err) => log.warn({ err }, 'track_fixes partitions not made; retried daily'));
  return every(DAY_MS, 'track partitions', run, log);
}
