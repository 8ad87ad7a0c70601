// The method codes as the national reporting picklists list them (docs/regulations.md#treatment-methods).
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { METHOD_CODES, METHOD_KINDS, methodFitsCategory, methodKind } from '../../src/catalog/treatment-methods.js';
import { requiredModesFor } from '../../src/parties/licence-rules.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { act, createSite, issueLabel } from '../support/world.js';

describe('treatment methods', () => {
  it('holds exactly the listed codes: R1–R9, R15, D1, D9, D10, D16, C1–C3, Y10–Y13, Y16', () => {
    expect([...METHOD_CODES].sort()).toEqual(['C1', 'C2', 'C3', 'D1', 'D10', 'D16', 'D9', 'R1', 'R15', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9',
      'Y10', 'Y11', 'Y12', 'Y13', 'Y16'].sort());
    for (const gone of ['R10', 'R11', 'R12', 'R13', 'R14', 'C4', 'C5', 'Y14', 'Y15']) expect(methodKind(gone), gone).toBeUndefined();
  });

  it('R…, C2 and C3 are utilisation; D…, C1 and Y… disposal', () => {
    for (const c of ['R1', 'R4', 'R9', 'R15', 'C2', 'C3']) expect(methodKind(c), c).toBe('utilisation');
    for (const c of ['D1', 'D9', 'D10', 'D16', 'C1', 'Y10', 'Y16']) expect(methodKind(c), c).toBe('disposal');
    expect(METHOD_KINDS.C1.name).toBe('水泥窑共处置');
    expect(METHOD_KINDS.C3.name).toBe('清洗（包装容器）');
    expect(requiredModesFor('C2')).toEqual(['utilisation']);
    expect(requiredModesFor('C1')).toEqual(['disposal']);
    expect(requiredModesFor('R12')).toEqual([]);
  });

  it('Y… only for medical waste (HW01)', () => {
    expect(methodFitsCategory('Y10', 'HW01')).toBe(true);
    expect(methodFitsCategory('Y10', 'HW08')).toBe(false);
    expect(methodFitsCategory('D10', 'HW08')).toBe(true);
  });

  it('returns undefined for unknown codes', () => {
    expect(methodKind('R16')).toBeUndefined();
    expect(methodKind('toString')).toBeUndefined();
    expect(methodKind('')).toBeUndefined();
  });
});

describe('over HTTP', () => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => { t = await buildTestApp(); admin = await loginAdmin(t.app); });
  afterAll(() => t.close());

  it('GET /api/v1/catalog/methods lists every code with its kind and name', async () => {
    const res = await admin.get('/api/v1/catalog/methods');
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as Array<{ code: string; kind: string; name: string }>;
    expect(items.map((m) => m.code)).toEqual([...METHOD_CODES]);
    expect(items.find((m) => m.code === 'C2')).toMatchObject({ kind: 'utilisation', name: '生产建筑材料' });
  });

  it('a removed code is a 400 that names the valid ones, and nothing is created', async () => {
    const site = await createSite(t.app, admin, { roles: ['receiver'] });
    const res = await site.client.post(`/api/v1/orgs/${site.org.id}/facilities`, { code: 'TR-9', name: '焚烧炉', kind: 'treatment', methods: ['D10', 'R12'] });
    expect(res.statusCode).toBe(400);
    const error = res.json().errors.find((e: { path: string }) => e.path === 'body.methods.1');
    expect(error.message).toContain('R1, R2');
    expect(error.message).toContain('Y16');
    const list = (await site.client.get(`/api/v1/orgs/${site.org.id}/facilities`)).json().items as Array<{ code: string }>;
    expect(list.map((f) => f.code)).not.toContain('TR-9');
  });

  it('a medical-waste method (Y…) on other waste is refused with rule method_category; on HW01 it treats', async () => {
    const site = await createSite(t.app, admin, { roles: ['generator'] }, ['Y10', 'D10']);
    const oil = await issueLabel(site.client);
    expect(oil.category).not.toBe('HW01');
    const refused = await act(site.client, oil.id, { action: 'treat', facilityId: site.treatmentId, method: 'Y10' });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().rule).toBe('method_category');
    const treated = await act(site.client, oil.id, { action: 'treat', facilityId: site.treatmentId, method: 'D10' });
    expect(treated.statusCode, treated.body).toBe(200);
  });
});
