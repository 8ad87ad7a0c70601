// The plan's indicators (seed-indicators.tsv, docs/regulations.md#indicators) computed from the records for one
// calendar year (Asia/Shanghai) and one region. The rows come from the file; how each is computed,
// compared with its target and explained lives in FORMULAS below, one entry per row.
//
// Conventions shared by every formula:
// - Region: generation-based rows (2, 15, 25, 44) take the generating unit's region as recorded on
//   the label / manifest (labels.region_code, manifests.region_code); rows about parties (26, 27,
//   39, 45, text) take organisations.region_code. Both by prefix (140100 → every code 1401…).
// - Weights: a label into which other labels were consolidated re-packages waste already counted
//   in its children, so it is left out of every weight (no double counting); voided labels too.
// - Consolidation: a container follows its parent (docs/regulations.md#consolidation): it counts as treated, or as
//   delivered, when it or any ancestor (parent, parent's parent…) was. The brief allowed one level;
//   the recursive walk gives the same answer there and stays right for boxes put into bigger boxes.
// - "Registered" parties: registered before the end of the year.
// - A rate whose denominator is zero has no value: value null, met null, missing ['no records'].
import { RECEIVED_STATES } from '../manifests/manifest-states.js';
import { readFileSync } from 'node:fs';
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { METHOD_KINDS } from '../catalog/treatment-methods.js';
import { shanghaiDate, shanghaiDayStart } from '../calendar/working-days.js';
import type { Caller } from '../auth/roles.js';
import { OPERATING_LICENCE_KINDS } from '../parties/licence-rules.js';
import { inputsFor, regionScope, type IndicatorInputKey } from './indicator-inputs.js';

// ---- the rows, from the file ----------------------------------------------------------------------

interface SeedRow {
  row: string;
  name: string;
  requirement: string;
  baseline: number | null;
  targetText: string;
  unit: string;
  computableFrom: string;
}

function readSeed(): SeedRow[] {
  const text = readFileSync(new URL('../catalog/data/seed-indicators.tsv', import.meta.url), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split('\t').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const r = Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
    const baseline = r.baseline2020 === '' ? null : Number(r.baseline2020);
    return {
      row: r.row, name: r.name, requirement: r.requirement, baseline: Number.isFinite(baseline) ? baseline : null,
      targetText: r.target2025, unit: r.unit, computableFrom: r.computable_from,
    };
  });
}

// ---- what a formula sees ---------------------------------------------------------------------------

export interface Period {
  year: number;
  /** First and last calendar day of the year. */
  firstDay: string;
  lastDay: string;
  /** [from, to) instants of the year in Asia/Shanghai. */
  from: Date;
  to: Date;
  /** The day "valid today" is read on: today in the current (or a future) year, else Dec 31. */
  asOf: string;
}

export function periodOf(year: number, now = new Date()): Period {
  const today = shanghaiDate(now);
  const lastDay = `${year}-12-31`;
  return {
    year,
    firstDay: `${year}-01-01`,
    lastDay,
    from: shanghaiDayStart(`${year}-01-01`),
    to: shanghaiDayStart(`${year + 1}-01-01`),
    asOf: lastDay < today ? lastDay : today,
  };
}

interface Ctx {
  db: DbOrTx;
  period: Period;
  /** Region prefix with the LIKE wildcard: '1401%'. */
  like: string;
  inputs: Partial<Record<IndicatorInputKey, number>>;
}

interface Outcome {
  value: number | null;
  inputs: Record<string, number | string | null>;
  missing?: string[];
}

type Comparison = '<=' | '>=' | '=';

interface Formula {
  /** How the value is computed, in words (goes to the API and the README). */
  formula: string;
  comparison: Comparison;
  /** The 2025 target as a number ('建立' = 1). */
  target: number;
  compute(c: Ctx): Promise<Outcome>;
}

// ---- queries ---------------------------------------------------------------------------------------

const methodsOf = (kind: 'utilisation' | 'disposal') => Object.keys(METHOD_KINDS).filter((k) => METHOD_KINDS[k].kind === kind);
/** Utilisation methods (利用): R…, C2, C3. */
export const UTILISATION_METHODS = methodsOf('utilisation');
/** Landfill (填埋). */
export const LANDFILL_METHODS = ['D1'];

async function one<T extends Record<string, unknown>>(db: DbOrTx, q: SQL): Promise<T> {
  const { rows } = await db.execute<T>(q);
  return rows[0] as T;
}

/** Not a consolidation parent: its weight is already in its children. */
const notAParent = sql`NOT EXISTS (SELECT 1 FROM labels c WHERE c.parent_id = l.id)`;

/** Industrial generators' labels generated in the year (region = label's generating region), kg. */
async function industrialGeneratedKg(c: Ctx): Promise<number> {
  const r = await one<{ kg: number }>(c.db, sql`
    SELECT COALESCE(SUM(l.quantity_kg), 0)::float8 AS kg
    FROM labels l JOIN organisations g ON g.id = l.generator_id
    WHERE g.generator_class = 'industrial' AND l.region_code LIKE ${c.like}
      AND l.generated_on >= ${c.period.firstDay}::date AND l.generated_on <= ${c.period.lastDay}::date
      AND l.state <> 'voided' AND ${notAParent}`);
  return Number(r.kg);
}

/**
 * Weight of industrial generators' labels treated in the year with one of `methods`, by their own
 * treat step or that of an ancestor they were consolidated into, kg. Labels of any generation year
 * up to the year's end; with `generatedBefore`, only those generated before it (prior years' stock).
 */
async function industrialTreatedKg(c: Ctx, methods: string[], generatedBefore: Date = c.period.to): Promise<number> {
  const r = await one<{ kg: number }>(c.db, sql`
    WITH RECURSIVE base AS (
      SELECT l.id, l.quantity_kg, l.parent_id
      FROM labels l JOIN organisations g ON g.id = l.generator_id
      WHERE g.generator_class = 'industrial' AND l.region_code LIKE ${c.like}
        AND l.generated_at < ${generatedBefore} AND ${notAParent}
        -- only a treated container, or one consolidated into another, can have been treated
        AND l.state IN ('treated', 'consolidated')
    ), chain AS (
      SELECT b.id AS label_id, b.id AS node_id, b.parent_id, 0 AS depth FROM base b
      UNION ALL
      SELECT ch.label_id, p.id, p.parent_id, ch.depth + 1 FROM chain ch JOIN labels p ON p.id = ch.parent_id
      WHERE ch.depth < 20
    )
    SELECT COALESCE(SUM(b.quantity_kg), 0)::float8 AS kg FROM base b
    WHERE EXISTS (
      SELECT 1 FROM chain ch JOIN label_steps s ON s.label_id = ch.node_id
      WHERE ch.label_id = b.id AND s.action = 'treat' AND s.method IN ${methods}
        AND s.occurred_at >= ${c.period.from} AND s.occurred_at < ${c.period.to})`);
  return Number(r.kg);
}

/** The kinds of 危险废物经营许可证, whose holders are 经营单位 (collection approvals are not). */
const OPERATING_KINDS = sql`(${sql.join(OPERATING_LICENCE_KINDS.map((k) => sql`${k}`), sql`, `)})`;

/** 经营单位 on a day: a 危险废物经营许可证 (comprehensive or collection) not revoked, valid that day. */
const licensedOn = (org: SQL, day: SQL) => sql`EXISTS (
  SELECT 1 FROM licences lic WHERE lic.org_id = ${org} AND lic.kind IN ${OPERATING_KINDS} AND lic.status <> 'revoked'
    AND lic.valid_from <= ${day} AND lic.valid_to >= ${day})`;

const round = (v: number) => Math.round(v * 1e6) / 1e6;
const t = (kg: number) => round(kg / 1000);

function rate(numerator: number, denominator: number, inputs: Outcome['inputs']): Outcome {
  if (denominator === 0) return { value: null, inputs, missing: ['no records'] };
  return { value: round((numerator / denominator) * 100), inputs };
}

// ---- the formulas, one per row of seed-indicators.tsv -----------------------------------------------

export const FORMULAS: Record<string, Formula> = {
  '2': {
    formula: 'Σ quantity of labels generated in the year by industrial generators (not voided, not consolidation parents) / 1000 ÷ industrial value added (工业增加值, 万元, input industrial_value_added_10k_cny) → t/万元; met if ≤ 0.012',
    comparison: '<=',
    target: 0.012,
    async compute(c) {
      const generatedKg = await industrialGeneratedKg(c);
      const iva = c.inputs.industrial_value_added_10k_cny;
      const inputs = { industrialGeneratedT: t(generatedKg), industrialValueAdded10kCny: iva ?? null };
      if (iva === undefined) return { value: null, inputs, missing: ['industrial_value_added_10k_cny'] };
      return { value: round(generatedKg / 1000 / iva), inputs };
    },
  },
  '15': {
    formula: 'weight of industrial generators\' labels (any generation year) utilised in the year — treated with R…, C2 or C3, by their own treat step or a consolidation ancestor\'s ÷ (industrial weight generated in the year + weight generated in prior years and utilised in the year) × 100; met if ≥ 80',
    comparison: '>=',
    target: 80,
    async compute(c) {
      const utilisedKg = await industrialTreatedKg(c, UTILISATION_METHODS);
      const priorStockUtilisedKg = await industrialTreatedKg(c, UTILISATION_METHODS, c.period.from);
      const generatedKg = await industrialGeneratedKg(c);
      return rate(utilisedKg, generatedKg + priorStockUtilisedKg, {
        utilisedT: t(utilisedKg), industrialGeneratedT: t(generatedKg), priorStockUtilisedT: t(priorStockUtilisedKg),
      });
    },
  },
  '25': {
    formula: '(landfill baseline t (input landfill_baseline_t) − industrial generators\' labels treated in the year with D1 (landfill), t) ÷ baseline × 100; met if ≥ 33.57',
    comparison: '>=',
    target: 33.57,
    async compute(c) {
      const landfilledKg = await industrialTreatedKg(c, LANDFILL_METHODS);
      const baseline = c.inputs.landfill_baseline_t;
      const inputs = { landfillBaselineT: baseline ?? null, landfilledT: t(landfilledKg) };
      if (baseline === undefined) return { value: null, inputs, missing: ['landfill_baseline_t'] };
      return { value: round(((baseline - landfilledKg / 1000) / baseline) * 100), inputs };
    },
  },
  '26': {
    formula: 'medical institutions (generatorClass medical) with at least one label — itself or a consolidation ancestor — accepted in the year on a manifest whose receiver held, on the receipt day, an operating licence with mode disposal covering that waste ÷ registered medical institutions × 100; met if ≥ 100',
    comparison: '>=',
    target: 100,
    async compute(c) {
      const r = await one<{ reached: number; registered: number }>(c.db, sql`
        WITH RECURSIVE base AS (
          SELECT l.id, l.generator_id, l.parent_id
          FROM labels l JOIN organisations o ON o.id = l.generator_id
          WHERE o.generator_class = 'medical' AND o.region_code LIKE ${c.like} AND o.created_at < ${c.period.to}
            AND l.generated_at < ${c.period.to} AND l.state <> 'voided'
        ), chain AS (
          SELECT b.id AS label_id, b.generator_id, b.id AS node_id, b.parent_id, 0 AS depth FROM base b
          UNION ALL
          SELECT ch.label_id, ch.generator_id, p.id, p.parent_id, ch.depth + 1 FROM chain ch JOIN labels p ON p.id = ch.parent_id
          WHERE ch.depth < 20
        )
        SELECT
          (SELECT COUNT(DISTINCT ch.generator_id) FROM chain ch
             JOIN labels x ON x.id = ch.node_id
             JOIN manifest_labels ml ON ml.label_id = ch.node_id AND ml.accepted
             JOIN manifests m ON m.id = ml.manifest_id
           WHERE m.received_at >= ${c.period.from} AND m.received_at < ${c.period.to}
             AND EXISTS (
               SELECT 1 FROM licences lic
               WHERE lic.org_id = m.receiver_id AND lic.kind IN ${OPERATING_KINDS} AND 'disposal' = ANY(lic.modes)
                 AND (x.waste_code = ANY(lic.waste_codes) OR x.category = ANY(lic.waste_codes))
                 AND lic.valid_from <= (m.received_at AT TIME ZONE 'Asia/Shanghai')::date
                 AND lic.valid_to >= (m.received_at AT TIME ZONE 'Asia/Shanghai')::date))::int AS reached,
          (SELECT COUNT(*) FROM organisations o
           WHERE o.generator_class = 'medical' AND o.region_code LIKE ${c.like} AND o.created_at < ${c.period.to})::int AS registered`);
      return rate(r.reached, r.registered, { reachedDisposer: r.reached, registeredMedicalInstitutions: r.registered });
    },
  },
  '27': {
    formula: 'small/social-source generators (generatorClass small_source) that were the generator on a manifest received (state received or completed) in the year ÷ registered small-source generators × 100; met if ≥ 80',
    comparison: '>=',
    target: 80,
    async compute(c) {
      const r = await one<{ shipped: number; registered: number }>(c.db, sql`
        SELECT
          (SELECT COUNT(DISTINCT o.id) FROM organisations o JOIN manifests m ON m.generator_id = o.id
           WHERE o.generator_class = 'small_source' AND o.region_code LIKE ${c.like} AND o.created_at < ${c.period.to}
             AND m.state IN ${RECEIVED_STATES} AND m.received_at >= ${c.period.from} AND m.received_at < ${c.period.to}
             -- A return manifest back to the generator (docs/regulations.md#return-trips) moved nothing out.
             AND m.receiver_id <> m.generator_id)::int AS shipped,
          (SELECT COUNT(*) FROM organisations o
           WHERE o.generator_class = 'small_source' AND o.region_code LIKE ${c.like} AND o.created_at < ${c.period.to})::int AS registered`);
      return rate(r.shipped, r.registered, { withTransfer: r.shipped, registeredSmallSources: r.registered });
    },
  },
  '39': {
    formula: '经营单位 (a 危险废物经营许可证 — comprehensive or collection — not revoked, valid on the day; collection approvals do not count) with an insurance policy valid on the day ÷ licensed operators × 100; the day is today, or Dec 31 for a past year; met if ≥ 100',
    comparison: '>=',
    target: 100,
    async compute(c) {
      const day = sql`${c.period.asOf}::date`;
      const r = await one<{ insured: number; operators: number }>(c.db, sql`
        SELECT
          COUNT(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM insurance_policies p WHERE p.org_id = o.id AND p.valid_from <= ${day} AND p.valid_to >= ${day}))::int AS insured,
          COUNT(*)::int AS operators
        FROM organisations o
        WHERE o.region_code LIKE ${c.like} AND ${licensedOn(sql`o.id`, day)}`);
      return rate(r.insured, r.operators, { insuredOperators: r.insured, licensedOperators: r.operators, asOf: c.period.asOf });
    },
  },
  '44': {
    formula: '1 (建立) if at least one manifest of a generator in the region was submitted through the platform in the year, else 0; met if = 1',
    comparison: '=',
    target: 1,
    async compute(c) {
      const r = await one<{ n: number }>(c.db, sql`
        SELECT COUNT(*)::int AS n FROM manifests m
        WHERE m.region_code LIKE ${c.like} AND m.submitted_at >= ${c.period.from} AND m.submitted_at < ${c.period.to}`);
      return { value: r.n > 0 ? 1 : 0, inputs: { manifestsSubmitted: r.n } };
    },
  },
  '45': {
    formula: 'passed spot-check inspections dated in the year of 经营单位 (a 危险废物经营许可证 — comprehensive or collection — not revoked, valid on the inspection day; collection approvals do not count) ÷ all such inspections × 100; met if ≥ 100',
    comparison: '>=',
    target: 100,
    async compute(c) {
      const r = await one<{ passed: number; total: number }>(c.db, sql`
        SELECT COUNT(*) FILTER (WHERE i.passed)::int AS passed, COUNT(*)::int AS total
        FROM inspections i JOIN organisations o ON o.id = i.org_id
        WHERE o.region_code LIKE ${c.like} AND i.date >= ${c.period.firstDay}::date AND i.date <= ${c.period.lastDay}::date
          AND ${licensedOn(sql`o.id`, sql`i.date`)}`);
      return rate(r.passed, r.total, { passedInspections: r.passed, inspections: r.total });
    },
  },
  text: {
    formula: 'passed spot-check inspections dated in the year of generators (organisations with the generator role) ÷ all such inspections × 100; met if ≥ 95',
    comparison: '>=',
    target: 95,
    async compute(c) {
      const r = await one<{ passed: number; total: number }>(c.db, sql`
        SELECT COUNT(*) FILTER (WHERE i.passed)::int AS passed, COUNT(*)::int AS total
        FROM inspections i JOIN organisations o ON o.id = i.org_id
        WHERE o.region_code LIKE ${c.like} AND i.date >= ${c.period.firstDay}::date AND i.date <= ${c.period.lastDay}::date
          AND 'generator' = ANY(o.roles)`);
      return rate(r.passed, r.total, { passedInspections: r.passed, inspections: r.total });
    },
  },
};

const SEED = readSeed();
for (const s of SEED) if (!FORMULAS[s.row]) throw new Error(`seed-indicators.tsv row ${s.row} has no formula`);
for (const row of Object.keys(FORMULAS)) if (!SEED.some((s) => s.row === row)) throw new Error(`formula for row ${row} has no row in seed-indicators.tsv`);

export function isMet(comparison: Comparison, value: number, target: number): boolean {
  switch (comparison) {
    case '<=': return value <= target;
    case '>=': return value >= target;
    default: return value === target;
  }
}

export interface IndicatorItem {
  row: string;
  name: string;
  requirement: string;
  unit: string;
  value: number | null;
  baseline: number | null;
  target: number;
  targetText: string;
  met: boolean | null;
  formula: string;
  inputs?: Record<string, number | string | null>;
  missing?: string[];
}

export async function computeIndicators(db: DbOrTx, caller: Caller, q: { year?: number; regionCode?: string }, now = new Date()) {
  const scope = regionScope(caller, q.regionCode);
  const year = q.year ?? Number(shanghaiDate(now).slice(0, 4));
  const c: Ctx = { db, period: periodOf(year, now), like: `${scope.prefix}%`, inputs: await inputsFor(db, year, scope.regionCode) };
  const items: IndicatorItem[] = [];
  for (const s of SEED) {
    const f = FORMULAS[s.row];
    const computed = await f.compute(c);
    // A regulator's input can be so small that a ratio overflows: no value rather than Infinity.
    const o: Outcome = computed.value !== null && !Number.isFinite(computed.value)
      ? { value: null, inputs: computed.inputs, missing: ['an input too small for a finite value'] }
      : computed;
    items.push({
      row: s.row,
      name: s.name,
      requirement: s.requirement,
      unit: s.unit,
      value: o.value,
      baseline: s.baseline,
      target: f.target,
      targetText: s.targetText,
      met: o.value === null ? null : isMet(f.comparison, o.value, f.target),
      formula: f.formula,
      inputs: o.inputs,
      ...(o.missing ? { missing: o.missing } : {}),
    });
  }
  return { year, regionCode: scope.regionCode, from: c.period.firstDay, to: c.period.lastDay, items };
}
