// Inputs at and past the edges: dates outside the documented range, and requests fastify or node
// refuse before any route runs. Every refusal is a 4xx problem+json with a code and a request id.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { addOperatingLicence, createCarrier, createSite, issueLabel, type CarrierSite, type Site, EMERGENCY_MEASURES } from '../support/world.js';
import { EARLIEST_DATE, LATEST_DATE, isDateInRange, isDateTimeInRange } from '../../src/http/date-range.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let receiver: Site;
let carrier: CarrierSite;

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id, { validTo: LATEST_DATE });
  carrier = await createCarrier(t.app, admin);
});
afterAll(() => t.close());

function expectProblem(res: LightMyRequestResponse | { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body);
  expect(body).toMatchObject({ status, code });
  expect(body.requestId).toEqual(expect.any(String));
}

describe('the date range', () => {
  it('is a real calendar date between the documented edges', () => {
    // Fixed on purpose: the documented edges, a leap day, and dates that do not exist (2026 is no leap year).
    expect([EARLIEST_DATE, LATEST_DATE, '2024-02-29'].every(isDateInRange)).toBe(true);
    expect(['1999-12-31', '2101-01-01', '0001-01-01', '9999-12-31', '2026-02-29', '2026-13-01', '2026-04-31', '20260101', '+02026-01-01']
      .some(isDateInRange)).toBe(false);
    expect(isDateTimeInRange('2100-12-31T23:59:59+08:00')).toBe(true);
    expect(isDateTimeInRange('2000-01-01T00:00:00Z')).toBe(true);
    expect(['1999-12-31T23:59:59Z', '9999-12-31T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:00:00', '2026-01-01'].some(isDateTimeInRange)).toBe(false);
  });

  it('queries with dates outside it answer 400; its edges answer 200', async () => {
    for (const path of ['/api/v1/supervision/labels', '/api/v1/supervision/manifests', `/api/v1/orgs/${generator.org.id}/ledger`]) {
      for (const bad of ['from=0001-01-01', 'to=9999-12-31', 'from=1999-12-31', 'to=2101-01-01']) {
        expectProblem(await admin.get(`${path}?${bad}`), 400, 'VALIDATION_FAILED');
      }
      const edges = await admin.get(`${path}?from=${EARLIEST_DATE}&to=${LATEST_DATE}`);
      expect(edges.statusCode, `${path}: ${edges.body}`).toBe(200);
    }
    expectProblem(await admin.get('/api/v1/audit?from=0001-01-01T00:00:00Z'), 400, 'VALIDATION_FAILED');
  });

  it('bodies with dates outside it answer 400 and change nothing; a manifest planned on the last day is refused cleanly', async () => {
    const [label] = [await issueLabel(generator.client)];
    const draft = (plannedAt: string) => generator.client.post('/api/v1/manifests', {
      receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt, intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
    });
    expectProblem(await draft('9999-12-31T00:00:00Z'), 400, 'VALIDATION_FAILED');
    expectProblem(await draft('0001-01-01T00:00:00Z'), 400, 'VALIDATION_FAILED');
    const licence = await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, {
      kind: 'comprehensive', number: 'OP-EDGE', modes: ['disposal'], wasteCodes: ['HW08'], validFrom: EARLIEST_DATE, validTo: '2101-01-01',
    });
    expectProblem(licence, 400, 'VALIDATION_FAILED');

    // The last day of the range: accepted as a draft; submitting computes deadlines past the
    // loaded working-day calendar, which is a refusal with a rule, never a 500.
    const edge = await draft(`${LATEST_DATE}T10:00:00+08:00`);
    expect(edge.statusCode, edge.body).toBe(201);
    const submit = await generator.client.post(`/api/v1/manifests/${edge.json().id}/actions`, { action: 'submit' });
    expect(submit.statusCode, submit.body).toBeLessThan(500);
  });
});

describe('errors raised before any route runs', () => {
  it('a path segment over the length limit: 414 problem+json', async () => {
    expectProblem(await admin.get(`/api/v1/orgs/${'a'.repeat(2100)}`), 414, 'URI_TOO_LONG');
  });

  it('a URL that is not valid percent-encoding: 400 problem+json', async () => {
    expectProblem(await admin.get('/api/v1/orgs/%E0%A4%A'), 400, 'VALIDATION_FAILED');
  });

  it('an unsupported content type, and broken JSON: 415 and 400 problem+json', async () => {
    const headers = { authorization: `Bearer ${admin.token}` };
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/labels', headers: { ...headers, 'content-type': 'application/xml' }, payload: '<a/>' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await t.app.inject({ method: 'POST', url: '/api/v1/labels', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"a":' }), 400, 'VALIDATION_FAILED');
  });

  it('requests node itself refuses (malformed, headers too large) get problem+json too', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const raw = (request: string) => new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
      let data = '';
      socket.on('data', (d) => { data += d; }).on('close', () => resolve(data)).on('error', reject);
    });
    const parse = (text: string) => {
      const [head, body] = text.split('\r\n\r\n');
      const status = Number(head.split(' ')[1]);
      const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.split(':')[0].toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      return { statusCode: status, headers, body };
    };
    expectProblem(parse(await raw('GARBAGE / HTTP/1.1\r\n\r\n')), 400, 'VALIDATION_FAILED');
    expectProblem(parse(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)), 431, 'HEADERS_TOO_LARGE');
  });
});

describe('numbers in URLs', () => {
  it('Infinity and NaN in a numeric query or path parameter answer 400, never reach the database', async () => {
    for (const url of [
      '/api/v1/labels?limit=-Infinity', '/api/v1/labels?limit=Infinity', '/api/v1/manifests?limit=-Infinity',
      '/api/v1/audit?limit=-Infinity', '/api/v1/supervision/indicators?year=Infinity', '/api/v1/labels?limit=NaN',
    ]) {
      expectProblem(await admin.get(url), 400, 'VALIDATION_FAILED');
    }
    const label = await issueLabel(generator.client);
    expectProblem(await generator.client.get(`/api/v1/labels/${label.id}/qr?size=Infinity`), 400, 'VALIDATION_FAILED');
  });

  it('an indicator input so small that a ratio overflows gives no value, not a 500', async () => {
    const year = new Date().getFullYear();
    const put = await t.app.inject({
      method: 'PUT', url: `/api/v1/supervision/indicator-inputs/${year}/industrial_value_added_10k_cny`,
      headers: { authorization: `Bearer ${admin.token}` }, payload: { regionCode: '140100', value: 5e-324 },
    });
    expect(put.statusCode, put.body).toBe(200);
    const read = await admin.get(`/api/v1/supervision/indicators?year=${year}`);
    expect(read.statusCode, read.body).toBe(200);
    const values = read.json().items.map((i: { value: number | null }) => i.value);
    expect(values.every((v: number | null) => v === null || Number.isFinite(v))).toBe(true);
  });
});
