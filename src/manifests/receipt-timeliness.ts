// Whether a receipt is on time (转移管理办法 Art. 18, docs/regulations.md#receipt-deadline): it is
// when it is *recorded* by the deadline, whatever occurredAt it reports, so that a receipt sent on
// day 10 saying it happened on day 1 is late. The receipt is still accepted (it is the legal record)
// and the manifest carries the flag.
import { shanghaiDate } from '../calendar/working-days.js';

export interface ReceiptTimeliness {
  /** The database's transaction time: the same instant the receive step's recorded_at takes. */
  recordedAt: Date;
  /** Recorded after receiptDueOn; null when the manifest has no deadline (calendar not loaded). */
  late: boolean | null;
}

/** `recordedAt` is the database's transaction time, read with the receipt's first query. */
export function receiptTimeliness(recordedAt: Date, receiptDueOn: string | null): ReceiptTimeliness {
  return { recordedAt, late: receiptDueOn === null ? null : shanghaiDate(recordedAt) > receiptDueOn };
}
