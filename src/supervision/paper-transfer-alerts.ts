// paper_transfer_not_entered (docs/regulations.md#paper-manifests): a party declared a transfer on a
// paper form, and no manifest with that form's number has had its receipt entered yet. Art. 20
// counts the 10 working days from the transfer's completion, which a declaration made at the start
// cannot know: the deadline shown is counted from the start, the earliest it can be.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { addWorkingDays, CalendarNotCoveredError, shanghaiDate, shanghaiDayStart } from '../calendar/working-days.js';
import { PAPER_ENTRY_WORKING_DAYS } from '../manifests/paper-entry.js';
import { inRegion } from './jurisdiction.js';
import type { Alert } from './alerts.js';

const DAY = 86_400_000;

/** The entry's earliest deadline; beyond the loaded calendar, two calendar weeks (and it says so). */
function entryDue(startedAt: Date): { on: string; counted: 'working_days' | 'days' } {
  const day = shanghaiDate(startedAt);
  try {
    return { on: addWorkingDays(day, PAPER_ENTRY_WORKING_DAYS), counted: 'working_days' };
  } catch (e) {
    if (!(e instanceof CalendarNotCoveredError)) throw e;
    return { on: shanghaiDate(new Date(shanghaiDayStart(day).getTime() + 14 * DAY)), counted: 'days' };
  }
}

export async function paperTransferAlerts(db: DbOrTx, prefix: string, today: string): Promise<Alert[]> {
  const { rows } = await db.execute<{ id: string; paper_number: string; org_id: string; region_code: string; started_at: string; manifest_id: string | null }>(sql`
    SELECT d.id, d.paper_number, d.org_id, d.region_code, d.started_at, m.id AS manifest_id
    FROM paper_transfers d LEFT JOIN manifests m ON m.paper_number = d.paper_number
    WHERE (m.id IS NULL OR m.paper_entered_at IS NULL) AND ${inRegion(sql`d.region_code`, prefix)}`);
  return rows.map((r) => {
    const startedAt = new Date(r.started_at);
    const due = entryDue(startedAt);
    const late = today > due.on;
    return {
      type: 'paper_transfer_not_entered', severity: late ? 'high' : 'medium', entityType: 'paper_transfer', entityId: r.id,
      orgId: r.org_id, regionCode: r.region_code, deadline: new Date(shanghaiDayStart(due.on).getTime() + DAY).toISOString(),
      lateBy: late ? { value: Math.round((shanghaiDayStart(today).getTime() - shanghaiDayStart(due.on).getTime()) / DAY), unit: 'days' } : null,
      summary: `Paper manifest ${r.paper_number} declared on ${shanghaiDate(startedAt)} is not entered yet`,
      details: { paperNumber: r.paper_number, startedAt: startedAt.toISOString(), entryDueBy: due.on, counted: due.counted, manifestId: r.manifest_id },
    } satisfies Alert;
  });
}
