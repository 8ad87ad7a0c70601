// The facts of every site of a jurisdiction that the filing alerts (filings/filing-alerts.ts) and
// emergency_plan_missing (emergency-plan-alerts.ts) both start from, read in one pass over the
// sites with indexed probes, once per alerts page: is it key supervision on its facts (an own
// treatment facility, an operating licence in force; HJ 1259-2022 §4.2.1), does it file at all (a
// default site, or one with a registered facility or licence, of a unit of ours), the unit's first
// ledger record (ledger_org_time_idx), and its emergency plan filings. No label is summed here.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { OPERATING_LICENCE_KINDS } from '../parties/licence-rules.js';
import { inRegion } from './jurisdiction.js';

const OPERATING_KINDS = sql`(${sql.join(OPERATING_LICENCE_KINDS.map((k) => sql`${k}`), sql`, `)})`;

export type SiteFacts = {
  id: string; org_id: string; org_name: string; name: string; region_code: string;
  /** A treatment facility registered at the site. */
  own_facility: boolean;
  /** An operating licence of the site, not revoked, valid today. */
  licensed: boolean;
  /** A site that files plans and declarations: a default site, or one with a facility or licence, of a unit that is not external. */
  files: boolean;
  /** The unit's first ledger record (Asia/Shanghai date), null when it has none; only for sites that file. */
  first_record_on: string | null;
  /** The latest valid_to of the emergency plan filings covering the site (its own or its unit's). */
  lapsed_on: string | null;
  /** An emergency plan filing covering the site is in force today. */
  emergency_covered: boolean;
  /** How many sites its unit has. */
  org_sites: number;
};

export async function readSiteFacts(db: DbOrTx, prefix: string, today: string): Promise<SiteFacts[]> {
  const { rows } = await db.execute<SiteFacts>(sql`
    SELECT f.*, CASE WHEN f.files THEN (SELECT (lr.occurred_at AT TIME ZONE 'Asia/Shanghai')::date::text FROM ledger_records lr
        WHERE lr.org_id = f.org_id ORDER BY lr.occurred_at LIMIT 1) END AS first_record_on
    FROM (
      SELECT s.id, s.org_id, o.name AS org_name, s.name, s.region_code,
        EXISTS (SELECT 1 FROM facilities fa WHERE fa.site_id = s.id AND fa.kind = 'treatment') AS own_facility,
        EXISTS (SELECT 1 FROM licences lic WHERE lic.site_id = s.id AND lic.kind IN ${OPERATING_KINDS}
          AND lic.status <> 'revoked' AND lic.valid_to >= ${today}::date) AS licensed,
        NOT o.external AND (s.is_default OR EXISTS (SELECT 1 FROM facilities fa WHERE fa.site_id = s.id)
          OR EXISTS (SELECT 1 FROM licences lic WHERE lic.site_id = s.id)) AS files,
        (SELECT max(ep.valid_to)::text FROM emergency_plan_filings ep
          WHERE ep.org_id = s.org_id AND (ep.site_id IS NULL OR ep.site_id = s.id)) AS lapsed_on,
        EXISTS (SELECT 1 FROM emergency_plan_filings ep
          WHERE ep.org_id = s.org_id AND (ep.site_id IS NULL OR ep.site_id = s.id)
            AND ep.valid_to >= ${today}::date AND ep.filed_on <= ${today}::date) AS emergency_covered,
        (SELECT count(*)::int FROM sites s2 WHERE s2.org_id = s.org_id) AS org_sites
      FROM sites s JOIN organisations o ON o.id = s.org_id
      WHERE ${inRegion(sql`s.region_code`, prefix)}) f`);
  return rows;
}
