// HJ 1259 ledger batch codes: prefix + YYYYMMDD + 3-digit serial per organisation, prefix and day.
import type { DbOrTx } from '../db/database.js';
import { run, statement } from '../db/statements.js';
import { methodKind } from '../catalog/treatment-methods.js';

export const LEDGER_KINDS = {
  HWCS: '产生',
  HWRK: '入库',
  HWCK: '出库',
  HWZXLY: '自行利用',
  HWZXCZ: '自行处置',
  HWWWLY: '委外利用',
  HWWWCZ: '委外处置',
} as const;
export type LedgerKind = keyof typeof LEDGER_KINDS;

/** Utilisation (R…) is 利用; disposal (D…) and other routes (C…) are recorded as 处置. */
export function treatmentLedgerKind(method: string, own: boolean): LedgerKind {
  const utilisation = methodKind(method) === 'utilisation';
  if (own) return utilisation ? 'HWZXLY' : 'HWZXCZ';
  return utilisation ? 'HWWWLY' : 'HWWWCZ';
}

/**
 * SQL taking the next serial of every distinct (org_id, kind, day) in `keys` (a relation with those
 * columns, day a date) and returning each key with its batch code. The counter rows are locked in
 * key order, so that concurrent requests needing several of them cannot deadlock; the caller's
 * transaction holds them until it commits. Three digits as the standard shows; a busier day simply
 * grows a fourth digit rather than fail (hence the greatest(): lpad alone would truncate).
 */
export function takeBatchCodesSql(keys: string): string {
  return `
    INSERT INTO ledger_serials (org_id, kind, day, last)
    SELECT org_id, kind, day, 1 FROM (SELECT DISTINCT org_id, kind, day FROM ${keys}) k
    ORDER BY org_id, kind COLLATE "C", day
    ON CONFLICT (org_id, kind, day) DO UPDATE SET last = ledger_serials.last + 1
    RETURNING org_id, kind, day,
      kind || to_char(day, 'YYYYMMDD') || lpad(last::text, greatest(3, length(last::text)), '0') AS batch_code`;
}

const NEXT_BATCH_CODE = statement('ledger_next_batch_code', `
  WITH k (org_id, kind, day) AS (VALUES ($1::uuid, $2::text, $3::date))
  ${takeBatchCodesSql('k')}`);

/** The next batch code; the caller's transaction holds the counter row until it commits. */
export async function nextBatchCode(db: DbOrTx, orgId: string, kind: LedgerKind, day: string): Promise<string> {
  const [row] = await run<{ batch_code: string }>(db, NEXT_BATCH_CODE, [orgId, kind, day]);
  return row.batch_code;
}
