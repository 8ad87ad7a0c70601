import { exportJWK, generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';

let t: TestApp;
let admin: Client;
const keys: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  for (const kid of ['current-2026', 'previous-2025']) {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    keys.push({ ...(await exportJWK(privateKey)), kid });
  }
  t = await buildTestApp({ JWT_PRIVATE_JWKS: JSON.stringify({ keys }) });
  admin = await loginAdmin(t.app);
});
afterAll(() => t.close());

it('publishes every configured key and signs with the first', async () => {
  const jwks = (await t.app.inject({ url: '/.well-known/jwks.json' })).json();
  expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(['current-2026', 'previous-2025']);
  expect(jwks.keys.every((k: Record<string, unknown>) => k.d === undefined)).toBe(true); // public parts only
  expect(decodeProtectedHeader(admin.token).kid).toBe('current-2026');
  const { rows } = await t.database.pool.query('SELECT count(*)::int AS n FROM signing_keys');
  expect(rows[0].n).toBe(0); // configured keys are not generated or stored
});

it('still accepts tokens signed by an older published key (rotation)', async () => {
  const claims = decodeJwt(admin.token);
  const old = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'previous-2025', typ: 'at+jwt' })
    .sign(await importJWK(keys[1] as never, 'EdDSA'));
  const res = await t.app.inject({ url: '/api/v1/catalog/categories', headers: { authorization: `Bearer ${old}` } });
  expect(res.statusCode).toBe(200);
});
