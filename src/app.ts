// buildApp(deps): ecosystem plugins, then ours, then routes, in one visible place.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { App, AppContext, RouteModule } from './context.js';
import { loadKeyRing, type KeyRing } from './auth/keys.js';
import { TokenCache } from './auth/tokens.js';
import { ClientStatus } from './auth/client-status.js';
import { authenticator } from './auth/authenticate.js';
import { clientErrorHandler, frameworkErrors, registerErrorHandling } from './http/error-handler.js';
import { registerMetrics } from './http/metrics.js';
import { addDateFormats } from './http/date-range.js';
import { refuseTokensInQuery } from './http/query-secrets.js';
import { refuseNonFiniteNumbers } from './http/finite-numbers.js';
import { registerHealthRoutes } from './http/health-routes.js';
import { Problem } from './http/schemas.js';
import { loggerOptions } from './http/logger.js';
import { openapiOptions } from './http/openapi.js';
import { catalogueAsOpenapi } from './events/catalogue.js';
import { publicRoutes, protectedRoutes } from './routes.js';
import { every } from './background/periodic.js';
import { purgeExpiredIdempotencyKeys } from './http/idempotency-purge.js';
import { checkpointJob } from './audit/checkpoint-schedule.js';
import { alertSweepJob } from './supervision/alert-sweep.js';
import { completeManifestsAfterStep } from './manifests/completion.js';
import { startCalendarRefresh } from './calendar/calendar-refresh.js';
import { startTrackPartitions } from './tracks/partitions.js';
import { createJobRegistry } from './jobs/registry.js';
import { startJobs } from './jobs/runner.js';
import { registerWebhookJobs } from './webhooks/jobs.js';
import { startWakeUps } from './webhooks/wake.js';

const IDEMPOTENCY_PURGE_INTERVAL_MS = 15 * 60_000;

export interface AppDeps {
  config: Config;
  database: Database;
  /** Pre-loaded keys (tests share one ring); loaded from config or the database otherwise. */
  keys?: KeyRing;
  logger?: boolean;
  /** Where JSON log lines go (stdout by default); tests read them to check redaction. */
  logStream?: { write(line: string): void };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const app = Fastify({
    logger: deps.logger === false ? false : { ...loggerOptions(config.logLevel), ...(deps.logStream ? { stream: deps.logStream } : {}) },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    // Label tokens in /v/{token} are a few hundred characters long.
    routerOptions: { maxParamLength: 2000 },
    trustProxy: config.trustProxy,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
      onCreate: addDateFormats,
    },
    frameworkErrors,
    clientErrorHandler,
    // Against slow clients: the whole request, its headers, and an idle keep-alive connection.
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // On close: idle keep-alive sockets go at once; requests in flight finish first.
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    keys: deps.keys ?? (await loadKeyRing(database.db, config.jwt.privateJwks)),
    tokens: new TokenCache(),
    clientStatus: new ClientStatus(database.db),
    afterLabelStep: completeManifestsAfterStep,
  };

  app.server.headersTimeout = config.http.headersTimeoutMs;

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onRequest', refuseTokensInQuery);
  app.addHook('preValidation', refuseNonFiniteNumbers);
  registerErrorHandling(app);
  app.addSchema(Problem);

  await app.register(helmet, {
    // The docs UI needs inline scripts and styles; the API itself serves JSON.
    contentSecurityPolicy: { directives: { 'script-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] } },
  });
  if (config.corsOrigins.length) await app.register(cors, { origin: config.corsOrigins });
  await app.register(underPressure, {
    maxEventLoopDelay: config.pressure.maxEventLoopDelayMs,
    retryAfter: 5,
    // A pool with a long queue means the database is the bottleneck: shed load early.
    healthCheck: async () => database.pool.waitingCount <= config.pressure.maxPoolWaiting,
    healthCheckInterval: 500,
  });
  await app.register(rateLimit, { global: false });
  await app.register(swagger, openapiOptions(config, catalogueAsOpenapi()));
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.decorate('metricsRegistry', registerMetrics(app, config));
  registerHealthRoutes(app, database);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  for (const mod of publicRoutes) mod(app, ctx);
  await app.register(async (scope) => {
    scope.addHook('onRequest', authenticator(ctx));
    for (const mod of protectedRoutes as RouteModule[]) mod(scope as App, ctx);
  });

  const purge = every(IDEMPOTENCY_PURGE_INTERVAL_MS, 'idempotency purge', async () => {
    const deleted = await purgeExpiredIdempotencyKeys(database.db, config.idempotencyTtlHours);
    if (deleted > 0) app.log.info({ deleted }, 'expired idempotency records purged');
  }, app.log);
  const calendar = await startCalendarRefresh({
    db: ctx.db, intervalS: config.calendarRefreshIntervalS, receiptWorkingDays: config.receiptWorkingDays, log: app.log,
  });
  app.addHook('onClose', () => Promise.all([purge.stop(), calendar.stop()]).then(() => undefined));
  const trackPartitions = await startTrackPartitions(ctx.db, app.log);
  app.addHook('onClose', () => trackPartitions.stop());

  // Background jobs on graphile-worker (src/jobs/): features add their tasks to the registry.
  const jobRegistry = createJobRegistry();
  registerWebhookJobs(jobRegistry, { db: ctx.db, pool: database.pool, publicBaseUrl: config.publicBaseUrl, settings: config.webhooks, log: app.log });
  // Scheduled work: one run at a time across replicas, each run queuing the next (jobs/recurring.ts).
  for (const job of [
    checkpointJob({ db: ctx.db, keys: ctx.keys, issuer: config.jwt.issuer, intervalS: config.auditCheckpointIntervalS, log: app.log }),
    alertSweepJob(ctx.db, config, app.log),
  ]) if (job) jobRegistry.every(job, app.log);
  const jobs = await startJobs(jobRegistry, {
    ...config.jobs, connectionString: database.pool.options.connectionString!, log: app.log,
  });
  const wakeUps = config.jobs.enabled ? startWakeUps(ctx.db, config.webhooks.pollMs, app.log) : undefined;
  app.addHook('onClose', async () => {
    await wakeUps?.stop();
    await jobs.stop();
  });

  await app.ready();
  return app;
}
