// 14-digit manifest number (Art. 15): year (4) + province (2) + city (2) + serial per city and year (6).
// Taken in the submit transaction under the counter row's lock: consecutive, and never reused
// (a rolled-back submit gives its number back before anyone else could see it).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { ruleViolation } from '../core/errors.js';

export const MANIFEST_NUMBER_PATTERN = '^\\d{14}$';

export async function nextManifestNumber(tx: DbOrTx, generatorRegionCode: string, year: number): Promise<string> {
  const city = generatorRegionCode.slice(0, 4);
  const { rows } = await tx.execute<{ last: number }>(sql`
    INSERT INTO manifest_serials (city_code, year, last) VALUES (${city}, ${year}, 1)
    ON CONFLICT (city_code, year) DO UPDATE SET last = manifest_serials.last + 1
    RETURNING last`);
  const serial = rows[0].last;
  if (serial > 999_999) throw ruleViolation('manifest_serials_exhausted', `City ${city} has used every manifest number of ${year}`);
  return `${year}${city}${String(serial).padStart(6, '0')}`;
}
