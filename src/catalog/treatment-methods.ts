// 利用/处置方式代码: the utilisation and disposal method codes as the national solid-waste information
// system's reporting uses them, from data/treatment-methods.tsv (its sources and the reading of each
// code's kind: docs/regulations.md#treatment-methods). HJ 1259 §5.5.3.1 d) points at HJ 1033
// appendix F, which was not found; the table is the one the national picklists agree on.
import { Type } from 'typebox';
import { readTsv } from './catalog.js';

export type MethodKind = 'utilisation' | 'disposal';

export interface MethodInfo { code: string; kind: MethodKind; name: string; nameEn: string }

export const METHODS: readonly MethodInfo[] = Object.freeze(readTsv('./data/treatment-methods.tsv').map((r): MethodInfo => {
  const kind = r.kind;
  if (kind !== 'utilisation' && kind !== 'disposal') throw new Error(`treatment-methods: bad kind '${kind}' for ${r.code}`);
  return { code: r.code, kind, name: r.name_zh, nameEn: r.name_en };
}));

export const METHOD_CODES: readonly string[] = METHODS.map((m) => m.code);

/** The method table by code. */
export const METHOD_KINDS: Readonly<Record<string, MethodInfo>> = Object.freeze(Object.fromEntries(METHODS.map((m) => [m.code, m])));

export function methodKind(code: string): MethodKind | undefined {
  return Object.hasOwn(METHOD_KINDS, code) ? METHOD_KINDS[code].kind : undefined;
}

/** Y… codes are the medical-waste disposal methods: for HW01 (医疗废物) only. */
export function methodFitsCategory(code: string, category: string): boolean {
  return !code.startsWith('Y') || category === 'HW01';
}

/** A method code in a request: one of the table's (a 400 names the valid ones). */
export const MethodCode = Type.Unsafe<string>({
  type: 'string', enum: [...METHOD_CODES],
  description: '利用/处置方式代码: R… and C2, C3 utilisation; D…, C1 and Y… (medical waste only) disposal. GET /api/v1/catalog/methods lists them.',
});
