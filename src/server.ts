// Process entry: config → database → migrate → buildApp → listen → graceful close.
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { connect } from './db/database.js';
import { runMigrations } from './db/migrate.js';
import { installJobSchema } from './jobs/runner.js';
import { withStartupLock } from './db/startup-lock.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.js';
import { buildApp } from './app.js';
import { startMetricsListener } from './http/metrics.js';
import type { App } from './context.js';
import { bootstrapAdmin } from './parties/bootstrap.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = path.join(config.dataDir, 'postgres');
    process.stderr.write(`DATABASE_URL is not set: starting an embedded PostgreSQL with its data in ${dataDir}\n`);
    embedded = await startEmbeddedPostgres(dataDir, { port: Number(process.env.EMBEDDED_PG_PORT) || undefined });
    databaseUrl = embedded.url;
  }
  // Lost connections are expected (restarts, failovers): logged, never fatal; see db/database.ts.
  let app: App | undefined;
  const database = connect(databaseUrl, config.dbPoolSize, (err) => app?.log.warn({ err: err.message }, 'database connection lost; the pool will reconnect'));
  // Migrations, the signing key (made by buildApp on first start) and the bootstrap admin: one
  // replica at a time.
  app = await withStartupLock(database.pool, async () => {
    await runMigrations(database.db);
    await installJobSchema(databaseUrl); // graphile-worker's schema: every replica may queue jobs
    const built = await buildApp({ config, database });
    await bootstrapAdmin(built.log, database.db, config);
    return built;
  });
  const server = app;
  const metrics = config.metrics.port !== undefined
    ? await startMetricsListener(server.metricsRegistry, config.metrics.host, config.metrics.port)
    : undefined;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Requests still running after the grace period are cut off (their transactions roll back).
    const grace = setTimeout(() => {
      server.log.warn({ graceMs: config.http.shutdownGraceMs }, 'grace period over: closing the remaining connections');
      server.server.closeAllConnections();
    }, config.http.shutdownGraceMs);
    grace.unref();
    try {
      await server.close(); // stops accepting, answers 503 on kept-alive sockets, waits for in-flight requests
      clearTimeout(grace);
      await metrics?.close();
      await database.close(); // only now: the requests that were running have committed or rolled back
      await embedded?.stop();
      process.exit(0);
    } catch (err) {
      server.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await server.listen({ port: config.port, host: config.host });
  server.log.info({
    publicBaseUrl: config.publicBaseUrl,
    docs: `${config.publicBaseUrl}/docs`,
    metrics: metrics ? `http://${config.metrics.host}:${metrics.port}/metrics` : `${config.publicBaseUrl}/metrics`,
  }, 'hazardous-waste supervision API ready');
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
