// Prometheus metrics: request count and latency by route and status, plus process defaults.
// Where they are served is configuration: on the public listener (development, or behind a bearer
// token), or on a separate listener bound to 127.0.0.1 that only the host's scraper reaches.
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Type } from 'typebox';
import type { Config } from '../config.js';
import { AppError } from '../core/errors.js';
import { responses } from './schemas.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The registry behind /metrics; server.ts serves it on METRICS_PORT when that is set. */
    metricsRegistry: Registry;
  }
}

function sameToken(sent: string | undefined, expected: string): boolean {
  const a = Buffer.from(sent ?? '');
  const b = Buffer.from(`Bearer ${expected}`);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function registerMetrics(app: FastifyInstance, config: Pick<Config, 'metrics'>): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests served', labelNames, registers: [registry] });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the raw URL: ids in paths would explode the label space.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });

  // With a port of its own, /metrics is not on the public listener at all.
  if (config.metrics.port !== undefined) return registry;
  const { token } = config.metrics;
  app.get('/metrics', {
    schema: {
      operationId: 'getMetrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (in production: on METRICS_PORT, or here behind METRICS_TOKEN)',
      security: [],
      response: responses({ 200: Type.String({ description: 'Prometheus text exposition format' }) }, 401),
    },
  }, async (request, reply) => {
    if (token !== undefined && !sameToken(request.headers.authorization, token)) {
      throw new AppError('UNAUTHENTICATED', 'Metrics need "Authorization: Bearer <METRICS_TOKEN>"');
    }
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}

/** The separate metrics listener (GET /metrics only), for a scraper on the same host. */
export async function startMetricsListener(registry: Registry, host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
