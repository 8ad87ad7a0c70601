// The basics of a public service: load shedding, CORS, rate limits, log redaction.
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { connect } from '../../src/db/database.js';
import { createTestDatabase, testConfig, TEST_ADMIN } from '../support/test-app.js';
import { bootstrapAdmin } from '../../src/parties/bootstrap.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => { while (closers.length) await closers.pop()!(); });

async function appWith(env: Record<string, string>, logStream?: { write(line: string): void }) {
  const { url } = await createTestDatabase();
  const config = testConfig(env);
  const database = connect(url, 5);
  const app = await buildApp({ config, database, logger: Boolean(logStream), logStream });
  await bootstrapAdmin(app.log, database.db, config);
  closers.push(() => database.close(), () => app.close());
  return app;
}

describe('public-service basics', () => {
  it('sheds load with 503 and Retry-After when the event loop is saturated', async () => {
    const app = await appWith({ MAX_EVENT_LOOP_DELAY_MS: '20' });
    // Block the loop for longer than a whole sampling interval (1 s), so that the sampler's
    // next reading, taken as soon as the loop frees, is far above the threshold.
    const until = Date.now() + 1500;
    while (Date.now() < until) { /* busy */ }
    await new Promise((r) => setTimeout(r, 20));
    const res = await app.inject({ url: '/api/v1/catalog/categories' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', requestId: res.headers['x-request-id'] });
  });

  it('CORS is off by default and answers for configured origins', async () => {
    const app = await appWith({ CORS_ORIGINS: 'https://portal.example' });
    const res = await app.inject({ url: '/healthz', headers: { origin: 'https://portal.example' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://portal.example');
    const other = await app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('rate-limits the public verification page with 429 problem+json', async () => {
    const app = await appWith({ VERIFY_RATE_LIMIT_PER_MINUTE: '2' });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(await app.inject({ url: '/v/not-a-token', headers: { accept: 'application/json' } }));
    expect(codes.map((r) => r.statusCode)).toEqual([422, 422, 429]);
    expect(codes[2].json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    // A client cannot dodge the limit by naming another address: no proxy is trusted by default.
    const spoofed = await app.inject({ url: '/v/not-a-token', headers: { accept: 'application/json', 'x-forwarded-for': '203.0.113.9' } });
    expect(spoofed.statusCode).toBe(429);
  });

  it('refuses text with NUL characters with a 400, not a 500', async () => {
    const app = await appWith({});
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: TEST_ADMIN });
    const res = await app.inject({
      method: 'POST', url: '/api/v1/orgs', headers: { authorization: `Bearer ${login.json().accessToken}` },
      payload: { uscc: '91140105MA0K123457', name: 'x\u0000y', roles: ['carrier'], regionCode: '140105', contact: { name: 'a', phone: '123' }, address: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('logs JSON with the request id and never the bearer token or a client secret', async () => {
    const lines: string[] = [];
    const app = await appWith({ LOG_LEVEL: 'info' }, { write: (l) => { lines.push(l); } });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: TEST_ADMIN });
    const token = login.json().accessToken;
    const res = await app.inject({ url: '/api/v1/catalog/categories', headers: { authorization: `Bearer ${token}` } });
    await app.inject({ url: '/v/some.signed.token' });
    const text = lines.join('');
    expect(text).toContain(String(res.headers['x-request-id']));
    expect(text).not.toContain(token);
    expect(text).not.toContain(TEST_ADMIN.clientSecret);
    expect(text).not.toContain('some.signed.token');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
