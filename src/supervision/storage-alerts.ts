// Storage over one year (固废法 Art. 81, docs/regulations.md#storage-limit). The article binds units
// that collect, store, utilise or dispose of hazardous waste as a business — holders of an operating
// licence or of a collection approval registered like one — and lets the licensing authority approve a longer period. So a container held past the
// limit is:
// - a breach, `storage_over_limit` (high), when its holder holds an operating licence and no
//   storage extension in force covers it (docs/regulations.md#storage-extensions);
// - nothing, while such an extension covers it (the approval suspends the limit until its validTo);
// - a warning of its own type, `storage_over_limit_generator` (medium), when the holder holds no
//   operating licence: the article sets no limit for a generator's own storage, but a year-old
//   stock is what the regulator looks at. A type of its own rather than a severity, so that a
//   regulator who lists `?type=storage_over_limit` gets the breaches and nothing else.
// `storage_near_limit` warns every holder ALERT_STORAGE_WARN_DAYS after the clock started.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import type { Config } from '../config.js';
import { STORED_OR_AWAITING_RETURN } from '../labels/label-states.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { inRegion } from './jurisdiction.js';
import { holdsOperatorLicence } from '../parties/storage-extensions.js';
import type { Alert, AlertType } from './alerts.js';

const DAY = 86_400_000;


export async function storageAlerts(
  db: DbOrTx, config: Config, prefix: string, wanted: (t: AlertType) => boolean, now: Date,
): Promise<Alert[]> {
  const a = config.alerts;
  const today = shanghaiDate(now);
  const warnBefore = new Date(now.getTime() - a.storageWarnDays * DAY);
  const region: SQL = inRegion(sql`l.holder_region_code`, prefix);
  const { rows } = await db.execute(sql`SELECT l.id, l.digital_code, l.holder_id, l.holder_region_code, l.held_since, l.state,
        ${holdsOperatorLicence(sql`l.holder_id`)} AS operator,
        (SELECT json_build_object('id', e.id, 'number', e.number, 'validTo', e.valid_to) FROM storage_extensions e
          WHERE e.org_id = l.holder_id AND e.valid_from <= ${today}::date AND e.valid_to >= ${today}::date
            AND (l.id = ANY(e.label_ids) OR e.facility_id = l.facility_id)
          ORDER BY e.valid_to DESC LIMIT 1) AS extension
      FROM labels l
      WHERE l.state IN ${STORED_OR_AWAITING_RETURN} AND l.held_since <= ${warnBefore} AND (${region})`);
  const out: Alert[] = [];
  for (const r of rows as Array<Record<string, unknown>>) {
    const heldSince = new Date(r.held_since as string);
    const deadline = new Date(heldSince.getTime() + a.storageLimitDays * DAY);
    const over = deadline <= now;
    if (over && r.extension) continue; // the licensing authority approved a longer period: no breach while it runs
    const t: AlertType = !over ? 'storage_near_limit' : r.operator ? 'storage_over_limit' : 'storage_over_limit_generator';
    if (!wanted(t)) continue;
    const details = {
      digitalCode: r.digital_code, heldSince: heldSince.toISOString(), daysHeld: Math.floor((now.getTime() - heldSince.getTime()) / DAY),
      state: r.state, holderIsLicensedOperator: Boolean(r.operator),
    };
    out.push({
      type: t, severity: t === 'storage_over_limit' ? 'high' : 'medium', entityType: 'label', entityId: String(r.id), orgId: String(r.holder_id),
      regionCode: String(r.holder_region_code), deadline: deadline.toISOString(),
      lateBy: over ? { value: Math.floor((now.getTime() - deadline.getTime()) / DAY), unit: 'days' } : null,
      summary: t === 'storage_over_limit'
        ? `Container ${r.digital_code} stored for more than a year by a licensed operator without an approved extension (固废法 Art. 81)`
        : t === 'storage_over_limit_generator'
          ? `Container ${r.digital_code} held for more than a year by a unit without an operating licence`
          : `Container ${r.digital_code} reaches one year of storage on ${shanghaiDate(deadline)}`,
      details,
    });
  }
  return out;
}
