// Whether a receipt is on time (转移管理办法 Art. 18, docs/regulations.md#receipt-deadline): it is
// when it is *recorded* by the deadline, whatever occurredAt it reports, so that a receipt sent on
// day 10 saying it happened on day 1 is late. The receipt is still accepted (it is the legal record)
// and the manifest carries the flag.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { shanghaiDate } from '../calendar/working-days.js';

export interface ReceiptTimeliness {
  /** The database's transaction time: the same instant the receive step's recorded_at takes. */
  recordedAt: Date;
  /** Recorded after receiptDueOn; null when the manifest has no deadline (calendar not loaded). */
  late: boolean | null;
}

export async function receiptTimeliness(tx: DbOrTx, receiptDueOn: string | null): Promise<ReceiptTimeliness> {
  const { rows: [row] } = await tx.execute<{ now: Date }>(sql`SELECT now() AS now`);
  const recordedAt = new Date(row.now);
  return { recordedAt, late: receiptDueOn === null ? null : shanghaiDate(recordedAt) > receiptDueOn };
}
