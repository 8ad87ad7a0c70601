// Region scoping for regulators: every supervision query runs inside a region prefix.
import { or, sql, type SQL, type AnyColumn } from 'drizzle-orm';
import { notFound } from '../core/errors.js';
import { requireOrgRole, type Caller } from '../auth/roles.js';

/** The prefix to search: the requested region narrowed to the caller's jurisdiction. */
export function effectivePrefix(caller: Caller, regionCode?: string): string {
  requireOrgRole(caller, 'regulator');
  const own = caller.jurisdiction!;
  if (!regionCode) return own;
  if (regionCode.startsWith(own)) return regionCode;
  if (own.startsWith(regionCode)) return own; // a wider request is narrowed to what the caller supervises
  throw notFound(`Region ${regionCode} in your jurisdiction`);
}

/** The prefix every region code starts with: no regulator has it, background work over the whole database does. */
export const ALL_REGIONS = '';

/** The prefix as a range, so plain btree indexes serve it whatever the database collation. */
export function inRegion(column: AnyColumn | SQL, prefix: string): SQL {
  // The empty prefix is every region (the alert sweep's scope): no range has an upper bound for it.
  if (prefix === ALL_REGIONS) return sql`${column} IS NOT NULL`;
  return sql`${column} >= ${prefix} AND ${column} < ${prefixUpperBound(prefix)}`;
}

/** The first code after every code with this (all-digit) prefix: '1401' → '1402'. */
export function prefixUpperBound(prefix: string): string {
  return String(Number(prefix) + 1).padStart(prefix.length, '0');
}

export function inRegions(prefix: string, ...columns: AnyColumn[]): SQL {
  return or(...columns.map((c) => sql`(${inRegion(c, prefix)})`))!;
}
