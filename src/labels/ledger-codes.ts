// HJ 1259 ledger batch codes: prefix + YYYYMMDD + 3-digit serial per organisation, prefix and day.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
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

/** The next batch code; the caller's transaction holds the counter row until it commits. */
export async function nextBatchCode(db: DbOrTx, orgId: string, kind: LedgerKind, day: string): Promise<string> {
  const { rows } = await db.execute<{ last: number }>(sql`
    INSERT INTO ledger_serials (org_id, kind, day, last) VALUES (${orgId}, ${kind}, ${day}, 1)
    ON CONFLICT (org_id, kind, day) DO UPDATE SET last = ledger_serials.last + 1
    RETURNING last`);
  // Three digits as the standard shows; a busier day simply grows a fourth digit rather than fail.
  return `${kind}${day.replace(/-/g, '')}${String(rows[0].last).padStart(3, '0')}`;
}
