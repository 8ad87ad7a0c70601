// Process entry: config → database → migrate → buildApp → listen → graceful close.
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { connect } from './db/database.js';
import { runMigrations } from './db/migrate.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './db/embedded.js';
import { buildApp } from './app.js';
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
  const database = connect(databaseUrl, config.dbPoolSize);
  await runMigrations(database.db);
  const app = await buildApp({ config, database });
  await bootstrapAdmin(app.log, database.db, config);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await app.close(); // stops accepting, waits for in-flight requests
      await database.close();
      await embedded?.stop();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ publicBaseUrl: config.publicBaseUrl, docs: `${config.publicBaseUrl}/docs` }, 'hazardous-waste supervision API ready');
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
