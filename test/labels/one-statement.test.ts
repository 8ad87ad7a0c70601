// The one-statement path of a custody step (docs/architecture.md#one-statement-steps): one read,
// one write, no transaction; races and retries settle as on the locked path.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { act, createSite, issueLabel, type Site } from '../support/world.js';
import { canonicalJson } from '../../src/audit/canonical-json.js';

let t: TestApp;
let admin: Client;
let site: Site;

beforeAll(async () => {
  // No background jobs: their polls (webhook wake-ups every 500 ms) use the same pool and would be counted.
  t = await buildTestApp({ JOBS_ENABLED: 'false' });
  admin = await loginAdmin(t.app);
  site = await createSite(t.app, admin, { roles: ['generator'] });
});
afterAll(() => t.close());

const storeBody = () => ({ action: 'store', facilityId: site.storageId });
const traceOf = async (id: string) => (await site.client.get(`/api/v1/labels/${id}/trace`)).json();

describe('a store step', () => {
  it('is two statements on the pool (read, write) and no transaction', async () => {
    const l = await issueLabel(site.client);
    const query = vi.spyOn(t.database.pool, 'query');
    const connect = vi.spyOn(t.database.pool, 'connect');
    try {
      const res = await act(site.client, l.id, storeBody(), { 'idempotency-key': `one-${l.id}` });
      expect(res.statusCode, res.body).toBe(200);
      const texts = query.mock.calls.map(([q]) => (typeof q === 'string' ? q : (q as { text: string }).text));
      expect(texts).toHaveLength(2);
      expect(texts[1]).toContain('custody_apply(');
      expect(texts.some((q) => /^\s*BEGIN/i.test(q))).toBe(false);
      expect(connect.mock.calls.length).toBe(2); // pool.query checks out once per statement
    } finally {
      query.mockRestore();
      connect.mockRestore();
    }
  });

  it('ten handsets at once, no key: one wins, nine are refused, one step, one ledger record', async () => {
    const l = await issueLabel(site.client);
    const results = await Promise.all(Array.from({ length: 10 }, () => act(site.client, l.id, storeBody())));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, ...Array(9).fill(409)]);
    expect((await traceOf(l.id)).steps.map((s: { action: string }) => s.action)).toEqual(['issue', 'store']);
    const ledger = (await site.client.get(`/api/v1/orgs/${site.org.id}/ledger?format=json`)).json().items
      .filter((r: { labelId: string; kind: string }) => r.labelId === l.id && r.kind === 'HWRK');
    expect(ledger).toHaveLength(1);
  });

  it('ten retries at once with one Idempotency-Key: one step, ten identical answers, nine replays', async () => {
    const l = await issueLabel(site.client);
    const headers = { 'idempotency-key': `same-${l.id}` };
    const results = await Promise.all(Array.from({ length: 10 }, () => act(site.client, l.id, storeBody(), headers)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(9);
    expect((await traceOf(l.id)).steps.filter((s: { action: string }) => s.action === 'store')).toHaveLength(1);
  });

  it('the same key with another request is refused, and changes nothing', async () => {
    const [a, b] = [await issueLabel(site.client), await issueLabel(site.client)];
    const headers = { 'idempotency-key': `reuse-${a.id}` };
    expect((await act(site.client, a.id, storeBody(), headers)).statusCode).toBe(200);
    const other = await act(site.client, b.id, storeBody(), headers);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_MISMATCH');
    expect((await traceOf(b.id)).label.state).toBe('issued');
  });

  it('a refused step is audited as refused, and the chain stays valid', async () => {
    const l = await issueLabel(site.client);
    expect((await act(site.client, l.id, storeBody())).statusCode).toBe(200);
    expect((await act(site.client, l.id, storeBody())).statusCode).toBe(409);
    const audit = (await site.client.get(`/api/v1/audit?entityType=label&entityId=${l.id}`)).json().items;
    expect(audit.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`)).toEqual(['issue:applied', 'store:applied', 'store:refused']);
    const verify = await admin.get('/api/v1/audit/verify');
    expect(verify.json().ok, verify.body).toBe(true);
  });
});

describe('the audit hash input written by the database', () => {
  it('is byte for byte the JCS text the verifier recomputes, for any strings', async () => {
    // PostgreSQL text holds neither NUL nor lone surrogates; jsonb refuses them too.
    const text = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/\u0000/g, ''));
    const ctrl = fc.string({ unit: fc.integer({ min: 1, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 8 });
    const anyText = fc.oneof(text, ctrl, fc.constantFrom('"', '\\', '\u2028', '\u007f', '€😀', ''));
    const samples = fc.sample(fc.record({
      chain: anyText, chainSeq: fc.integer({ min: 1, max: 2 ** 53 - 1 }), prevHash: anyText,
      recordedAt: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
      orgId: fc.option(fc.uuid()), clientId: fc.option(anyText), requestId: fc.option(anyText),
      entityType: anyText, entityId: anyText, action: anyText, outcome: anyText,
      before: fc.option(fc.jsonValue()), after: fc.option(fc.jsonValue()),
    }), 300);
    for (const f of samples) {
      const before = f.before === null ? null : canonicalJson(JSON.parse(JSON.stringify(f.before)));
      const after = f.after === null ? null : canonicalJson(JSON.parse(JSON.stringify(f.after)));
      const { rows: [row] } = await t.database.pool.query(
        'SELECT audit_hash_input($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) AS input',
        [f.chain, f.chainSeq, f.prevHash, f.recordedAt, f.orgId, f.clientId, f.requestId, f.entityType, f.entityId, f.action, f.outcome, before, after]);
      const expected = canonicalJson({ ...f, before: before === null ? null : JSON.parse(before), after: after === null ? null : JSON.parse(after) });
      expect(row.input).toBe(expected);
    }
  });
});
