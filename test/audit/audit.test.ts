import pg from 'pg';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client } from '../support/factories.js';

let t: TestApp;
let admin: Client;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  // A series of changes in two regions (two chains).
  for (const regionCode of ['140105', '140105', '140106', '140107']) {
    const p = await createParty(t.app, admin, { roles: ['generator'], regionCode });
    await p.client.post(`/api/v1/orgs/${p.org.id}/clients`, { name: 'second', roles: ['viewer'] });
  }
});
afterAll(() => t.close());

describe('audit trail', () => {
  it('records every change with who, what and the request', async () => {
    const res = await admin.get('/api/v1/audit?entityType=organisation');
    const entries = res.json().items;
    expect(entries.length).toBeGreaterThanOrEqual(4);
    const e = entries[entries.length - 1];
    expect(e).toMatchObject({ action: 'create', outcome: 'applied', clientId: admin.clientId, requestId: expect.any(String) });
    expect(e.after.uscc).toBeDefined();
  });

  it('a refused change is recorded too, after its rollback', async () => {
    // A viewer may not create clients: refused (403), nothing created, and the attempt audited.
    const viewer = await createParty(t.app, admin, { roles: ['carrier'], regionCode: '140106' }, ['viewer']);
    const res = await viewer.client.post(`/api/v1/orgs/${viewer.org.id}/clients`, { name: 'x', roles: ['admin'] });
    expect(res.statusCode).toBe(403);
    const trail = (await admin.get(`/api/v1/audit?entityId=${viewer.org.id}`)).json().items;
    const refused = trail.find((e: { outcome: string }) => e.outcome === 'refused');
    expect(refused).toMatchObject({ action: 'create_client', clientId: viewer.client.clientId, requestId: res.headers['x-request-id'] });
    expect(refused.after.code).toBe('FORBIDDEN');
    const { rows } = await t.database.pool.query('SELECT count(*)::int AS n FROM clients WHERE org_id = $1', [viewer.org.id]);
    expect(rows[0].n).toBe(1);
  });

  it('verifies, then names the entry altered behind the service\'s back', async () => {
    const ok = await admin.get('/api/v1/audit/verify');
    expect(ok.json()).toMatchObject({ ok: true });
    expect(ok.json().checked).toBeGreaterThan(8);

    const { rows } = await t.database.pool.query(`SELECT seq FROM audit_entries WHERE chain = '140105' ORDER BY chain_seq OFFSET 2 LIMIT 1`);
    const target = Number(rows[0].seq);
    // A superuser that bypasses the trigger (replica mode) rewrites history.
    const su = new pg.Client({ connectionString: t.dbUrl });
    await su.connect();
    await su.query(`SET session_replication_role = replica`);
    await su.query(`UPDATE audit_entries SET after = '{"tampered":true}'::jsonb WHERE seq = $1`, [target]);
    await su.end();

    const broken = await admin.get('/api/v1/audit/verify');
    expect(broken.json()).toMatchObject({ ok: false, firstBrokenSeq: target, brokenChain: '140105' });
    // The district regulator of 140106 checks only its own chain, which is intact.
    const district = await createRegulator(t.app, admin, '140106');
    expect((await district.client.get('/api/v1/audit/verify')).json().ok).toBe(true);
  });

  it('a plain UPDATE or DELETE through the service\'s connection is refused by the trigger', async () => {
    await expect(t.database.pool.query(`UPDATE audit_entries SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.database.pool.query(`DELETE FROM audit_entries`)).rejects.toThrow(/append-only/);
    await expect(t.database.pool.query(`TRUNCATE audit_entries`)).rejects.toThrow(/append-only/);
  });

  it('a checkpoint\'s JWS verifies with the JWKS and names every chain head', async () => {
    const cp = (await admin.get('/api/v1/audit/checkpoints/latest')).json();
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
    const kid = JSON.parse(Buffer.from(cp.jws.split('.')[0], 'base64url').toString()).kid;
    const key = await importJWK(jwks.keys.find((k: { kid: string }) => k.kid === kid), 'EdDSA');
    const { payload } = await compactVerify(cp.jws, key);
    const signed = JSON.parse(new TextDecoder().decode(payload));
    expect(signed.chains.map((c: { chain: string }) => c.chain)).toEqual(expect.arrayContaining(['140100', '140105', '140106', '140107']));
    expect(signed).toEqual(cp.payload);
  });

  it('parties see only their own trail; verify is for regulators', async () => {
    const p = await createParty(t.app, admin, { roles: ['generator'], regionCode: '140108' });
    const own = await p.client.get('/api/v1/audit');
    expect(own.json().items.every((e: { orgId: string; entityId: string }) => e.orgId === p.org.id || e.entityId === p.org.id)).toBe(true);
    expect(own.json().items.length).toBeGreaterThan(0);
    expect((await p.client.get('/api/v1/audit/verify')).statusCode).toBe(403);
  });
});
