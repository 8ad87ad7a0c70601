import type pg from 'pg';

/**
 * Waits until every transaction begun before now has ended. The event feed lists only events below
 * that horizon (docs/events.md#feed), and transaction ids are the whole server's: another test
 * file's long transaction holds our events back for a moment.
 */
export async function feedSettled(pool: pg.Pool): Promise<void> {
  const { rows: [{ xid }] } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  for (let i = 0; i < 300; i++) {
    const { rows: [{ past }] } = await pool.query<{ past: boolean }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS past', [xid]);
    if (past) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a transaction of the database server stayed open for 30 s');
}
