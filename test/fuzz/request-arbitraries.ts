// fast-check arbitraries for HTTP requests to every operation of the committed OpenAPI document.
// A request mixes values that follow the operation's schema closely enough to get past validation
// and reach the handler and the database (with one part broken), and plain junk: wrong types,
// empty and huge strings, NUL bytes, unicode, deep nesting, huge arrays, extreme numbers and dates,
// bad cursors, wrong content types, broken JSON and odd headers.
import fs from 'node:fs';
import fc from 'fast-check';

export const OPENAPI_FILE = new URL('../../openapi/openapi.json', import.meta.url);

// ---------------------------------------------------------------------------------------------
// The operations of the document
// ---------------------------------------------------------------------------------------------

/** The subset of JSON Schema the document uses (TypeBox output). */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
}

export interface Param { name: string; required: boolean; schema: Schema }

export interface Operation {
  /** "POST /api/v1/labels": the key findings are grouped by. */
  id: string;
  method: string;
  path: string;
  pathParams: Param[];
  query: Param[];
  headers: Param[];
  /** The application/json body schema, when the operation takes a body. */
  body?: Schema;
  /** No bearer token needed (the operation's `security` is empty). */
  isPublic: boolean;
}

interface RawParam { name: string; in: string; required?: boolean; schema?: Schema }
interface RawOperation {
  parameters?: RawParam[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}
interface RawDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the committed document (not the live app's: the document is the contract). */
export function loadOperations(file: URL = OPENAPI_FILE): Operation[] {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as RawDocument;
  const resolve = (s: Schema | undefined): Schema => {
    if (!s?.$ref) return s ?? {};
    const name = s.$ref.replace('#/components/schemas/', '');
    return resolve(doc.components?.schemas?.[name]);
  };
  const ops: Operation[] = [];
  for (const [path, byMethod] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(byMethod)) {
      if (!HTTP_METHODS.has(method)) continue;
      const params = (op.parameters ?? []).map((p) => ({ in: p.in, name: p.name, required: p.required ?? false, schema: resolve(p.schema) }));
      const only = (where: string): Param[] => params.filter((p) => p.in === where).map(({ name, required, schema }) => ({ name, required, schema }));
      const json = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        id: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParams: only('path'),
        query: only('query'),
        headers: only('header'),
        body: json ? resolve(json) : undefined,
        isPublic: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------
// What the generated requests use: real callers and real rows
// ---------------------------------------------------------------------------------------------

export interface FuzzTargets {
  /**
   * Bearer tokens of real callers by who they are: the bootstrap registrar (a regulator) and a
   * generator above all, and others (a carrier, a receiver) for the steps those two cannot take.
   */
  tokens: { registrar: string; generator: string } & Record<string, string>;
  /**
   * Real values by parameter or property name (id, labelId, token, clientId, wasteCode…): a
   * request that names an existing row gets past the 404 and into the rules behind it. A path
   * parameter looks first under "<segment before it>.<name>" ("labels.id", "orgs.id").
   */
  known: Record<string, string[]>;
  /** Real uuids of any kind, for uuid-format values whose name has no entry in `known`. */
  ids: string[];
}

export interface FuzzRequest {
  operation: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

// ---------------------------------------------------------------------------------------------
// Junk
// ---------------------------------------------------------------------------------------------

const HUGE = 'x'.repeat(10_000);
const LONG_UNICODE = '危险废物☣️'.repeat(2_000);

/** Dates at and beyond the edges of the API's range, JavaScript's and PostgreSQL's, and non-dates. */
export const ODD_DATES = [
  '0001-01-01', '9999-12-31', '2026-02-30', '2025-02-29', '2024-02-29', '2026-13-01', '2026-00-10', '2026-04-31',
  '1999-12-31', '2000-01-01', '2100-12-31', '2101-01-01', '26-01-01', '2026-1-1', '20260101',
  '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-02-30T00:00:00Z', '2026-06-01T24:00:00Z',
  '2026-06-01T12:00:00', '2026-06-01T12:00:00+25:00', '2026-06-01t12:00:00z', '2026-06-01 12:00:00Z',
  '+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '1970-01-01T00:00:00.000Z',
  '2026-06-01T12:00:00.123456789123Z', '2100-12-31T23:59:59-12:00', '2000-01-01T00:00:00+14:00',
];

const JUNK_STRINGS = [
  '', ' ', '\t', '\u0000', 'a\u0000b', HUGE, LONG_UNICODE, '🧪☣️👩‍🔬', '\u202Eevil\u202C', 'שלום עולם', 'مرحبا',
  '\u200B', 'e\u0301', '\uD800', '\uDFFF', '\uFFFF', '\uFEFF', 'null', 'undefined', 'true', 'NaN', 'Infinity',
  '-Infinity', '1e308', '-1e308', '-0', '0x1F', '1_000', '01', ' 1', '1 ', "' OR '1'='1", '"; DROP TABLE labels; --',
  '<script>alert(1)</script>', '../../../etc/passwd', '%00', '%', '${jndi:ldap://x}', '{{7*7}}', '\r\nX-Injected: 1',
  '__proto__', 'constructor', 'hasOwnProperty', '00000000-0000-0000-0000-000000000000',
  '------------------------------------', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'HW99', '999-999-99', '000000',
  ...ODD_DATES,
];

/**
 * JSON text written into a body as it is: JSON.stringify cannot say -0, 1e400 or 1.0, and nesting
 * thousands deep would overflow its stack (and fast-check's) as a value. A value holds a
 * placeholder string; toJsonText swaps it for the text.
 */
const RAW_TEXTS = [
  '-0', '1e400', '-1e400', '1e-400', '1.0', '1E2', '100000000000000000000000000000', '-9223372036854775809',
  '0.30000000000000004', `${'['.repeat(5_000)}1${']'.repeat(5_000)}`, `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
];
const raw = (index: number) => `\u0001raw:${index}\u0001`;

const JUNK_NUMBERS = [
  0, -1, 1, 0.5, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -(2 ** 31) - 1,
  2 ** 63, 1e21, 99999999.999, -0.000001,
];

function nested(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

const JUNK_STRUCTURES: unknown[] = [
  null, true, false, {}, [], [null], [[]], { '': '' }, nested(64, 'array'), nested(64, 'object'),
  Array(10_000).fill(1), Array(10_000).fill('900-214-08'),
  Array(10_000).fill({}), { toString: 'x', valueOf: 1, hasOwnProperty: 'x', then: 'x' },
  Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i])),
];

/** Any JSON value a careless or hostile client might put where a field belongs. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...JUNK_STRINGS), weight: 5 },
  { arbitrary: fc.constantFrom(...JUNK_NUMBERS), weight: 2 },
  { arbitrary: fc.constantFrom(...RAW_TEXTS.map((_, i) => raw(i))), weight: 1 },
  { arbitrary: fc.constantFrom(...JUNK_STRUCTURES), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
  { arbitrary: fc.integer(), weight: 1 },
);

/** What a number parser trips on, as text: infinities, NaN, exponents, hex, signs, blanks. */
const NUMERIC_EDGES = fc.oneof(
  // Number('Infinity') is a number: a parser that coerces text to numbers lets these through.
  fc.constantFrom('Infinity', '-Infinity', '+Infinity', 'NaN'),
  fc.constantFrom('-0', '0', '-1', '1e308', '-1e308', '1e21', '1e-7', '0x10', '0b1', '1.5', ' 1', '1 ', '', '9007199254740993',
    '2147483648', '-2147483649', '1,2', '１'),
);

/** Junk as it appears in a URL (query value or path segment), before encoding. */
const junkText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...JUNK_STRINGS), weight: 4 },
  { arbitrary: fc.constantFrom(...JUNK_NUMBERS.map(String)), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }), weight: 2 },
);

/** Percent-encodings a URL parser must refuse or decode carefully: truncated, overlong UTF-8, lone surrogates, NUL. */
const BAD_ENCODINGS = ['%', '%z', '%zz', '%C0%AF', '%ED%A0%80', '%FF', '%00', '%E2%82', '%25', '%2F', '%2e%2e', '..', '.', 'a%20b'];

// ---------------------------------------------------------------------------------------------
// Values that follow a schema
// ---------------------------------------------------------------------------------------------

const dayMs = 86_400_000;
// Two years either side of today: where real dates (steps, plans, licences) fall.
const NEAR_NOW = { min: new Date(Date.now() - 730 * dayMs), max: new Date(Date.now() + 730 * dayMs), noInvalidDate: true };
const IN_RANGE = { min: new Date('2000-01-01T00:00:00Z'), max: new Date(Date.parse('2101-01-01T00:00:00Z') - dayMs), noInvalidDate: true };
const anyDate = fc.oneof({ arbitrary: fc.date(NEAR_NOW), weight: 3 }, { arbitrary: fc.date(IN_RANGE), weight: 1 });
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

function stringFor(s: Schema, t: FuzzTargets): fc.Arbitrary<string> {
  if (s.format === 'uuid') return t.ids.length ? fc.oneof(fc.constantFrom(...t.ids), fc.uuid()) : fc.uuid();
  if (s.format === 'date') return anyDate.map((d) => d.toISOString().slice(0, 10));
  if (s.format === 'date-time') return anyDate.map((d) => d.toISOString());
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 40, 40));
  if (s.pattern) {
    const re = new RegExp(s.pattern);
    return fc.stringMatching(re).filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity));
  }
  return fc.oneof(
    fc.string({ minLength: min, maxLength: max }),
    fc.string({ minLength: min, maxLength: max, unit: 'grapheme' }),
  );
}

function numberFor(s: Schema, integer: boolean): fc.Arbitrary<number> {
  if (integer) {
    const min = Math.max(INT32.min, Math.ceil(s.minimum ?? s.exclusiveMinimum ?? -1000));
    const max = Math.min(INT32.max, Math.floor(s.maximum ?? s.exclusiveMaximum ?? 100_000));
    return fc.integer({ min: Math.min(min, max), max }).filter((n) => n !== s.exclusiveMinimum && n !== s.exclusiveMaximum);
  }
  const min = s.minimum ?? s.exclusiveMinimum ?? -1e6;
  const max = s.maximum ?? s.exclusiveMaximum ?? 1e7;
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
    .filter((n) => n !== s.exclusiveMinimum && n !== s.exclusiveMaximum);
}

/** A value valid for `s` (as far as a generator can tell), or a real one known for `name`. */
export function validValue(s: Schema, name: string, t: FuzzTargets): fc.Arbitrary<unknown> {
  const base = bySchema(s, t);
  const known = t.known[name];
  return known?.length ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 2 }, { arbitrary: base, weight: 1 }) : base;
}

function bySchema(s: Schema, t: FuzzTargets): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => bySchema(a, t)));
  if (s.allOf?.length) return bySchema(Object.assign({}, ...s.allOf) as Schema, t);
  switch (s.type) {
    case 'string': return stringFor(s, t);
    case 'integer': return numberFor(s, true);
    case 'number': return numberFor(s, false);
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      const item = bySchema(s.items ?? {}, t);
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 4, 4));
      return s.uniqueItems
        ? fc.uniqueArray(item, { minLength: 0, maxLength, selector: (v) => JSON.stringify(v) }).filter((a) => a.length >= minLength)
        : fc.array(item, { minLength, maxLength });
    }
    case 'object': {
      if (!s.properties) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      const model = Object.fromEntries(Object.entries(s.properties).map(([k, p]) => [k, validValue(p, k, t)]));
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in model) });
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---------------------------------------------------------------------------------------------
// Breaking one part of a valid value
// ---------------------------------------------------------------------------------------------

type Path = Array<string | number>;

function pathsOf(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

const clone = (v: unknown): unknown => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

type Mutation = 'replace' | 'delete' | 'extra';

/** `value` with the part at one of its paths replaced by junk, removed, or given an unknown sibling. */
function mutate(value: unknown, pick: number, mutation: Mutation, junk: unknown): unknown {
  const paths = pathsOf(value);
  const path = paths[pick % paths.length];
  if (path.length === 0) {
    if (mutation === 'replace') return junk;
    if (mutation === 'extra' && value && typeof value === 'object' && !Array.isArray(value)) return { ...(value as object), isAdmin: true, role: 'registrar' };
    return value;
  }
  const copy = clone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (mutation === 'replace') parent[last] = junk;
  else if (mutation === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (!Array.isArray(parent)) parent[`${String(last)}_extra`] = junk;
  else parent.push(junk);
  return copy;
}

function nearlyValid(s: Schema, t: FuzzTargets): fc.Arbitrary<unknown> {
  return fc.tuple(validValue(s, '', t), fc.nat(), fc.constantFrom<Mutation>('replace', 'replace', 'replace', 'delete', 'extra'), junkValue)
    .map(([v, pick, mutation, junk]) => mutate(v, pick, mutation, junk));
}

// ---------------------------------------------------------------------------------------------
// Bodies: JSON text (sometimes broken) with a content type (sometimes wrong)
// ---------------------------------------------------------------------------------------------

/** JSON.stringify, then the raw texts written in place of their placeholders. */
export function toJsonText(v: unknown): string {
  const text = JSON.stringify(v) ?? 'null';
  return text.replace(/"\\u0001raw:(\d+)\\u0001"/g, (_, i: string) => RAW_TEXTS[Number(i)]);
}

const BROKEN_JSON = [
  '', ' ', '{', '[', '{"a":', '{"a":1,}', '{"a":1}}', "{'a':1}", 'nul', 'NaN', '"unterminated', '{"a":"\\x"}',
  '\uFEFF{}', '{"a":"\\ud800"}', '{"action":"store","action":"void"}', '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}', '[1,2,', '{"a":1e999999}', '{"a" 1}', '\u0000', '{}\u0000',
  '<?xml version="1.0"?><a/>', 'a=1&b=2', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
  `{"a":"${'x'.repeat(1_100_000)}"}`,
];

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8'];
const ODD_TYPES = [
  'text/plain', 'application/xml', 'text/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded',
  'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=utf-16',
  'application/merge-patch+json', 'application/problem+json', 'application/json, text/plain', 'json', ';;;', '',
  'application/vnd.api+json', 'text/html; charset=utf-8', `application/json; ${'x'.repeat(4_000)}`,
];

interface Body { payload?: string | Buffer; contentType?: string }

const asJson = (value: unknown): fc.Arbitrary<Body> =>
  fc.constantFrom(...JSON_TYPES).map((contentType) => ({ payload: toJsonText(value), contentType }));

function bodyArbitrary(op: Operation, t: FuzzTargets, wild: boolean): fc.Arbitrary<Body> {
  if (!wild) return op.body ? validValue(op.body, '', t).map((v) => ({ payload: toJsonText(v), contentType: 'application/json' })) : fc.constant({});
  const junkBody = junkValue.chain(asJson);
  const broken = fc.tuple(fc.constantFrom(...BROKEN_JSON), fc.constantFrom(...JSON_TYPES, ...ODD_TYPES))
    .map(([payload, contentType]) => ({ payload, contentType: contentType || undefined }));
  // Valid JSON under a content type the route does not take (or none at all).
  const wrongType = fc.tuple(op.body ? validValue(op.body, '', t) : junkValue, fc.constantFrom(...ODD_TYPES))
    .map(([v, contentType]) => ({ payload: toJsonText(v), contentType: contentType || undefined }));
  // Bytes that are not UTF-8, declared as JSON.
  const notUtf8 = fc.constant<Body>({ payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]), contentType: 'application/json' });
  if (!op.body) {
    return fc.oneof(
      { arbitrary: fc.constant<Body>({}), weight: 12 },
      { arbitrary: junkBody, weight: 2 },
      { arbitrary: broken, weight: 1 },
    );
  }
  return fc.oneof(
    { arbitrary: nearlyValid(op.body, t).chain(asJson), weight: 36 },
    { arbitrary: validValue(op.body, '', t).chain(asJson), weight: 12 },
    { arbitrary: junkBody, weight: 12 },
    { arbitrary: broken, weight: 8 },
    { arbitrary: wrongType, weight: 8 },
    { arbitrary: notUtf8, weight: 1 },
    { arbitrary: fc.constant<Body>({}), weight: 2 },
  );
}

// ---------------------------------------------------------------------------------------------
// URLs: path parameters and query strings
// ---------------------------------------------------------------------------------------------

const b64 = (s: string) => Buffer.from(s).toString('base64url');

/** encodeURIComponent, with lone surrogates sent as U+FFFD (as a UTF-8 client would) instead of throwing. */
const encode = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

/** Opaque keyset cursors (base64url of "time|id"): well-formed with odd parts, and plain junk. */
const cursorText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(
    fc.constantFrom(...ODD_DATES, '2026-06-01T00:00:00.000Z', 'not a date', ''),
    fc.constantFrom('00000000-0000-4000-8000-000000000000', '------------------------------------', 'ffffffffffffffffffffffffffffffffffff', 'x', ''),
    fc.constantFrom('|', '||', ''),
  ).map(([at, id, sep]) => b64(`${at}${sep}${id}`)),
  junkText,
  fc.constantFrom('bm90LWEtY3Vyc29y', '====', 'a', '!!!', b64('\u0000|\u0000'), HUGE),
);

const isNumeric = (s: Schema): boolean => s.type === 'integer' || s.type === 'number' || !!(s.anyOf ?? s.oneOf)?.some(isNumeric);

/** A value as text: real and schema-valid values, junk, numeric edges for numbers, odd cursors for cursors. */
function textValue(p: Param, t: FuzzTargets): fc.Arbitrary<string> {
  const valid = validValue(p.schema, p.name, t).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return fc.oneof(
    { arbitrary: valid, weight: 4 },
    { arbitrary: junkText, weight: 3 },
    ...(isNumeric(p.schema) ? [{ arbitrary: NUMERIC_EDGES, weight: 4 }] : []),
    ...(p.name === 'cursor' ? [{ arbitrary: cursorText, weight: 4 }] : []),
  );
}

/** One piece of the query string, already encoded; sometimes encoded badly on purpose. */
const encodedPart = (text: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof({ arbitrary: text.map(encode), weight: 12 }, { arbitrary: fc.constantFrom(...BAD_ENCODINGS), weight: 1 });

const EXTRA_QUERY = [
  'access_token=abc', 'foo=bar', 'limit=1&limit=2', '__proto__[isAdmin]=1', 'constructor=1', '=', '&&', 'a[b]=c',
  'limit[]=3', 'format=csv&format=pdf', 'cursor=', 'cursor&limit', `q=${'x'.repeat(5_000)}`, 'regionCode=%00',
];

function queryArbitrary(op: Operation, t: FuzzTargets, wild: boolean): fc.Arbitrary<string> {
  const value = (p: Param) => (wild ? encodedPart(textValue(p, t)) : validValue(p.schema, p.name, t).map((v) => encode(typeof v === 'string' ? v : JSON.stringify(v))));
  const params = op.query.map((p) =>
    fc.option(value(p).map((v) => `${encodeURIComponent(p.name)}=${v}`), { freq: 2, nil: undefined }));
  const extras = wild ? fc.oneof({ arbitrary: fc.constant<string[]>([]), weight: 8 }, { arbitrary: fc.subarray(EXTRA_QUERY, { maxLength: 2 }), weight: 1 }) : fc.constant([]);
  return fc.tuple(fc.tuple(...params), extras)
    .map(([parts, more]) => {
      const all = [...parts.filter((x): x is string => x !== undefined), ...more];
      return all.length ? `?${all.join('&')}` : '';
    });
}

function pathSegment(op: Operation, p: Param, t: FuzzTargets, wild: boolean): fc.Arbitrary<string> {
  // "/api/v1/labels/{id}" names a label: its real ids come before any others.
  const before = op.path.split(`/{${p.name}}`)[0].split('/').pop() ?? '';
  const valid = validValue(p.schema, p.name, { ...t, known: { ...t.known, [p.name]: t.known[`${before}.${p.name}`] ?? t.known[p.name] ?? [] } })
    .map((v) => encode(String(v)));
  if (!wild) return valid;
  return fc.oneof(
    { arbitrary: valid, weight: 40 },
    { arbitrary: textValue(p, t).map(encode), weight: 16 },
    { arbitrary: fc.constantFrom(...BAD_ENCODINGS, ''), weight: 4 },
    // Just over the router's maxParamLength (2000): the URL is refused before any route runs.
    { arbitrary: fc.constant('a'.repeat(2_001)), weight: 1 },
  );
}

function urlArbitrary(op: Operation, t: FuzzTargets, wildPath: boolean, wildQuery: boolean): fc.Arbitrary<string> {
  const segments = fc.tuple(...op.pathParams.map((p) => pathSegment(op, p, t, wildPath)));
  return fc.tuple(segments, queryArbitrary(op, t, wildQuery)).map(([values, query]) => {
    let path = op.path;
    op.pathParams.forEach((p, i) => { path = path.replace(`{${p.name}}`, values[i]); });
    return `${path}${query}`;
  });
}

// ---------------------------------------------------------------------------------------------
// Headers. Values stay in what an HTTP parser lets through (visible ASCII, space, tab, obs-text):
// anything else never reaches the app over a real socket, only through inject.
// ---------------------------------------------------------------------------------------------

const headerText = fc.string({ unit: fc.constantFrom(...' \t!"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~é\u00ff'), maxLength: 30 });

const otherTokens = (t: FuzzTargets) =>
  Object.entries(t.tokens).filter(([who]) => who !== 'registrar' && who !== 'generator').map(([, token]) => token);

function authorization(t: FuzzTargets): fc.Arbitrary<string | undefined> {
  const { registrar, generator } = t.tokens;
  const [head, payload] = registrar.split('.');
  return fc.oneof(
    { arbitrary: fc.constant(`Bearer ${registrar}`), weight: 8 },
    { arbitrary: fc.constant(`Bearer ${generator}`), weight: 8 },
    ...otherTokens(t).map((token) => ({ arbitrary: fc.constant(`Bearer ${token}`), weight: 2 })),
    { arbitrary: fc.constant(undefined), weight: 2 },
    {
      arbitrary: fc.constantFrom(
        'Bearer', 'Bearer ', 'bearer x', `bearer ${generator}`, `Bearer  ${registrar}`, `Bearer ${registrar}x`,
        `Bearer ${head}.${payload}.`, `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
        `Bearer ${head}.${b64('{"sub":"cl_test_admin","exp":99999999999}')}.${registrar.split('.')[2]}`,
        'Basic Y2xfdGVzdF9hZG1pbjp0ZXN0LWFkbWluLXNlY3JldC0xMjM=', `Bearer ${'a'.repeat(8_000)}`, 'Bearer a.b.c', 'Bearer ...',
        `Bearer ${registrar}, Bearer ${generator}`,
      ),
      weight: 2,
    },
    { arbitrary: headerText.map((h) => `Bearer ${h}`), weight: 1 },
  );
}

const ACCEPT = ['application/json', '*/*', 'image/png', 'application/xml', 'text/csv', 'application/pdf', 'text/html',
  'application/problem+json', 'application/json;q=0', ';;', 'image/*', 'application/json, image/png;q=0.1'];
const IF_MATCH = ['"1"', '"0"', '"2"', '*', 'W/"1"', '"abc"', '1', '""', '"-1"', '"99999999999999999999999"', '"1", "2"',
  '"1","1"', `"${'9'.repeat(4_000)}"`, ' "1" ', '"1.5"', '"0x1"'];
const IDEMPOTENCY_KEYS = ['fuzz-key-1', 'fuzz-key-2', 'with spaces', ' ', 'k'.repeat(200), 'k'.repeat(201), 'tab\there', 'é', 'a, b', '*'];
// Headers no operation declares: proxies, caches and confused clients send them anyway.
const ODD_HEADERS: Array<[string, string]> = [
  ['x-forwarded-for', '1.2.3.4, ::1, not-an-ip'], ['x-forwarded-proto', 'gopher'], ['x-http-method-override', 'DELETE'],
  ['content-encoding', 'gzip'], ['range', 'bytes=0-1'], ['origin', 'https://evil.example'], ['cookie', 'a=b; sid=\'"'],
  ['user-agent', 'u'.repeat(4_000)], ['x-request-id', '../../x'], ['prefer', 'respond-async'], ['if-none-match', '"1"'],
  ['expect', '100-continue'], ['accept-encoding', 'br;q=2, gzip;q=-1'], ['accept-language', 'zz-ZZ, *;q=abc'],
];

/** A real caller, and for the headers the operation declares, values it would send (or none). */
function plainHeaders(op: Operation, t: FuzzTargets): fc.Arbitrary<Record<string, string>> {
  const declares = (name: string) => op.headers.some((h) => h.name === name);
  return fc.record({
    authorization: fc.oneof(
      { arbitrary: fc.constantFrom(`Bearer ${t.tokens.registrar}`, `Bearer ${t.tokens.generator}`), weight: 4 },
      ...otherTokens(t).map((token) => ({ arbitrary: fc.constant(`Bearer ${token}`), weight: 1 })),
    ),
    ifMatch: declares('if-match') ? fc.constantFrom(undefined, '"1"', '"2"', '*') : fc.constant(undefined),
    // Mostly a fresh key; now and then one used before, which replays or is refused as a mismatch.
    idempotency: declares('idempotency-key') ? fc.oneof(fc.constant(undefined), fc.uuid().map((u) => `fuzz-${u}`), fc.constant('fuzz-key-1')) : fc.constant(undefined),
  }).map(({ authorization: auth, ifMatch, idempotency }) => ({
    authorization: auth,
    ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
    ...(idempotency === undefined ? {} : { 'idempotency-key': idempotency }),
  }));
}

function headersArbitrary(op: Operation, t: FuzzTargets, wild: boolean): fc.Arbitrary<Record<string, string>> {
  if (!wild) return plainHeaders(op, t);
  const declares = (name: string) => op.headers.some((h) => h.name === name);
  // A header the operation declares is there more often than not; any other one now and then.
  const sometimes = (name: string, values: fc.Arbitrary<string>, often: boolean) => fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 8 },
    { arbitrary: values.map((v) => [name, v] as [string, string]), weight: often ? 12 : 1 },
  );
  return fc.record({
    authorization: authorization(t),
    accept: sometimes('accept', fc.constantFrom(...ACCEPT), false),
    ifMatch: sometimes('if-match', fc.oneof(fc.constantFrom(...IF_MATCH), headerText), declares('if-match')),
    idempotency: sometimes('idempotency-key', fc.oneof(fc.constantFrom(...IDEMPOTENCY_KEYS), headerText), declares('idempotency-key')),
    odd: fc.subarray(ODD_HEADERS, { maxLength: 2 }).chain((picked) =>
      fc.oneof({ arbitrary: fc.constant<Array<[string, string]>>([]), weight: 6 }, { arbitrary: fc.constant(picked), weight: 1 })),
  }).map(({ authorization: auth, accept, ifMatch, idempotency, odd }) => {
    const h: Record<string, string> = {};
    if (auth !== undefined) h.authorization = auth;
    for (const pair of [accept, ifMatch, idempotency, ...odd]) if (pair) h[pair[0]] = pair[1];
    return h;
  });
}

// ---------------------------------------------------------------------------------------------
// Whole requests
// ---------------------------------------------------------------------------------------------

// Other methods on a known path: HEAD and OPTIONS reach the automatic routes, the rest the 404 handler.
const OTHER_METHODS = ['HEAD', 'OPTIONS', 'DELETE', 'PUT', 'PATCH', 'GET', 'POST', 'TRACE'];

/**
 * Which part of a request is broken: one part only (the rest valid, so the broken part is what
 * the server meets past every other check), none (valid requests move rows into new states for
 * later requests to meet), or all of them at once.
 */
type Focus = 'none' | 'path' | 'query' | 'headers' | 'body' | 'all';

/** How often each part is the broken one: never a part the operation does not have. */
function focusWeights(op: Operation): Array<[Focus, number]> {
  const weights: Array<[Focus, number]> = [
    ['none', 2],
    ['path', op.pathParams.length ? 2 : 0],
    ['query', op.query.length ? 3 : 1],
    ['headers', 2],
    ['body', op.body ? 4 : op.method === 'GET' ? 0 : 1],
    ['all', 3],
  ];
  return weights.filter(([, w]) => w > 0);
}

function requestWith(op: Operation, t: FuzzTargets, focus: Focus): fc.Arbitrary<FuzzRequest> {
  const wild = (part: Focus) => focus === part || focus === 'all';
  const method = wild('all')
    ? fc.oneof({ arbitrary: fc.constant(op.method), weight: 6 }, { arbitrary: fc.constantFrom(...OTHER_METHODS), weight: 1 })
    : fc.constant(op.method);
  const url = urlArbitrary(op, t, wild('path'), wild('query'));
  return fc.record({ method, url, headers: headersArbitrary(op, t, wild('headers')), body: bodyArbitrary(op, t, wild('body')) })
    .map(({ method: m, url, headers, body }) => {
      const h = { ...headers };
      if (body.contentType !== undefined) h['content-type'] = body.contentType;
      // GET and HEAD carry no body in practice; a body on them is left to the other methods.
      const payload = m === 'GET' || m === 'HEAD' ? undefined : body.payload;
      if (payload === undefined) delete h['content-type'];
      return { operation: op.id, method: m, url, headers: h, ...(payload === undefined ? {} : { payload }) };
    });
}

export function operationRequest(op: Operation, t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...focusWeights(op).map(([focus, weight]) => ({ arbitrary: requestWith(op, t, focus), weight })));
}

/** Requests for every operation of the document, each operation equally likely. */
export function requestArbitrary(ops: Operation[], t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(...ops.map((op) => operationRequest(op, t)));
}
