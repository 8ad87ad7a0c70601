// Deterministic JSON (sorted keys) so a hash computed at write time can be recomputed from the
// row read back later, whatever order jsonb returns the keys in.
//
// RFC 8785 (JCS) compatible: for every JSON value the output is byte for byte the JSON
// Canonicalization Scheme's (properties sorted by UTF-16 code units, numbers as ECMAScript writes
// them, strings escaped as JSON.stringify escapes them, no whitespace). Verified against the RFC's
// examples and Appendix B number table, and against `canonicalize` (the RFC authors' JavaScript
// implementation) on fast-check generated JSON, by test/audit/canonical-json.test.ts. Outside JSON
// the two differ and it does not matter here: NaN and ±Infinity come out null (JCS refuses them),
// a lone surrogate comes out escaped (JCS refuses it); audit entries hold neither (NaN and
// infinities come out null, as jsonb stores them, and jsonb refuses lone surrogates).
//
// Recomputing an audit entry's hash (src/audit/trail.ts entryHash), as an outside verifier: take
// the entry as GET /api/v1/audit returns it and drop `seq`, `hash` and `hashScheme` (1 for this
// scheme; the database computes the same bytes as it appends, docs/architecture.md#audit-hash). What is left are the hashed
// fields: chain, chainSeq (a number), prevHash, recordedAt (UTC ISO 8601 with milliseconds,
// "2026-11-28T02:00:00.123Z", as the API gives it), orgId, clientId, requestId (string or null),
// entityType, entityId, action, outcome, before and after (JSON, or null). hash = lowercase hex of
// SHA-256 over the UTF-8 bytes of the JCS text of that object; prevHash is the hash of the entry
// before it in the same chain, 64 zeros for a chain's first entry. The test file has a worked example.
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // Loops rather than map/filter/join: the audit verifier runs this over every entry's before and
  // after (bench:reads, audit verify). The output is the same for every input, holes of a sparse
  // array included (map skipped them and join wrote them as nothing).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** A value as it will look after a round trip through jsonb (Dates become strings, undefined goes). */
export function jsonSafe<T>(value: T): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
