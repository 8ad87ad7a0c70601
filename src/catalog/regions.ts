// Administrative regions (GB/T 2260 codes) in the Taiyuan jurisdiction.
import { readFileSync } from 'node:fs';

export interface Region {
  code: string;
  name: string;
  level: string;
}

const regions: Region[] = readFileSync(new URL('./data/taiyuan-regions.tsv', import.meta.url), 'utf8')
  .split(/\r?\n/)
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((line) => {
    const [code, name, level] = line.split('\t').map((s) => s.trim());
    return { code, name, level };
  });
const byCode = new Map(regions.map((r) => [r.code, r]));

export function listRegions(): Region[] {
  return regions.map((r) => ({ ...r }));
}

export function findRegion(code: string): Region | undefined {
  const r = byCode.get(code);
  return r && { ...r };
}

/** Shape check only (6 digits); use findRegion to check it is a known region. */
export function isRegionCode(s: string): boolean {
  return typeof s === 'string' && /^\d{6}$/.test(s);
}

/**
 * Prefix that every region code under `regionCode` starts with: trailing '00' pairs are
 * stripped (140000 → '14', 140100 → '1401', 140105 → '140105').
 */
export function jurisdictionPrefix(regionCode: string): string {
  if (!isRegionCode(regionCode)) throw new TypeError(`invalid region code: ${regionCode}`);
  let p = regionCode;
  while (p.length > 2 && p.endsWith('00')) p = p.slice(0, -2);
  return p;
}

export function inJurisdiction(prefix: string, regionCode: string): boolean {
  return regionCode.startsWith(prefix);
}
