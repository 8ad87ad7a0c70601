import type pg from 'pg';

/**
 * Waits until every transaction of this database begun before now has ended: the event feed lists
 * only events below that horizon (docs/events.md#feed), so a test reads what it wrote.
 */
export async function feedSettled(pool: pg.Pool): Promise<void> {
  const { rows: [{ xid }] } = await pool.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  for (let i = 0; i < 300; i++) {
    const { rows: [{ past }] } = await pool.query<{ past: boolean }>(
      'SELECT events_horizon() > $1::xid8 AS past', [xid]);
    if (past) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a transaction of this database stayed open for 30 s');
}
