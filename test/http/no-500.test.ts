// Nothing a client sends may produce a 500: every operation of the OpenAPI document, called with
// malformed ids, junk queries and junk bodies, answers with a 4xx problem (or a success).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, loginAdmin, type Client } from '../support/factories.js';

let t: TestApp;
let clients: Client[];

beforeAll(async () => {
  t = await buildTestApp();
  const admin = await loginAdmin(t.app);
  const generator = await createParty(t.app, admin, { roles: ['generator'] });
  clients = [admin, generator.client];
});
afterAll(() => t.close());

const PARAMS = ['00000000-0000-4000-8000-000000000000', 'not-an-id', '1'.repeat(300), '20261401000001'];
const QUERIES = ['', '?limit=0', '?limit=abc&cursor=%%%', '?from=2026-13-45&to=x', '?format=pdf', '?cursor=bm90LWEtY3Vyc29y', '?regionCode=99&year=-1'];
const BODIES: unknown[] = [
  {}, [], 'text', 42, null,
  { action: 'store' }, { action: 'nope' }, { items: [] }, { items: [{}] },
  { uscc: 1, roles: 'x', quantity: { value: -1 } }, { qr: 'x'.repeat(3000) }, { labelIds: ['x'], carriers: [{}] },
  { value: 1e308, year: 1e12, regionCode: '1'.repeat(50) },
  { name: 'x\u0000y', reason: 'a\u0000b', note: 'n\u0000', action: 'cancel', remarks: '\u0000' }, { __proto__: { admin: true }, constructor: { prototype: {} } },
];

it('never answers 500 to junk', async () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  const failures: string[] = [];
  const call = async (method: string, url: string, client: Client, body?: unknown) => {
    const res = await t.app.inject({
      method: method.toUpperCase() as 'GET', url,
      headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (res.statusCode >= 500) failures.push(`${method.toUpperCase()} ${url} ${JSON.stringify(body)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
  };
  for (const [path, ops] of Object.entries(doc.paths)) {
    const params = path.includes('{') ? PARAMS : [PARAMS[0]];
    for (const method of Object.keys(ops)) {
      for (const param of params) {
        const url = path.replace(/\{[^}]+\}/g, encodeURIComponent(param));
        // Reads: junk queries, as a regulator and as a party. Writes: junk bodies, as the registrar
        // (the most privileged caller reaches the deepest code).
        if (method === 'get') {
          for (const query of QUERIES) for (const client of clients) await call(method, `${url}${query}`, client);
        } else {
          for (const body of BODIES) await call(method, url, clients[0], body);
        }
      }
    }
  }
  expect(failures.slice(0, 20)).toEqual([]);
}, 300_000);
