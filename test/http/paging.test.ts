// Every list pages the same way: one opaque cursor format, no item twice, none lost.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { createSite, issueLabel, type Site } from '../support/world.js';

let t: TestApp;
let admin: Client;
let site: Site;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  site = await createSite(t.app, admin, { roles: ['generator'] });
  // Several labels in the same millisecond: the cursor must still separate them.
  await site.client.post('/api/v1/labels/batch', { items: Array.from({ length: 7 }, () => ({
    wasteCode: '900-214-08', physicalForm: 'liquid', mainComponents: '废矿物油', harmfulComponents: '多环芳烃',
    quantity: { value: 10, unit: 'kg' }, packaging: { type: 'drum' },
  })) });
  await issueLabel(site.client);
});
afterAll(() => t.close());

async function walk(client: Client, url: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await client.get(`${url}${url.includes('?') ? '&' : '?'}limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    ids.push(...res.json().items.map((i: { id?: string; seq?: number }) => String(i.id ?? i.seq)));
    cursor = res.json().nextCursor;
  } while (cursor);
  return ids;
}

it('labels, organisations, audit entries and supervision search page without repeats or gaps', async () => {
  for (const [client, url, all] of [
    [site.client, '/api/v1/labels', 8],
    [admin, '/api/v1/supervision/labels', 8],
    [admin, '/api/v1/orgs', undefined],
    [admin, `/api/v1/audit?entityType=label`, 8],
  ] as const) {
    const paged = await walk(client, url);
    expect(new Set(paged).size, url).toBe(paged.length);
    const whole = await client.get(`${url}${url.includes('?') ? '&' : '?'}limit=500`);
    expect(paged, url).toEqual(whole.json().items.map((i: { id?: string; seq?: number }) => String(i.id ?? i.seq)));
    if (all !== undefined) expect(paged.length, url).toBe(all);
  }
});

it('a cursor this API did not issue is a 400', async () => {
  for (const cursor of ['not-base64-json', Buffer.from('[1,2,3]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["x"]').toString('base64url')]) {
    const res = await site.client.get(`/api/v1/labels?cursor=${cursor}`);
    expect(res.statusCode, cursor).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  }
});
