// Deadlines that fell beyond the loaded calendar are stored as null ("not yet known": the step
// records the fact, it does not guess the date). Once the year is loaded they are computed and
// stored (docs/regulations.md#working-day-calendar): in the load's transaction, and by the periodic
// refresh for deliveries that another instance recorded before it had the year.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import type { AuditInput } from '../audit/trail.js';
import { CalendarNotCoveredError, shanghaiDate, type WorkCalendar } from './working-days.js';

export interface FilledDeadline { manifestId: string; regionCode: string; receiptDueOn: string }

/**
 * Computes the receipt deadline (转移管理办法 Art. 18, `receiptWorkingDays` working days after
 * arrival) of every delivered manifest still without one, where `calendar` now covers it. The
 * manifest's version is not bumped: the deadline is derived from the arrival already recorded, and a
 * receiver confirming receipt with If-Match must not be refused because the date became known.
 */
export async function fillReceiptDeadlines(tx: DbOrTx, calendar: WorkCalendar, receiptWorkingDays: number): Promise<FilledDeadline[]> {
  // A manifest locked by a step in flight is skipped: the next refresh computes it.
  const { rows } = await tx.execute<{ id: string; region_code: string; delivered_at: string }>(sql`
    SELECT id, region_code, delivered_at FROM manifests
    WHERE receipt_due_on IS NULL AND delivered_at IS NOT NULL ORDER BY id FOR UPDATE SKIP LOCKED`);
  const filled: FilledDeadline[] = [];
  for (const r of rows) {
    let due: string;
    try {
      due = calendar.addWorkingDays(shanghaiDate(new Date(r.delivered_at)), receiptWorkingDays);
    } catch (e) {
      if (!(e instanceof CalendarNotCoveredError)) throw e;
      continue; // still beyond the calendar: a later year's load computes it
    }
    await tx.execute(sql`UPDATE manifests SET receipt_due_on = ${due} WHERE id = ${r.id} AND receipt_due_on IS NULL`);
    filled.push({ manifestId: r.id, regionCode: r.region_code, receiptDueOn: due });
  }
  return filled;
}

/** The audit entries of computed deadlines: each on its manifest's chain. */
export const deadlineAudit = (f: FilledDeadline): AuditInput => ({
  chain: f.regionCode, entityType: 'manifest', entityId: f.manifestId, action: 'compute_receipt_deadline',
  after: { receiptDueOn: f.receiptDueOn },
});
