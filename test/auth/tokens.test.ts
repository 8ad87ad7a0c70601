import { generateKeyPair, SignJWT, importJWK, jwtVerify, UnsecuredJWT, decodeJwt } from 'jose';
import { loadKeyRing } from '../../src/auth/keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, randomUscc, type Client, type Party } from '../support/factories.js';

let t: TestApp;
let admin: Client;
let generator: Party;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createParty(t.app, admin, { roles: ['generator'] });
});
afterAll(() => t.close());

const status = async (token: string) =>
  (await t.app.inject({ url: '/api/v1/catalog/categories', headers: { authorization: `Bearer ${token}` } })).statusCode;

describe('organisations', () => {
  it('refuses a USCC with a wrong check character, saying so, and accepts a valid one', async () => {
    const good = randomUscc();
    const wrongCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const body = (uscc: string) => ({
      uscc, name: '某化工厂', roles: ['generator'], regionCode: '140105', generatorClass: 'industrial',
      contact: { name: '李四', phone: '13900000000' }, address: '小店区',
    });
    const bad = await admin.post('/api/v1/orgs', body(wrongCheck));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/check character/);
    const ok = await admin.post('/api/v1/orgs', body(good));
    expect(ok.statusCode).toBe(201);
    const dup = await admin.post('/api/v1/orgs', body(good));
    expect(dup.statusCode).toBe(409);
  });

  it('a generator sees only the public details of another generator and none of its clients', async () => {
    const other = await createParty(t.app, admin, { roles: ['generator'] });
    const res = await generator.client.get(`/api/v1/orgs/${other.org.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().contact).toBeUndefined();
    expect(res.json().address).toBeUndefined();
    const own = await generator.client.get(`/api/v1/orgs/${generator.org.id}`);
    expect(own.json().contact).toEqual({ name: '张三', phone: '13800000000' });
    expect((await generator.client.get(`/api/v1/orgs/${other.org.id}/clients`)).statusCode).toBe(404);
    expect((await generator.client.get(`/api/v1/orgs/${generator.org.id}/clients`)).statusCode).toBe(200);
  });

  it('a district regulator cannot see a party in another district', async () => {
    const district = await createRegulator(t.app, admin, '140106');
    expect((await district.client.get(`/api/v1/orgs/${generator.org.id}`)).statusCode).toBe(404);
    const list = await district.client.get('/api/v1/orgs');
    expect(list.json().items.every((o: { regionCode: string }) => o.regionCode.startsWith('140106'))).toBe(true);
    const city = await admin.get(`/api/v1/orgs/${generator.org.id}`);
    expect(city.json().contact).toBeDefined();
  });

  it('an admin cannot hand out the registrar role it does not hold', async () => {
    const district = await createRegulator(t.app, admin, '140109');
    const adminOnly = (await admin.post(`/api/v1/orgs/${district.org.id}/clients`, { name: 'it', roles: ['admin'] })).json();
    const { login } = await import('../support/factories.js');
    const it = await login(t.app, adminOnly.clientId, adminOnly.clientSecret);
    expect((await it.post(`/api/v1/orgs/${district.org.id}/clients`, { name: 'x', roles: ['registrar'] })).statusCode).toBe(403);
    expect((await it.post(`/api/v1/orgs/${district.org.id}/clients`, { name: 'x', roles: ['viewer'] })).statusCode).toBe(201);
  });

  it('only registrars register organisations', async () => {
    const res = await generator.client.post('/api/v1/orgs', { uscc: randomUscc(), name: 'x', roles: ['carrier'], regionCode: '140105', contact: { name: 'a', phone: '123' }, address: 'x' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });
});

describe('tokens', () => {
  it('bootstrap admin registers a generator, a carrier, a receiver and a regulator whose tokens all work', async () => {
    for (const roles of [['generator'], ['carrier'], ['receiver'], ['regulator']]) {
      const p = await createParty(t.app, admin, { roles, regionCode: '140107' });
      expect(await status(p.client.token)).toBe(200);
      const claims = decodeJwt(p.client.token);
      expect(claims).toMatchObject({ iss: 'hw-supervision', aud: 'hw-supervision-api', org: p.org.id, roles: ['admin', 'operator', 'driver'] });
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
    }
  });

  it('tokens verify with the published JWKS', async () => {
    const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
    const header = JSON.parse(Buffer.from(generator.client.token.split('.')[0], 'base64url').toString());
    const jwk = jwks.keys.find((k: { kid: string }) => k.kid === header.kid);
    const { payload } = await jwtVerify(generator.client.token, await importJWK(jwk, 'EdDSA'));
    expect(payload.sub).toBe(generator.client.clientId);
  });

  it('refuses a token signed by another key, an expired token, alg none, garbage, and a wrong secret', async () => {
    const claims = decodeJwt(generator.client.token);
    const header = JSON.parse(Buffer.from(generator.client.token.split('.')[0], 'base64url').toString());
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: header.kid, typ: 'at+jwt' }).sign(privateKey);
    expect(await status(forged)).toBe(401);

    const { privateKey: k2 } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const unknownKid = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: 'someone-else', typ: 'at+jwt' }).sign(k2);
    expect(await status(unknownKid)).toBe(401);

    // An expired token signed with the service's own key (the ring the app loaded from its database).
    const ring = await loadKeyRing(t.database.db);
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: 'EdDSA', kid: ring.signing.kid, typ: 'at+jwt' })
      .sign(ring.signing.key);
    const expiredRes = await t.app.inject({ url: '/api/v1/catalog/categories', headers: { authorization: `Bearer ${expired}` } });
    expect(expiredRes.statusCode).toBe(401);
    expect(expiredRes.json().detail).toMatch(/expired/);

    const none = new UnsecuredJWT({ ...claims }).encode();
    expect(await status(none)).toBe(401);
    expect(await status('not-a-token')).toBe(401);

    const wrong = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { clientId: generator.client.clientId, clientSecret: 'wrong' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('a disabled client\'s token stops working at once, and it cannot log in again', async () => {
    const p = await createParty(t.app, admin, { roles: ['carrier'] });
    expect(await status(p.client.token)).toBe(200);
    const res = await p.client.post(`/api/v1/clients/${p.client.clientId}/disable`);
    expect(res.statusCode).toBe(200);
    expect(res.json().disabled).toBe(true);
    expect(await status(p.client.token)).toBe(401);
    const relogin = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { clientId: p.client.clientId, clientSecret: 'whatever' } });
    expect(relogin.statusCode).toBe(401);
  });

  it('client secrets are stored hashed only', async () => {
    const c = await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'scanner', roles: ['operator'] });
    const { clientId, clientSecret } = c.json();
    const { rows } = await t.database.pool.query('SELECT secret_hash FROM clients WHERE id = $1', [clientId]);
    expect(rows[0].secret_hash).toMatch(/^scrypt\$/);
    expect(rows[0].secret_hash).not.toContain(clientSecret);
    const listed = await generator.client.get(`/api/v1/orgs/${generator.org.id}/clients`);
    expect(JSON.stringify(listed.json())).not.toContain(clientSecret);
  });
});
