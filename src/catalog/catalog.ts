// National Hazardous Waste List (国家危险废物名录) catalog, loaded once at module load.
// Pure lookup functions over static TSV data shipped alongside this module.
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
const categoryNames = new Map<string, string>(
  readTsv('./data/hw-categories.tsv').map((r) => [r.category, r.name]),
);

const codes: WasteCode[] = readTsv('./data/hw-catalog.tsv').map((r) => {
  const categoryName = categoryNames.get(r.category);
  if (categoryName === undefined) throw new Error(`hw-catalog: unknown category ${r.category} for ${r.code}`);
  return {
    code: r.code,
    category: r.category,
    categoryName,
    industry: r.industry,
    description: r.description,
    hazards: parseHazards(r.hazard, r.code),
  };
});
const byCode = new Map(codes.map((c) => [c.code, c]));

const categories: WasteCategory[] = [...categoryNames].map(([category, name]) => ({
  category,
  name,
  codeCount: codes.filter((c) => c.category === category).length,
}));
const byCategory = new Map(categories.map((c) => [c.category, c]));

/** Category a code belongs to: the last two digits of the code name the HW category. */
export function categoryOf(code: string): string {
  return `HW${code.slice(-2)}`;
}

export function isCategory(s: string): boolean {
  return typeof s === 'string' && CATEGORY_RE.test(s) && byCategory.has(s);
}

export function findCategory(cat: string): WasteCategory | undefined {
  const c = byCategory.get(cat);
  return c && { ...c };
}

export function listCategories(): WasteCategory[] {
  return categories.map((c) => ({ ...c }));
}

function copy(c: WasteCode): WasteCode {
  return { ...c, hazards: [...c.hazards] };
}

/**
 * Looks up a listed code. Also accepts the pseudo-code `900-000-XX`, used for waste
 * identified as hazardous by appraisal (危险废物鉴别) that has no listed code of its own;
 * XX must be an existing category. Its hazards are the union over the category's codes.
 */
export function findWasteCode(code: string): WasteCode | undefined {
  if (!isWellFormedWasteCode(code)) return undefined;
  const listed = byCode.get(code);
  if (listed) return copy(listed);
  if (!code.startsWith('900-000-')) return undefined;
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
  };
}

/** Listed codes only; `q` matches a code substring or a description substring. */
export function listWasteCodes(filter: { category?: string; q?: string } = {}): WasteCode[] {
  const q = filter.q?.trim();
  return codes
    .filter((c) => filter.category === undefined || c.category === filter.category)
    .filter((c) => !q || c.code.includes(q) || c.description.includes(q))
    .map(copy);
}

/** `covered` holds exact codes and/or whole categories (`HWxx`). */
export function coversWasteCode(covered: readonly string[], code: string): boolean {
  return covered.includes(code) || covered.includes(categoryOf(code));
}
