// Which site (生产经营场所) a ledger record belongs to (docs/regulations.md#management-plans): the
// ledger is kept per organisation, plans and declarations per site (HJ 1259-2022 §5.1, §4.2.1).
// A container's records in one organisation's ledger all belong to one site, so a container never
// moves between sites' balances on its own:
// - in its generator's ledger, the site of the facility its issue step names (site-management.ts
//   attributes generation the same way, so plan, declaration and class agree);
// - in another organisation's ledger (a receiver's, or a generator's taking a refused container
//   back), the site of the first facility of that organisation a step of the container names;
// - otherwise the organisation's default site.
import { sql, type SQL } from 'drizzle-orm';

/** The site of the ledger record aliased `lr` (a `ledger_records` row). */
export const siteOfRecordSql: SQL = sql`COALESCE(
  (SELECT fa.site_id FROM label_steps st JOIN facilities fa ON fa.id = st.facility_id AND fa.org_id = lr.org_id
    WHERE st.label_id = lr.label_id
      AND CASE WHEN (SELECT l.generator_id FROM labels l WHERE l.id = lr.label_id) = lr.org_id THEN st.seq = 1
               ELSE st.org_id = lr.org_id END
    ORDER BY st.seq LIMIT 1),
  (SELECT d.id FROM sites d WHERE d.org_id = lr.org_id AND d.is_default))`;
