// Where /metrics is served: public in development, behind a token, or only on a loopback listener
// of its own (the production default). And the HTTP server's timeouts against slow clients.
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, testConfig, type TestApp } from '../support/test-app.js';
import { startMetricsListener } from '../../src/http/metrics.js';

const open: TestApp[] = [];
afterEach(async () => { while (open.length) await open.pop()!.close(); });
const appWith = async (env: Record<string, string>) => {
  const t = await buildTestApp(env);
  open.push(t);
  return t;
};

describe('metrics exposure', () => {
  it('production defaults: not on the public listener, served on 127.0.0.1:9464', () => {
    const config = testConfig({ NODE_ENV: 'production' });
    expect(config.metrics).toEqual({ port: 9464, host: '127.0.0.1', token: undefined });
    expect(testConfig({}).metrics.port).toBeUndefined();
    expect(testConfig({ NODE_ENV: 'production', METRICS_TOKEN: 'a-long-metrics-token' }).metrics.port).toBeUndefined();
    expect(() => testConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
  });

  it('with METRICS_PORT the public listener has no /metrics; the separate listener serves it', async () => {
    const t = await appWith({ METRICS_PORT: '1' }); // a port is configured; the listener below picks a free one
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(404);
    await t.app.inject({ url: '/healthz' });
    const listener = await startMetricsListener(t.app.metricsRegistry, '127.0.0.1', 0);
    try {
      const res = await fetch(`http://127.0.0.1:${listener.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
      expect((await fetch(`http://127.0.0.1:${listener.port}/api/v1/orgs`)).status).toBe(404);
    } finally {
      await listener.close();
    }
  });

  it('with METRICS_TOKEN the public /metrics needs that bearer token', async () => {
    const t = await appWith({ METRICS_TOKEN: 'scrape-me-please-0123' });
    const none = await t.app.inject({ url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-of-same-len' } })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-me-please-0123' } })).statusCode).toBe(200);
  });
});

it('the HTTP server has timeouts against slow clients, from the configuration', async () => {
  const t = await appWith({ HTTP_REQUEST_TIMEOUT_MS: '20000', HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000' });
  expect(t.app.server.requestTimeout).toBe(20_000);
  expect(t.app.server.headersTimeout).toBe(5_000);
  expect(t.app.server.keepAliveTimeout).toBe(4_000);
  expect(() => testConfig({ HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
});
