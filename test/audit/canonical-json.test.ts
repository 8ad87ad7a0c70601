// canonicalJson is RFC 8785 (JSON Canonicalization Scheme, JCS) for every JSON value: the RFC's own
// examples and number table, its string escaping rules, and a property test against `canonicalize`
// (the RFC authors' reference implementation for JavaScript) on arbitrary JSON. Outside verifiers
// recompute audit hashes with any JCS implementation: the last tests do exactly that, from the API.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, jsonSafe } from '../../src/audit/canonical-json.js';
import { entryHash, GENESIS_HASH, type HashedFields } from '../../src/audit/trail.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, loginAdmin } from '../support/factories.js';

const jcs = (v: unknown) => canonicalize(v) as string;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('RFC 8785 test vectors', () => {
  it('§3.2.2: the serialisation example (numbers, escaping, literals)', () => {
    // The input exactly as the RFC writes it, parsed as any JSON parser would.
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalJson(input)).toBe(String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`);
  });

  it('§3.2.3: properties sorted by UTF-16 code units, astral keys by their surrogates', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    // The RFC's order: \r, 1, \u0080, \u00f6, \u20ac, \ud83d\ude00, \ufb33.
    expect(canonicalJson(input)).toBe('{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}');
  });

  it('Appendix B: every finite number of the table', () => {
    const table: Array<[string, string]> = [
      ['0000000000000000', '0'], ['8000000000000000', '0'], // minus zero
      ['0000000000000001', '5e-324'], ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'], ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'], ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'], ['44b52d02c7e14af6', '1e+23'], ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'], ['444b1ae4d6e2ef4f', '999999999999999900000'], ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'], ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'], ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'], ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'], ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [hex, text] of table) {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, BigInt(`0x${hex}`));
      const n = view.getFloat64(0);
      expect(canonicalJson(n), hex).toBe(text);
      expect(canonicalJson([n]), hex).toBe(`[${text}]`);
      expect(jcs(n), hex).toBe(text);
    }
  });

  it('§3.2.2.2: strings escape only ", \\ and U+0000–U+001F, with the short forms where JSON has them', () => {
    const short: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
    for (let c = 0; c < 0x20; c++) {
      const expected = short[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
      expect(canonicalJson(String.fromCharCode(c)), `U+${c.toString(16)}`).toBe(`"${expected}"`);
    }
    expect(canonicalJson('"\\')).toBe('"\\"\\\\"');
    // Everything else as it is, in UTF-8: DEL, U+2028/2029, '/', non-BMP characters.
    for (const s of ['\u007f', '\u2028', '\u2029', '/', '😂', '危险废物', '\u00e9', 'e\u0301']) {
      expect(canonicalJson(s), s).toBe(`"${s}"`);
    }
  });

  it('the RFC test data of its reference implementation: values, structures, weird keys', () => {
    // Vectors of the RFC authors' testdata (input → output).
    expect(canonicalJson(JSON.parse('{"1":{"f":{"f":"hi","F":5},"\\n":56.0},"10":{},"":"empty","a":{},"111":[{"e":"yes","E":"no"}],"A":{}}')))
      .toBe('{"":"empty","1":{"\\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}');
    expect(canonicalJson(JSON.parse('[56,{"d":true,"10":null,"1":[]}]'))).toBe('[56,{"1":[],"10":null,"d":true}]');
    expect(canonicalJson(JSON.parse('{"\\u20ac":"Euro Sign","1":"One","\\u0080":"Control\\u007f","\\ud83d\\ude02":"Smiley","\\u00f6":"Latin Small Letter O With Diaeresis","\\ufb33":"Hebrew Letter Dalet With Dagesh","</script>":"Browser Challenge"}')))
      .toBe('{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude02":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}');
  });
});

describe('ours === canonicalize (RFC 8785 reference implementation) on arbitrary JSON', () => {
  const runs = { numRuns: 2000 };
  for (const stringUnit of ['grapheme-ascii', 'binary', 'grapheme'] as const) {
    it(`JSON values with ${stringUnit} strings`, () => {
      fc.assert(fc.property(fc.jsonValue({ stringUnit, maxDepth: 4 }), (v) => canonicalJson(v) === jcs(v)), runs);
    });
  }

  it('JSON texts parsed back (all doubles, -0, deep nesting)', () => {
    fc.assert(fc.property(fc.json({ stringUnit: 'binary' }), (text) => {
      const v = JSON.parse(text);
      return canonicalJson(v) === jcs(v);
    }), runs);
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => canonicalJson(n) === jcs(n)), { numRuns: 20_000 });
  });

  it('the key order of the input does not matter, and the output parses back to the input', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 })), (obj) => {
      const reversed = Object.fromEntries(Object.entries(obj).reverse());
      const out = canonicalJson(obj);
      return out === canonicalJson(reversed) && canonicalJson(JSON.parse(out)) === out;
    }), runs);
  });

  it('writes a value as its jsonb round trip would give it back (the audit writer hashes the value as it is)', () => {
    const value = { at: new Date('2026-11-28T02:00:00.123Z'), gone: undefined, list: [1, undefined, NaN, Infinity], n: -0, s: '引号"' };
    expect(canonicalJson(value)).toBe(canonicalJson(jsonSafe(value)));
    expect(canonicalJson(value)).toBe('{"at":"2026-11-28T02:00:00.123Z","list":[1,null,null,null],"n":0,"s":"引号\\""}');
  });

  it('what an audit entry can hold (the shape jsonSafe leaves) hashes the same either way', () => {
    const entryValue = fc.record({
      chain: fc.stringMatching(/^\d{2,6}$/), chainSeq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      prevHash: fc.stringMatching(/^[0-9a-f]{64}$/), recordedAt: fc.date({ noInvalidDate: true, min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z') }).map((d) => d.toISOString()),
      orgId: fc.option(fc.uuid()), clientId: fc.option(fc.string()), requestId: fc.option(fc.string()),
      entityType: fc.string(), entityId: fc.string({ unit: 'binary' }), action: fc.string(), outcome: fc.constantFrom('applied', 'refused'),
      before: fc.jsonValue({ stringUnit: 'grapheme' }), after: fc.jsonValue({ stringUnit: 'grapheme' }),
    });
    fc.assert(fc.property(entryValue, (e) => {
      const fields = { ...e, before: jsonSafe(e.before), after: jsonSafe(e.after) } as HashedFields;
      return entryHash(fields) === sha256(jcs(fields));
    }), { numRuns: 500 });
  });

  it('outside JSON (NaN, ±Infinity, lone surrogates) the two part ways; no audit entry can hold those', () => {
    // JCS refuses them (I-JSON); ours writes what JSON.stringify writes. An entry never holds them:
    // jsonSafe turns NaN and infinities into null before hashing, and PostgreSQL's jsonb refuses a
    // lone surrogate, so such a change never commits.
    expect(canonicalJson([NaN, Infinity])).toBe('[null,null]');
    expect(() => jcs(NaN)).toThrow();
    expect(jsonSafe({ a: NaN, b: -Infinity, c: -0 })).toEqual({ a: null, b: null, c: 0 });
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
    expect(() => jcs('\ud800')).toThrow();
  });
});

describe('recomputing an entry hash as an outside verifier does', () => {
  // A worked example: the fields of one entry, their JCS text, and its SHA-256 (checked with
  // Python's json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False) as well).
  const ENTRY: HashedFields = {
    chain: '140105', chainSeq: 1, prevHash: GENESIS_HASH, recordedAt: '2026-11-28T02:00:00.123Z',
    orgId: '0d6f3a52-4c1e-4f7a-9b2d-5e8c1a7b3f90', clientId: 'cl_handset', requestId: 'req-7',
    entityType: 'label', entityId: '6b2f1c3e-1a2b-4c5d-8e9f-0123456789ab', action: 'issue', outcome: 'applied',
    before: null,
    after: { version: 1, state: 'issued', quantityKg: 12.5, wasteName: '废矿物油', hazards: ['T', 'I'], parentId: null, hasLeftGenerator: false, remarks: '第一行\n"引号" €' },
  };
  const TEXT = '{"action":"issue","after":{"hasLeftGenerator":false,"hazards":["T","I"],"parentId":null,"quantityKg":12.5,'
    + '"remarks":"第一行\\n\\"引号\\" €","state":"issued","version":1,"wasteName":"废矿物油"},"before":null,"chain":"140105",'
    + '"chainSeq":1,"clientId":"cl_handset","entityId":"6b2f1c3e-1a2b-4c5d-8e9f-0123456789ab","entityType":"label",'
    + '"orgId":"0d6f3a52-4c1e-4f7a-9b2d-5e8c1a7b3f90","outcome":"applied","prevHash":"' + '0'.repeat(64) + '",'
    + '"recordedAt":"2026-11-28T02:00:00.123Z","requestId":"req-7"}';
  const HASH = 'cf468cd9c7a084c19720ea664d91a6aa5a1312fbff5ff548a2f280d1aed4d9f7';

  it('the worked example', () => {
    expect(canonicalJson(ENTRY)).toBe(TEXT);
    expect(jcs(ENTRY)).toBe(TEXT);
    expect(sha256(TEXT)).toBe(HASH);
    expect(entryHash(ENTRY)).toBe(HASH);
    // recordedAt is hashed in the form the API gives it (UTC, milliseconds), whatever form it comes in.
    expect(entryHash({ ...ENTRY, recordedAt: '2026-11-28T10:00:00.123+08:00' })).toBe(HASH);
  });

  describe('from GET /api/v1/audit', () => {
    let t: TestApp;
    beforeAll(async () => { t = await buildTestApp(); });
    afterAll(() => t.close());

    it('every entry: SHA-256 of JCS(the entry without seq and hash) is its hash, and links to the one before', async () => {
      const admin = await loginAdmin(t.app);
      const p = await createParty(t.app, admin, { roles: ['generator'], regionCode: '140105', name: '太原"某某"\n化工 €😀' });
      await p.client.post(`/api/v1/orgs/${p.org.id}/clients`, { name: 'scanner 二号', roles: ['viewer'] });
      await p.client.post(`/api/v1/orgs/${p.org.id}/clients`, { name: 'x', roles: ['registrar'] }); // refused: audited too
      const res = await admin.get('/api/v1/audit?limit=200');
      expect(res.statusCode, res.body).toBe(200);
      const items: Array<Record<string, unknown> & { seq: number; hash: string; prevHash: string; chain: string; chainSeq: number }> = res.json().items;
      expect(items.length).toBeGreaterThan(3);
      expect(items.some((e) => e.outcome === 'refused')).toBe(true);
      const lastOfChain = new Map<string, string>();
      for (const e of items) {
        const { seq: _seq, hash, hashScheme, ...fields } = e;
        expect(hashScheme).toBe(1);
        expect(Object.keys(fields).sort()).toEqual(['action', 'after', 'before', 'chain', 'chainSeq', 'clientId', 'entityId', 'entityType',
          'orgId', 'outcome', 'prevHash', 'recordedAt', 'requestId']);
        expect(sha256(jcs(fields)), `entry ${e.seq}`).toBe(hash);
        expect(e.prevHash).toBe(lastOfChain.get(e.chain) ?? (e.chainSeq === 1 ? GENESIS_HASH : e.prevHash));
        lastOfChain.set(e.chain, hash);
      }
    });
  });
});
