// National Hazardous Waste List (国家危险废物名录) catalog, loaded once at module load.
// Pure lookup functions over static TSV data shipped alongside this module, one set per edition
// (data/catalogue-editions.tsv).
import { readFileSync } from 'node:fs';

export type Hazard = 'T' | 'C' | 'I' | 'R' | 'In';
export const HAZARDS: readonly Hazard[] = ['T', 'C', 'I', 'R', 'In'];

export interface WasteCode {
  code: string;
  category: string;
  categoryName: string;
  industry: string;
  description: string;
  hazards: Hazard[];
  /** The 名录 edition the row comes from. */
  edition: string;
}

export interface WasteCategory {
  category: string;
  name: string;
  codeCount: number;
}

/** Regex source (no delimiters) so it can be used directly as a JSON-schema `pattern`. */
export const WASTE_CODE_PATTERN = '^\\d{3}-\\d{3}-\\d{2}$';
const WASTE_CODE_RE = new RegExp(WASTE_CODE_PATTERN);
const CATEGORY_RE = /^HW\d{2}$/;

export function isWellFormedWasteCode(code: string): boolean {
  return typeof code === 'string' && WASTE_CODE_RE.test(code);
}

/** Parses a TSV of catalog/data/ with a header row into records keyed by header names. */
export function readTsv(file: string): Record<string, string>[] {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split('\t').map((h) => h.trim());
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

function parseHazards(s: string, code: string): Hazard[] {
  const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
  for (const p of parts) {
    if (!(HAZARDS as readonly string[]).includes(p)) throw new Error(`hw-catalog: bad hazard '${p}' for ${code}`);
  }
  // Normalise to HAZARDS order so output is stable regardless of data ordering.
  return HAZARDS.filter((h) => parts.includes(h));
}

// new URL paths are relative to this module file (works from src/ via tsx/vitest).

/** One edition of the 名录: its rows and the day it applies from (docs/regulations.md#catalogue-editions). */
export interface CatalogueEdition {
  edition: string;
  name: string;
  effectiveFrom: string;
  source: string;
  codeCount: number;
}

interface EditionData extends CatalogueEdition {
  codes: WasteCode[];
  byCode: Map<string, WasteCode>;
  categories: WasteCategory[];
  byCategory: Map<string, WasteCategory>;
}

function loadEdition(r: Record<string, string>): EditionData {
  const categoryNames = new Map<string, string>(readTsv(`./data/${r.categories_file}`).map((c) => [c.category, c.name]));
  const codes: WasteCode[] = readTsv(`./data/${r.codes_file}`).map((c) => {
    const categoryName = categoryNames.get(c.category);
    if (categoryName === undefined) throw new Error(`hw-catalog ${r.edition}: unknown category ${c.category} for ${c.code}`);
    return {
      code: c.code,
      category: c.category,
      categoryName,
      industry: c.industry,
      description: c.description,
      hazards: parseHazards(c.hazard, c.code),
      edition: r.edition,
    };
  });
  const categories: WasteCategory[] = [...categoryNames].map(([category, name]) => ({
    category,
    name,
    codeCount: codes.filter((c) => c.category === category).length,
  }));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(r.effective_from)) throw new Error(`catalogue-editions: bad effective_from for ${r.edition}`);
  return {
    edition: r.edition, name: r.name, effectiveFrom: r.effective_from, source: r.source, codeCount: codes.length,
    codes, byCode: new Map(codes.map((c) => [c.code, c])), categories, byCategory: new Map(categories.map((c) => [c.category, c])),
  };
}

// Oldest first. Adding an edition is its data file(s) and one row of catalogue-editions.tsv.
const editions: EditionData[] = readTsv('./data/catalogue-editions.tsv').map(loadEdition)
  .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
const byEdition = new Map(editions.map((e) => [e.edition, e]));

/** The editions loaded, oldest first. */
export function listEditions(): CatalogueEdition[] {
  return editions.map(({ edition, name, effectiveFrom, source, codeCount }) => ({ edition, name, effectiveFrom, source, codeCount }));
}

export function isEdition(edition: string): boolean {
  return byEdition.has(edition);
}

/**
 * The loaded edition that applies on `date` (YYYY-MM-DD): the latest one in force by then. Before
 * the oldest loaded edition, the oldest (the code has no earlier data to classify against).
 */
export function editionOn(date: string): string {
  return editionIn(editions, date);
}

/** editionOn over any list of editions, oldest first (pure, so that a later edition can be tried without its data). */
export function editionIn(list: ReadonlyArray<Pick<CatalogueEdition, 'edition' | 'effectiveFrom'>>, date: string): string {
  let found = list[0];
  for (const e of list) if (e.effectiveFrom <= date) found = e;
  return found.edition;
}

/** The edition in force today (Asia/Shanghai, UTC+8 without DST; catalog/ does not lean on calendar/ for it). */
export function currentEdition(now = new Date()): string {
  return editionOn(new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10));
}

function dataOf(edition?: string): EditionData {
  const e = byEdition.get(edition ?? currentEdition());
  if (!e) throw new RangeError(`unknown catalogue edition: ${edition}`);
  return e;
}

/** Category a code belongs to: the last two digits of the code name the HW category. */
export function categoryOf(code: string): string {
  return `HW${code.slice(-2)}`;
}

export function isCategory(s: string, edition?: string): boolean {
  return typeof s === 'string' && CATEGORY_RE.test(s) && dataOf(edition).byCategory.has(s);
}

export function findCategory(cat: string, edition?: string): WasteCategory | undefined {
  const c = dataOf(edition).byCategory.get(cat);
  return c && { ...c };
}

export function listCategories(edition?: string): WasteCategory[] {
  return dataOf(edition).categories.map((c) => ({ ...c }));
}

function copy(c: WasteCode): WasteCode {
  return { ...c, hazards: [...c.hazards] };
}

/**
 * 900-000-XX is the code of waste found hazardous by a 危险废物鉴别 that no listed code fits: both
 * editions tie it to that identification, so a label with it names the report.
 */
export function requiresIdentificationReport(code: string): boolean {
  return typeof code === 'string' && code.startsWith(IDENTIFIED_PREFIX);
}
const IDENTIFIED_PREFIX = '900-000-';

/**
 * Looks up a listed code in an edition (the one in force today unless named). Also accepts the pseudo-code `900-000-XX`, used for waste
 * identified as hazardous by appraisal (危险废物鉴别) that has no listed code of its own;
 * XX must be an existing category. Its hazards are the union over the category's codes.
 */
export function findWasteCode(code: string, edition?: string): WasteCode | undefined {
  if (!isWellFormedWasteCode(code)) return undefined;
  const { byCode, byCategory, codes, edition: from } = dataOf(edition);
  const listed = byCode.get(code);
  if (listed) return copy(listed);
  if (!requiresIdentificationReport(code)) return undefined;
  const category = byCategory.get(categoryOf(code));
  if (!category) return undefined;
  const present = new Set(codes.filter((c) => c.category === category.category).flatMap((c) => c.hazards));
  const hazards = HAZARDS.filter((h) => present.has(h));
  return {
    code,
    category: category.category,
    categoryName: category.name,
    industry: '非特定行业',
    description: `经鉴别具有危险特性的废物（${category.name}）`,
    hazards: hazards.length > 0 ? hazards : ['T'],
    edition: from,
  };
}

/** Listed codes only; `q` matches a code substring or a description substring. */
export function listWasteCodes(filter: { category?: string; q?: string; edition?: string } = {}): WasteCode[] {
  const q = filter.q?.trim();
  return dataOf(filter.edition).codes
    .filter((c) => filter.category === undefined || c.category === filter.category)
    .filter((c) => !q || c.code.includes(q) || c.description.includes(q))
    .map(copy);
}

/** `covered` holds exact codes and/or whole categories (`HWxx`). */
export function coversWasteCode(covered: readonly string[], code: string): boolean {
  return covered.includes(code) || covered.includes(categoryOf(code));
}
