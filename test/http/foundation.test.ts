import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, TEST_ADMIN, type TestApp } from '../support/test-app.js';

let t: TestApp;
let token: string;

beforeAll(async () => {
  t = await buildTestApp();
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: TEST_ADMIN });
  token = res.json().accessToken;
});
afterAll(() => t.close());

const auth = () => ({ authorization: `Bearer ${token}` });

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): any }, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code, title: expect.any(String), type: expect.any(String) });
  expect(body.requestId).toBe(res.headers['x-request-id']);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
  return body;
}

describe('operations', () => {
  it('healthz and readyz answer 200 with a request id header', async () => {
    const h = await t.app.inject({ url: '/healthz' });
    expect(h.statusCode).toBe(200);
    expect(h.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const r = await t.app.inject({ url: '/readyz' });
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('metrics expose request counts and latency by route and status', async () => {
    await t.app.inject({ url: '/healthz' });
    const m = await t.app.inject({ url: '/metrics' });
    expect(m.statusCode).toBe(200);
    expect(m.body).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(m.body).toMatch(/http_request_duration_seconds_bucket\{.*route="\/healthz"/);
  });

  it('serves security headers', async () => {
    const h = await t.app.inject({ url: '/healthz' });
    expect(h.headers['x-content-type-options']).toBe('nosniff');
    expect(h.headers['access-control-allow-origin']).toBeUndefined(); // CORS off by default
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = await t.app.inject({ url: '/openapi.json' });
    expect(doc.json().openapi).toBe('3.1.0');
    const ui = await t.app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
  });
});

describe('errors are problem+json', () => {
  it('unknown route → 404', async () => {
    expectProblem(await t.app.inject({ url: '/no/such/thing' }), 404, 'NOT_FOUND');
  });

  it('malformed JSON → 400', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/json' }, payload: '{"clientId": ',
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('wrong content type → 415', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/xml' }, payload: '<a/>',
    });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('validation errors list each path', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { clientId: '' } });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    const paths = body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.clientId', 'body.clientSecret']));
  });

  it('a body over the limit → 413', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ clientId: 'x'.repeat(t.config.bodyLimitBytes + 10), clientSecret: 'y' }),
    });
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('no token → 401', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/catalog/waste-codes' }), 401, 'UNAUTHENTICATED');
  });
});

describe('waste catalogue', () => {
  it('serves 467 codes in 46 categories', async () => {
    const codes = await t.app.inject({ url: '/api/v1/catalog/waste-codes', headers: auth() });
    expect(codes.json().total).toBe(467);
    const cats = await t.app.inject({ url: '/api/v1/catalog/categories', headers: auth() });
    expect(cats.json().items).toHaveLength(46);
  });

  it('900-041-49 is HW49 with hazards T and In', async () => {
    const res = await t.app.inject({ url: '/api/v1/catalog/waste-codes/900-041-49', headers: auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: '900-041-49', category: 'HW49', hazards: ['T', 'In'] });
  });

  it('filters by category and by a Chinese word or code fragment', async () => {
    const byCat = await t.app.inject({ url: '/api/v1/catalog/waste-codes?category=HW01', headers: auth() });
    expect(byCat.json().items.map((i: { code: string }) => i.code)).toEqual(
      ['841-001-01', '841-002-01', '841-003-01', '841-004-01', '841-005-01']);
    const byWord = await t.app.inject({ url: `/api/v1/catalog/waste-codes?q=${encodeURIComponent('感染性')}`, headers: auth() });
    expect(byWord.json().items.some((i: { code: string }) => i.code === '841-001-01')).toBe(true);
    const byCode = await t.app.inject({ url: '/api/v1/catalog/waste-codes?q=900-214', headers: auth() });
    expect(byCode.json().items.map((i: { code: string }) => i.code)).toContain('900-214-08');
  });

  it('accepts 900-000-XX for an existing category', async () => {
    const res = await t.app.inject({ url: '/api/v1/catalog/waste-codes/900-000-08', headers: auth() });
    expect(res.json()).toMatchObject({ code: '900-000-08', category: 'HW08' });
  });

  it('an unknown well-formed code is a 404, a malformed one a 400', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/catalog/waste-codes/999-999-99', headers: auth() }), 404, 'NOT_FOUND');
    const bad = expectProblem(await t.app.inject({ url: '/api/v1/catalog/waste-codes/HW08', headers: auth() }), 400, 'VALIDATION_FAILED');
    expect(bad.errors[0].path).toBe('params.code');
  });
});
