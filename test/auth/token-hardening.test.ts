// The token endpoint and bearer tokens against an attacker: no caching of tokens, guessing slowed
// without locking the real client out, claims of the wrong type refused, no token in a URL or log.
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKeyRing } from '../../src/auth/keys.js';
import { buildTestApp, TEST_ADMIN, type TestApp } from '../support/test-app.js';
import { createParty, loginAdmin, type Client, type Party } from '../support/factories.js';

const lines: string[] = [];
let t: TestApp;
let admin: Client;
let generator: Party;

beforeAll(async () => {
  t = await buildTestApp({ TOKEN_RATE_LIMIT_PER_MINUTE: '60' }, { write: (l) => { lines.push(l); } });
  admin = await loginAdmin(t.app);
  generator = await createParty(t.app, admin, { roles: ['generator'] });
});
afterAll(() => t.close());

const tokenFrom = (remoteAddress: string, clientId: string, clientSecret: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/token', remoteAddress, payload: { clientId, clientSecret } });

describe('the token endpoint', () => {
  it('answers with Cache-Control: no-store, on success and on failure', async () => {
    const ok = await tokenFrom('198.51.100.1', TEST_ADMIN.clientId, TEST_ADMIN.clientSecret);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.headers.pragma).toBe('no-cache');
    const bad = await tokenFrom('198.51.100.1', TEST_ADMIN.clientId, 'wrong-secret');
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['cache-control']).toBe('no-store');
  });

  it('failed secrets are limited per client and address: the guesser is refused, the real client is not', async () => {
    const attacker = '203.0.113.66';
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await tokenFrom(attacker, TEST_ADMIN.clientId, `guess-${i}`)).statusCode);
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
    const locked = await tokenFrom(attacker, TEST_ADMIN.clientId, TEST_ADMIN.clientSecret);
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.json().code).toBe('RATE_LIMITED');
    // From the real client's own address, the right secret still works.
    expect((await tokenFrom('198.51.100.7', TEST_ADMIN.clientId, TEST_ADMIN.clientSecret)).statusCode).toBe(200);
    // And the attacker's address may still log in to another client.
    const other = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'other', roles: ['viewer'] });
    expect((await tokenFrom(attacker, other.json().clientId, other.json().clientSecret)).statusCode).toBe(200);
  });

  it('one address is limited in token requests per minute, whatever the client ids', async () => {
    const sprayer = '203.0.113.99';
    const codes: number[] = [];
    for (let i = 0; i < 61; i++) codes.push((await tokenFrom(sprayer, `cl_made_up_${i}`, 'x')).statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(60);
    expect(codes[60]).toBe(429);
  });
});

describe('bearer tokens', () => {
  it('a token signed with the service key but with claims of the wrong type is refused', async () => {
    const ring = await loadKeyRing(t.database.db);
    const good = decodeJwt(generator.client.token);
    const sign = (claims: Record<string, unknown>) => new SignJWT({ ...good, ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: ring.signing.kid, typ: 'at+jwt' }).sign(ring.signing.key);
    const call = async (token: string) => t.app.inject({ url: '/api/v1/labels', headers: { authorization: `Bearer ${token}` } });
    expect((await call(await sign({}))).statusCode).toBe(200);
    for (const bad of [
      { roles: 'admin' }, { roles: ['admin', 'superuser'] }, { roles: [] }, { roles: [{}] },
      { orgRoles: 'regulator' }, { orgRoles: ['overlord'] },
      { org: 'not-a-uuid' }, { org: 42 }, { region: '14' }, { region: 140105 }, { sub: '' },
    ]) {
      const res = await call(await sign(bad));
      expect(res.statusCode, JSON.stringify(bad)).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });

  it('a token in the query string is refused and never logged; secret-like query values are redacted', async () => {
    const secretish = 'do-not-log-this-value';
    lines.length = 0;
    const res = await t.app.inject({ url: `/api/v1/labels?access_token=${generator.client.token}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/Authorization header/);
    await t.app.inject({ url: `/api/v1/catalog/categories?clientSecret=${secretish}&password=${secretish}&limit=5`, headers: { authorization: `Bearer ${generator.client.token}` } });
    const text = lines.join('');
    expect(text).toContain('access_token=[redacted]');
    expect(text).toContain('clientSecret=[redacted]');
    expect(text).toContain('limit=5');
    expect(text).not.toContain(generator.client.token);
    expect(text).not.toContain(secretish);
  });
});
