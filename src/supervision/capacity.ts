// The emergency disposal resource list (应急处置资源清单, docs/regulations.md#emergency-capacity-list): per 危险废物经营许可证
// (comprehensive or collection; collection approvals are not licensed capacity) in force today that covers a waste code, the holder's annual capacity, what it has received this year
// and what remains.
import { and, eq, gte, inArray, like, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { licences, organisations } from '../db/schema.js';
import { notFound } from '../core/errors.js';
import type { Caller } from '../auth/roles.js';
import { categoryOf, findWasteCode } from '../catalog/catalog.js';
import { shanghaiDate } from '../calendar/working-days.js';
import { licenceActiveOn, licenceCovers, OPERATING_LICENCE_KINDS, type LicenceMode } from '../parties/licence-rules.js';
import { receivedThisYearKg } from '../manifests/received-weight.js';
import { regionScope } from './indicator-inputs.js';

export interface CapacityItem {
  receiverId: string;
  receiverName: string;
  regionCode: string;
  licenceId: string;
  licenceNumber: string;
  modes: string[];
  validTo: string;
  annualCapacityKg: number | null;
  usedKg: number;
  remainingKg: number | null;
  usedPct: number | null;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * 经营许可证 (kinds comprehensive and collection), status active, valid today (Asia/Shanghai), covering the code (exactly
 * or by its category), held by an organisation in the caller's jurisdiction (or the asked region),
 * optionally with a given mode. usedKg is the holder's weight accepted this year on received or
 * completed manifests (receivedThisYearKg, the figure the submit check holds against the capacity).
 * Sorted by remainingKg, largest first; a licence without a capacity figure comes last.
 */
export async function capacityList(
  db: DbOrTx, caller: Caller, q: { wasteCode: string; regionCode?: string; mode?: LicenceMode }, now = new Date(),
) {
  const scope = regionScope(caller, q.regionCode);
  const code = findWasteCode(q.wasteCode);
  if (!code) throw notFound(`Waste code ${q.wasteCode}`);
  const today = shanghaiDate(now);
  const year = Number(today.slice(0, 4));
  const rows = await db.select({ l: licences, o: organisations }).from(licences)
    .innerJoin(organisations, eq(organisations.id, licences.orgId))
    .where(and(
      inArray(licences.kind, [...OPERATING_LICENCE_KINDS]), eq(licences.status, 'active'),
      lte(licences.validFrom, today), gte(licences.validTo, today),
      like(organisations.regionCode, `${scope.prefix}%`),
      sql`(${code.code} = ANY(${licences.wasteCodes}) OR ${categoryOf(code.code)} = ANY(${licences.wasteCodes}))`,
    ));
  const usedByReceiver = new Map<string, number>();
  const items: CapacityItem[] = [];
  for (const { l, o } of rows) {
    if (!licenceActiveOn(l, today) || !licenceCovers(l, code.code)) continue;
    if (q.mode && !l.modes.includes(q.mode)) continue;
    if (!usedByReceiver.has(o.id)) usedByReceiver.set(o.id, await receivedThisYearKg(db, o.id, year));
    const usedKg = usedByReceiver.get(o.id)!;
    const cap = l.annualCapacityKg ?? null;
    items.push({
      receiverId: o.id,
      receiverName: o.name,
      regionCode: o.regionCode,
      licenceId: l.id,
      licenceNumber: l.number,
      modes: l.modes,
      validTo: l.validTo,
      annualCapacityKg: cap,
      usedKg: round(usedKg, 3),
      remainingKg: cap === null ? null : round(cap - usedKg, 3),
      usedPct: cap === null || cap === 0 ? null : round((usedKg / cap) * 100, 2),
    });
  }
  items.sort((a, b) => (b.remainingKg ?? -Infinity) - (a.remainingKg ?? -Infinity)
    || a.receiverName.localeCompare(b.receiverName) || a.licenceNumber.localeCompare(b.licenceNumber));
  return { wasteCode: code.code, category: code.category, asOf: today, year, items };
}
