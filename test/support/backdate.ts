import type pg from 'pg';

/** A date at 10:00 in Shanghai. */
export const shanghaiMorning = (date: string) => `${date}T10:00:00+08:00`;

/**
 * Moves a container's history: its generation to `generated` (its 产生/入库 ledger records with it),
 * and its ledger records of the kinds in `byKind` to their dates.
 */
export async function backdateLabel(pool: pg.Pool, labelId: string, generated: string, byKind: Record<string, string> = {}): Promise<void> {
  const at = shanghaiMorning(generated);
  await pool.query(`UPDATE labels SET generated_at = $2, held_since = $2, last_step_at = $2,
    generated_on = ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date WHERE id = $1`, [labelId, at]);
  await pool.query(`UPDATE ledger_records SET occurred_at = $2 WHERE label_id = $1 AND kind IN ('HWCS', 'HWRK')`, [labelId, at]);
  for (const [kind, date] of Object.entries(byKind)) {
    await pool.query('UPDATE ledger_records SET occurred_at = $3 WHERE label_id = $1 AND kind = $2', [labelId, kind, shanghaiMorning(date)]);
  }
}
