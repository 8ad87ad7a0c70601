// The weight a receiver took in over a period: accepted containers of its received (or since
// completed) manifests, measured weight where weighed. Licence capacity is checked against it at
// submit, and the capacity alert and the capacity list report it.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { shanghaiDayStart } from '../calendar/working-days.js';
import { RECEIVED_STATES } from './manifest-states.js';

/** The calendar year (Asia/Shanghai) as the half-open interval of instants it covers. */
export function yearInterval(year: number): { from: Date; to: Date } {
  return { from: shanghaiDayStart(`${year}-01-01`), to: shanghaiDayStart(`${year + 1}-01-01`) };
}

/**
 * SQL for the kilograms the receiver (an SQL expression for its id) accepted in [from, to): the sum
 * of its manifests' accepted_kg, which triggers keep equal to the accepted containers' weights
 * (measured where weighed, else declared; migrations/0028_manifest_facts.sql), so a year of a
 * receiver is read from its manifests (index manifests_receiver_received_idx), not their containers.
 */
export function receivedKgSql(receiverId: SQL, from: Date, to: Date): SQL {
  return sql`(SELECT COALESCE(SUM(m.accepted_kg), 0)::float8 FROM manifests m
    WHERE m.receiver_id = ${receiverId} AND m.state IN ${RECEIVED_STATES}
      AND m.received_at >= ${from} AND m.received_at < ${to})`;
}

/** The receiver's weight accepted in the calendar year. */
export async function receivedThisYearKg(tx: DbOrTx, receiverId: string, year: number): Promise<number> {
  const { from, to } = yearInterval(year);
  const { rows } = await tx.execute<{ kg: number | null }>(sql`SELECT ${receivedKgSql(sql`${receiverId}::uuid`, from, to)} AS kg`);
  return Number(rows[0]?.kg ?? 0);
}
