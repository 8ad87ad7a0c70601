// Whether a measured weight is off the declared one by more than the tolerance
// (docs/regulations.md#weight-tolerance), computed exactly in decimal, the same way at receipt (in
// TypeScript) and in the alert (in SQL): |measured − declared| × 100 > declared × tolerance %.
// Weights are stored as numeric(14,3) kg, i.e. whole grams, so both sides work in grams; the
// tolerance is a percentage with at most three decimals. Floating-point division disagreed with
// the SQL at exactly 10 % (110 kg declared 100 kg).
import { sql, type SQL } from 'drizzle-orm';

const grams = (kg: number) => BigInt(Math.round(kg * 1000));
const milliPercent = (pct: number) => BigInt(Math.round(pct * 1000));

export function offTolerance(declaredKg: number, measuredKg: number, tolerancePct: number): boolean {
  const declared = grams(declaredKg);
  if (declared <= 0n) return false;
  const diff = grams(measuredKg) - declared;
  return (diff < 0n ? -diff : diff) * 100_000n > declared * milliPercent(tolerancePct);
}

/** The same test in SQL over numeric columns (exact; the tolerance goes in as a decimal literal). */
export function offToleranceSql(declaredKg: SQL, measuredKg: SQL, tolerancePct: number): SQL {
  const pct = (Number(milliPercent(tolerancePct)) / 1000).toFixed(3);
  return sql`(round(${declaredKg}::numeric, 3) > 0
    AND abs(round(${measuredKg}::numeric, 3) - round(${declaredKg}::numeric, 3)) * 100 > round(${declaredKg}::numeric, 3) * ${pct}::numeric)`;
}
