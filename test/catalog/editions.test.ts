// Catalogue editions (issue 12, item 11): the API says which 名录 edition a code comes from, labels
// record the edition they were classified under, and 900-000-XX names its identification report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { createSite, issueLabel, LABEL_BODY, type Site } from '../support/world.js';
import { editionIn, editionOn, listEditions } from '../../src/catalog/catalog.js';

let t: TestApp;
let city: Client;
let generator: Site;

beforeAll(async () => {
  t = await buildTestApp();
  city = await loginAdmin(t.app);
  generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
});
afterAll(() => t.close());

describe('editions in the catalogue API', () => {
  it('lists the loaded editions with the day each applies from: the 2021 edition, 467 codes', async () => {
    const res = await city.get('/api/v1/catalog/editions');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ edition: '2021', effectiveFrom: '2021-01-01', codeCount: 467, inForce: true }),
    ]);
  });

  it('says which edition a code comes from, and whether it needs an identification report', async () => {
    const listed = (await city.get('/api/v1/catalog/waste-codes/900-041-49')).json();
    expect(listed).toMatchObject({ code: '900-041-49', edition: '2021', identificationReportRequired: false });
    const identified = (await city.get('/api/v1/catalog/waste-codes/900-000-08')).json();
    expect(identified).toMatchObject({ code: '900-000-08', edition: '2021', identificationReportRequired: true });
    const search = (await city.get('/api/v1/catalog/waste-codes?category=HW01&edition=2021')).json();
    expect(search.total).toBe(5);
    expect(search.items.every((c: { edition: string }) => c.edition === '2021')).toBe(true);
    expect((await city.get('/api/v1/catalog/categories?edition=2021')).json().items).toHaveLength(46);
  });

  it('an edition that is not loaded is 404, a malformed one 400', async () => {
    // The 2025 edition applies since 2025-01-01 but its rows are not in our data: it is not invented.
    for (const url of ['/api/v1/catalog/waste-codes/900-041-49?edition=2025', '/api/v1/catalog/waste-codes?edition=2025', '/api/v1/catalog/categories?edition=2025']) {
      const res = await city.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await city.get('/api/v1/catalog/waste-codes?edition=v2021')).statusCode).toBe(400);
  });

  it('picks the latest loaded edition in force on a date (the oldest before any)', () => {
    const [oldest] = listEditions();
    expect(editionOn('2026-12-02')).toBe(listEditions().filter((e) => e.effectiveFrom <= '2026-12-02').at(-1)!.edition);
    expect(editionOn('2020-06-30')).toBe(oldest.edition);
    // Once the 2025 edition's row is added, a label generated from 2025-01-01 on is classified under it.
    const withLater = [{ edition: '2021', effectiveFrom: '2021-01-01' }, { edition: '2025', effectiveFrom: '2025-01-01' }];
    expect(editionIn(withLater, '2024-12-31')).toBe('2021');
    expect(editionIn(withLater, '2025-01-01')).toBe('2025');
  });
});

describe('labels record their edition', () => {
  it('a label records the edition its code was classified under', async () => {
    const l = await issueLabel(generator.client);
    expect(l).toMatchObject({ wasteCode: LABEL_BODY.wasteCode, catalogueEdition: '2021', identificationReportNo: null });
    expect((await generator.client.get(`/api/v1/labels/${l.id}`)).json().catalogueEdition).toBe('2021');
    const { rows } = await t.database.pool.query('SELECT catalogue_edition FROM labels WHERE id = $1', [l.id]);
    expect(rows[0].catalogue_edition).toBe('2021');
  });

  it('900-000-XX without the identification report is refused (400), and nothing is issued', async () => {
    const count = async () => Number((await t.database.pool.query('SELECT count(*) FROM labels WHERE generator_id = $1', [generator.org.id])).rows[0].count);
    const before = await count();
    const res = await generator.client.post('/api/v1/labels', { ...LABEL_BODY, wasteCode: '900-000-08' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.identificationReportNo' })]);
    const batch = await generator.client.post('/api/v1/labels/batch', { items: [LABEL_BODY, { ...LABEL_BODY, wasteCode: '900-000-49' }] });
    expect(batch.statusCode, batch.body).toBe(400);
    expect(batch.json().errors).toEqual([expect.objectContaining({ path: 'body.items.1.identificationReportNo' })]);
    expect(await count()).toBe(before);
  });

  it('900-000-XX with the identification report is issued and shows it', async () => {
    const l = await issueLabel(generator.client, { wasteCode: '900-000-08', identificationReportNo: 'JB-2026-0117' });
    expect(l).toMatchObject({ wasteCode: '900-000-08', category: 'HW08', catalogueEdition: '2021', identificationReportNo: 'JB-2026-0117' });
    // The database holds the rule too, for writers other than the API.
    await expect(t.database.pool.query('UPDATE labels SET identification_report_no = NULL WHERE id = $1', [l.id])).rejects.toThrow(/labels_identification_report_ck/);
  });
});
