// Deterministic JSON (sorted keys) so a hash computed at write time can be recomputed from the
// row read back later, whatever order jsonb returns the keys in.
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A value as it will look after a round trip through jsonb (Dates become strings, undefined goes). */
export function jsonSafe<T>(value: T): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
