// Indicator inputs the records cannot hold (industrial value added, the landfill baseline), entered by regulators per
// year and region; and the region scope every supervision insight query runs in.
import { and, asc, eq, inArray, like, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { indicatorInputs } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { forbidden, invalid, notFound } from '../core/errors.js';
import { requireClientRole, requireOrgRole, supervises, type Caller } from '../auth/roles.js';
import { findRegion, jurisdictionPrefix } from '../catalog/regions.js';

// ---- region scope -------------------------------------------------------------------------------

export interface RegionScope {
  /** The 6-digit GB/T 2260 code asked for (or the regulator's own). */
  regionCode: string;
  /** Prefix every region code under it starts with (140100 → '1401'). */
  prefix: string;
}

/**
 * Regulators only (403 otherwise). A `regionCode` must be a known region inside the caller's
 * jurisdiction, else 404 (a region outside it is not disclosed); none given = the caller's own.
 */
export function regionScope(caller: Caller, regionCode?: string): RegionScope {
  requireOrgRole(caller, 'regulator');
  if (!caller.jurisdiction) throw forbidden('Only regulators with a jurisdiction may do this');
  if (regionCode === undefined) return { regionCode: caller.regionCode, prefix: caller.jurisdiction };
  if (!findRegion(regionCode) || !supervises(caller, regionCode)) throw notFound(`Region ${regionCode}`);
  return { regionCode, prefix: jurisdictionPrefix(regionCode) };
}

// ---- indicator inputs ---------------------------------------------------------------------------

/**
 * `gdp_10k_cny` was the first input of row 2; the row divides by industrial value added (工业增加值),
 * which GDP is not, so old GDP rows are neither mapped nor read (migration 0011) and the key is refused.
 */
export const INDICATOR_INPUT_KEYS = ['industrial_value_added_10k_cny', 'landfill_baseline_t'] as const;
export type IndicatorInputKey = (typeof INDICATOR_INPUT_KEYS)[number];

export const INDICATOR_INPUT_DESCRIPTIONS: Record<IndicatorInputKey, string> = {
  industrial_value_added_10k_cny: 'Industrial value added (工业增加值) of the region in the year, 万元, as audited (indicator 2)',
  landfill_baseline_t: 'Industrial hazardous waste landfilled in the baseline year (2020), t: what the year is compared with (indicator 25)',
};

type InputRow = typeof indicatorInputs.$inferSelect;

export const inputView = (r: InputRow) => ({
  id: r.id,
  year: r.year,
  regionCode: r.regionCode,
  key: r.key,
  value: Number(r.value),
  enteredBy: r.enteredBy,
  enteredAt: r.createdAt.toISOString(),
});
export type InputView = ReturnType<typeof inputView>;

/** Upserts one input; audited as create or update with before/after on the region's chain. */
export async function putIndicatorInput(
  cmd: Command, year: number, key: IndicatorInputKey, input: { regionCode: string; value: number },
): Promise<InputView> {
  const { caller } = cmd.actor;
  const scope = regionScope(caller, input.regionCode);
  requireClientRole(caller, 'registrar');
  if (!Number.isFinite(input.value) || input.value <= 0) {
    throw invalid(`${key} must be a positive number`, [{ path: 'body.value', message: 'must be > 0' }]);
  }
  const { tx } = cmd;
  const now = new Date();
  // Insert first: a concurrent insert of the same key waits on the unique index, then updates.
  const [created] = await tx.insert(indicatorInputs).values({
    year, regionCode: scope.regionCode, key, value: input.value, enteredBy: caller.clientId, createdAt: now,
  }).onConflictDoNothing({ target: [indicatorInputs.year, indicatorInputs.regionCode, indicatorInputs.key] }).returning();
  if (created) {
    const after = inputView(created);
    await cmd.audit({ chain: scope.regionCode, entityType: 'indicator_input', entityId: created.id, action: 'create', before: null, after });
    return after;
  }
  const match = and(eq(indicatorInputs.year, year), eq(indicatorInputs.regionCode, scope.regionCode), eq(indicatorInputs.key, key));
  const [existing] = await tx.select().from(indicatorInputs).where(match).for('update');
  const [updated] = await tx.update(indicatorInputs)
    .set({ value: input.value, enteredBy: caller.clientId, createdAt: now })
    .where(eq(indicatorInputs.id, existing.id)).returning();
  const before = inputView(existing);
  const after = inputView(updated);
  await cmd.audit({ chain: scope.regionCode, entityType: 'indicator_input', entityId: updated.id, action: 'update', before, after });
  return after;
}

/** Inputs entered for regions under the scope (the region itself and those below it). */
export async function listIndicatorInputs(db: DbOrTx, caller: Caller, q: { year?: number; regionCode?: string }) {
  const scope = regionScope(caller, q.regionCode);
  const where: SQL[] = [like(indicatorInputs.regionCode, `${scope.prefix}%`), inArray(indicatorInputs.key, [...INDICATOR_INPUT_KEYS])];
  if (q.year !== undefined) where.push(eq(indicatorInputs.year, q.year));
  const rows = await db.select().from(indicatorInputs).where(and(...where))
    .orderBy(asc(indicatorInputs.year), asc(indicatorInputs.regionCode), asc(indicatorInputs.key));
  return { items: rows.map(inputView) };
}

/** The inputs entered for exactly this year and region, by key. */
export async function inputsFor(db: DbOrTx, year: number, regionCode: string): Promise<Partial<Record<IndicatorInputKey, number>>> {
  const rows = await db.select().from(indicatorInputs)
    .where(and(eq(indicatorInputs.year, year), eq(indicatorInputs.regionCode, regionCode)));
  const out: Partial<Record<IndicatorInputKey, number>> = {};
  for (const r of rows) {
    if ((INDICATOR_INPUT_KEYS as readonly string[]).includes(r.key)) out[r.key as IndicatorInputKey] = Number(r.value);
  }
  return out;
}
