// The management class a site files under for a year (docs/regulations.md#management-plans): its
// class from the previous calendar year's records (site-management.ts over that year; the
// licences and facilities as they stand at its end). HJ 1259-2022 §4.2.3 asks for the largest of
// the last three years: a gap the management-class entry tracks.
import type { DbOrTx } from '../../db/database.js';
import { siteManagement, type SiteManagement } from '../site-management.js';
import { managementClassReason } from '../management-class.js';
import { notFound } from '../../core/errors.js';

export interface SiteYearClass extends SiteManagement { year: number; basedOnYear: number; reason: string }

export async function siteClassForYear(db: DbOrTx, orgId: string, siteId: string, year: number): Promise<SiteYearClass> {
  const s = (await siteManagement(db, orgId, `${year - 2}-12-31`, `${year - 1}-12-31`)).find((x) => x.siteId === siteId);
  if (!s) throw notFound('Site');
  const reason = `For ${year}, from the records of ${year - 1}: ${managementClassReason(s).replaceAll('in the last 12 months', `in ${year - 1}`)}`;
  return { ...s, year, basedOnYear: year - 1, reason };
}
