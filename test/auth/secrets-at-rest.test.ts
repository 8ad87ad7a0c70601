// A client secret exists in exactly one response: stored only as a hash, never in an idempotency
// record, replaced by rotation, and idempotency records expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { clientFor, createParty, login, loginAdmin, type Client, type Party } from '../support/factories.js';
import { purgeExpiredIdempotencyKeys } from '../../src/http/idempotency-purge.js';

let t: TestApp;
let admin: Client;
let generator: Party;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createParty(t.app, admin, { roles: ['generator'] });
});
afterAll(() => t.close());

const sql = async <R>(text: string, values: unknown[] = []) => (await t.database.pool.query(text, values)).rows as R[];
const token = (clientId: string, clientSecret: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { clientId, clientSecret } });

describe('client secrets', () => {
  it('shows a new secret once; a keyed retry answers the same client without it and links the rotation', async () => {
    const url = `/api/v1/orgs/${generator.org.id}/clients`;
    const headers = { 'idempotency-key': 'create-handset-1' };
    const first = await admin.post(url, { name: 'handset 1', roles: ['operator'] }, headers);
    expect(first.statusCode).toBe(201);
    const { clientId, clientSecret } = first.json();
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const again = await admin.post(url, { name: 'handset 1', roles: ['operator'] }, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().clientId).toBe(clientId);
    expect(again.json().clientSecret).toBeUndefined();
    expect(again.json().credentialNote).toMatch(/shown once/);
    expect(again.headers.link).toBe(`</api/v1/clients/${clientId}/rotate-secret>; rel="rotate"`);
    expect((await token(clientId, clientSecret)).statusCode).toBe(200);
  });

  it('keeps no secret at rest: the clients table holds scrypt hashes, idempotency records not even the word', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: `keyed ${i}`, roles: ['viewer'] }, { 'idempotency-key': `keyed-${i}` });
      expect(res.statusCode).toBe(201);
      const [row] = await sql<{ secret_hash: string }>('SELECT secret_hash FROM clients WHERE id = $1', [res.json().clientId]);
      expect(row.secret_hash).toMatch(/^scrypt\$/);
      expect(row.secret_hash).not.toContain(res.json().clientSecret);
    }
    const [{ count }] = await sql<{ count: number }>(`SELECT count(*)::int AS count FROM idempotency_keys WHERE body::text ILIKE '%secret%'`);
    expect(count).toBe(0);
    const [{ keyed }] = await sql<{ keyed: number }>(`SELECT count(*)::int AS keyed FROM idempotency_keys WHERE key LIKE 'keyed-%'`);
    expect(keyed).toBe(3);
  });

  it('rotation: the new secret works at once, the old secret and tokens issued before it stop working', async () => {
    const created = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'to rotate', roles: ['admin', 'operator'] });
    const { clientId, clientSecret: oldSecret } = created.json();
    const before = await login(t.app, clientId, oldSecret);
    expect((await before.get('/api/v1/labels')).statusCode).toBe(200);
    // JWT iat has whole seconds: step past the second the old token was issued in.
    await new Promise((r) => setTimeout(r, 1100));

    // The organisation's own admin client rotates it, with a key; the replay does not repeat the secret.
    const headers = { 'idempotency-key': 'rotate-1' };
    const rotated = await generator.client.post(`/api/v1/clients/${clientId}/rotate-secret`, {}, headers);
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().clientSecret;
    expect(newSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.json().rotatedAt).toEqual(expect.any(String));
    const replay = await generator.client.post(`/api/v1/clients/${clientId}/rotate-secret`, {}, headers);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().clientSecret).toBeUndefined();

    expect((await token(clientId, oldSecret)).statusCode).toBe(401);
    const old = await before.get('/api/v1/labels');
    expect(old.statusCode).toBe(401);
    expect(old.json().detail).toMatch(/rotated/);
    const after = await login(t.app, clientId, newSecret);
    expect((await after.get('/api/v1/labels')).statusCode).toBe(200);

    const trail = await admin.get(`/api/v1/audit?entityType=client&entityId=${clientId}`);
    expect(trail.json().items.map((e: { action: string }) => e.action)).toEqual(['create', 'rotate_secret']);
    expect(JSON.stringify(trail.json())).not.toContain(newSecret);
  });

  it('only a manager of the client may rotate it; a disabled client cannot be rotated', async () => {
    const other = await createParty(t.app, admin, { roles: ['generator'] });
    const created = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'victim', roles: ['viewer'] });
    const { clientId } = created.json();
    expect((await other.client.post(`/api/v1/clients/${clientId}/rotate-secret`)).statusCode).toBe(404);
    const viewer = await login(t.app, clientId, created.json().clientSecret);
    expect((await viewer.post(`/api/v1/clients/${clientId}/rotate-secret`)).statusCode).toBe(403);
    expect((await admin.post(`/api/v1/clients/${clientId}/disable`)).statusCode).toBe(200);
    const refused = await admin.post(`/api/v1/clients/${clientId}/rotate-secret`);
    expect(refused.statusCode).toBe(409);
  });
});

describe('idempotency records expire', () => {
  it('a record older than IDEMPOTENCY_TTL_HOURS is not replayed, is taken over by a new request, and is purged', async () => {
    const url = `/api/v1/orgs/${generator.org.id}/clients`;
    const headers = { 'idempotency-key': 'old-key' };
    const first = await admin.post(url, { name: 'old', roles: ['viewer'] }, headers);
    expect(first.statusCode).toBe(201);
    await sql(`UPDATE idempotency_keys SET created_at = now() - interval '73 hours' WHERE key = 'old-key'`);

    const fresh = await admin.post(url, { name: 'old', roles: ['viewer'] }, headers);
    expect(fresh.statusCode).toBe(201);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
    expect(fresh.json().clientId).not.toBe(first.json().clientId);

    await sql(`UPDATE idempotency_keys SET created_at = now() - interval '73 hours' WHERE key LIKE 'keyed-%'`);
    const deleted = await purgeExpiredIdempotencyKeys(t.database.db, t.config.idempotencyTtlHours);
    expect(deleted).toBe(3);
    expect(await sql(`SELECT 1 FROM idempotency_keys WHERE key LIKE 'keyed-%'`)).toEqual([]);
    expect(await sql(`SELECT 1 FROM idempotency_keys WHERE key = 'old-key'`)).toHaveLength(1);
  });
});

// The secret is never usable as a bearer token, nor the other way round.
it('a secret is not a token', async () => {
  const created = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'x', roles: ['viewer'] });
  expect((await clientFor(t.app, created.json().clientSecret).get('/api/v1/labels')).statusCode).toBe(401);
});
