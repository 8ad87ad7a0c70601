import { and, asc } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { createSite, LABEL_BODY, type Site } from '../support/world.js';
import { labels, manifests } from '../../src/db/schema.js';
import { labelConditions, manifestConditions, type SearchFilters } from '../../src/supervision/search.js';

let t: TestApp;
let city: Client;
let site: Site;

beforeAll(async () => {
  t = await buildTestApp();
  city = await loginAdmin(t.app);
  site = await createSite(t.app, city, { roles: ['generator'], regionCode: '140110' });
});
afterAll(() => t.close());

describe('CSV export', () => {
  it('streams 10,000 labels with a header, page by page', async () => {
    for (let batch = 0; batch < 20; batch++) {
      // One day per batch: at most 999 labels per unit, code and day.
      const generatedAt = new Date(Date.now() - batch * 86_400_000).toISOString();
      const items = Array.from({ length: 500 }, (_, i) => ({ ...LABEL_BODY, generatedAt, wasteCode: i % 2 ? '900-214-08' : '900-249-08' }));
      const res = await site.client.post('/api/v1/labels/batch', { items });
      expect(res.statusCode, res.body).toBe(201);
    }
    const res = await city.get(`/api/v1/supervision/labels?format=csv&generatorId=${site.org.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    // A stream: sent in chunks with no length known up front.
    expect(res.headers['content-length']).toBeUndefined();
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('digitalCode,wasteCode,category,wasteName,state,quantityKg,generatorId,holderId,regionCode,generatedAt');
    expect(lines).toHaveLength(10_001);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(10_000);
  }, 120_000);
});

describe('every search filter is backed by an index', () => {
  async function plan(query: { sql: string; params: unknown[] }): Promise<string> {
    const client = await t.database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off'); // show what the indexes allow, whatever the table size
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, query.params);
      await client.query('ROLLBACK');
      return JSON.stringify(rows[0]['QUERY PLAN']);
    } finally {
      client.release();
    }
  }
  const id = '00000000-0000-4000-8000-000000000000';
  const filters: Array<[string, SearchFilters]> = [
    ['region only', {}], ['generatorId', { generatorId: id }], ['wasteCode', { wasteCode: '900-214-08' }],
    ['category', { category: 'HW08' }], ['state', { state: 'stored' }], ['period', { from: '2026-01-01', to: '2026-03-31' }],
    ['receiverId', { receiverId: id }], ['carrierId', { carrierId: id }], ['discrepant', { discrepant: true }],
  ];

  it.each(filters)('labels by %s', async (_name, f) => {
    const q = t.database.db.select().from(labels).where(and(...labelConditions('140105', f))).orderBy(asc(labels.generatedAt), asc(labels.id)).limit(51).toSQL();
    const p = await plan(q);
    expect(p).not.toMatch(/"Node Type":"Seq Scan"/);
    expect(p).toMatch(/Index/);
  });

  it.each(filters)('manifests by %s', async (_name, f) => {
    const q = t.database.db.select().from(manifests).where(and(...manifestConditions('140105', f))).orderBy(asc(manifests.createdAt), asc(manifests.id)).limit(51).toSQL();
    const p = await plan(q);
    expect(p).not.toMatch(/"Node Type":"Seq Scan"/);
    expect(p).toMatch(/Index/);
  });
});
