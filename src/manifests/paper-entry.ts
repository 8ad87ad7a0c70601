// The back-entry (补录) of a manifest that ran on a paper form: due within 10 working days after the
// transfer was completed (转移管理办法 Art. 20, docs/regulations.md#paper-manifests).
import { addWorkingDays, CalendarNotCoveredError, shanghaiDate } from '../calendar/working-days.js';
import type { manifests } from '../db/schema.js';

/** Art. 20: a paper manifest is entered within 10 working days after the transfer is completed. */
export const PAPER_ENTRY_WORKING_DAYS = 10;

/** The back-entry of a paper manifest: when it was due (10 working days after receipt) and whether it was late. */
export function paperEntry(m: typeof manifests.$inferSelect) {
  if (m.origin !== 'paper') return null;
  let dueOn: string | null = null;
  if (m.receivedAt) {
    try {
      dueOn = addWorkingDays(shanghaiDate(m.receivedAt), PAPER_ENTRY_WORKING_DAYS);
    } catch (e) {
      if (!(e instanceof CalendarNotCoveredError)) throw e;
    }
  }
  const enteredOn = m.paperEnteredAt ? shanghaiDate(m.paperEnteredAt) : null;
  return {
    paperNumber: m.paperNumber!,
    entryDueOn: dueOn,
    enteredAt: m.paperEnteredAt?.toISOString() ?? null,
    lateEntry: dueOn !== null && enteredOn !== null && enteredOn > dueOn,
    scan: m.paperScanSha256
      ? { mediaType: m.paperScanMediaType!, bytes: m.paperScanBytes!, sha256: m.paperScanSha256, href: `/api/v1/manifests/${m.id}/paper-form` }
      : null,
  };
}

