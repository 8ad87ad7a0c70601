// Management class per site (生产经营场所, HJ 1259-2022 §4.2.1, docs/regulations.md#management-class):
// the facts of each site of an organisation, read from the records, and the class they give.
//
// Attribution (a reading, see the docs):
// - generation: a label belongs to the site of the facility named when it was issued (its issue
//   step's facility, when that is one of the generator's); a label issued without one belongs to the
//   generator's default site. Same weights as before: the last 12 months, no voided labels, no
//   consolidation parents (their weight is in their children).
// - own treatment facility: a treatment facility registered at the site.
// - 经营许可证: a comprehensive or collection licence registered for the site, not revoked, not
//   expired. Collection approvals are not 经营许可证 and do not make a site key.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { OPERATING_LICENCE_KINDS } from '../parties/licence-rules.js';
import { managementClass, MANAGEMENT_CLASSES, type ManagementClass, type ManagementFacts } from './management-class.js';

export interface SiteManagement extends ManagementFacts {
  siteId: string;
  name: string;
  regionCode: string;
  isDefault: boolean;
  managementClass: ManagementClass;
}

const OPERATING_KINDS = sql`(${sql.join(OPERATING_LICENCE_KINDS.map((k) => sql`${k}`), sql`, `)})`;

/**
 * Every site of the organisation with its class, default site first. `windowStart` is excluded,
 * `today` included (the last 12 months, as risk.ts counts them).
 */
export async function siteManagement(db: DbOrTx, orgId: string, windowStart: string, today: string): Promise<SiteManagement[]> {
  const { rows } = await db.execute<{
    id: string; name: string; region_code: string; is_default: boolean; generated_kg: number; own_facility: boolean; licensed: boolean;
  }>(sql`
    WITH generated AS (
      SELECT COALESCE(fa.site_id, (SELECT d.id FROM sites d WHERE d.org_id = l.generator_id AND d.is_default)) AS site_id,
             SUM(l.quantity_kg)::float8 AS kg
      FROM labels l
      LEFT JOIN label_steps st ON st.label_id = l.id AND st.seq = 1
      LEFT JOIN facilities fa ON fa.id = st.facility_id AND fa.org_id = l.generator_id
      WHERE l.generator_id = ${orgId} AND l.state <> 'voided'
        AND l.generated_on > ${windowStart}::date AND l.generated_on <= ${today}::date
        AND NOT EXISTS (SELECT 1 FROM labels c WHERE c.parent_id = l.id)
      GROUP BY 1
    )
    SELECT s.id, s.name, s.region_code, s.is_default,
      COALESCE((SELECT g.kg FROM generated g WHERE g.site_id = s.id), 0)::float8 AS generated_kg,
      EXISTS (SELECT 1 FROM facilities fa WHERE fa.site_id = s.id AND fa.kind = 'treatment') AS own_facility,
      EXISTS (SELECT 1 FROM licences lic WHERE lic.site_id = s.id AND lic.kind IN ${OPERATING_KINDS}
        AND lic.status <> 'revoked' AND lic.valid_to >= ${today}::date) AS licensed
    FROM sites s WHERE s.org_id = ${orgId}
    ORDER BY s.is_default DESC, s.name, s.id`);
  return rows.map((r) => {
    const facts: ManagementFacts = {
      generatedLast12MonthsKg: Math.round(Number(r.generated_kg) * 1000) / 1000,
      hasOwnTreatmentFacility: r.own_facility,
      holdsOperatingLicence: r.licensed,
    };
    return { siteId: r.id, name: r.name, regionCode: r.region_code, isDefault: r.is_default, ...facts, managementClass: managementClass(facts) };
  });
}

/** The organisation's class: the highest class of its sites (registration when it has none). */
export function highestClass(sites: readonly { managementClass: ManagementClass }[]): ManagementClass {
  return MANAGEMENT_CLASSES.find((c) => sites.some((s) => s.managementClass === c)) ?? 'registration';
}
