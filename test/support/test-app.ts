// Each test file gets its own database, copied from the migrated template, and the real app.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { connect, type Database } from '../../src/db/database.js';
import type { App } from '../../src/context.js';
import { databaseUrl } from './database-url.js';

export async function createTestDatabase(): Promise<{ url: string; name: string }> {
  const serverUrl = inject('serverUrl');
  const name = `hw_t_${inject('runId')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // Two files copying the template at the same instant may collide; a short retry settles it.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDb')}`);
        break;
      } catch (e) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  return { url: databaseUrl(serverUrl, name), name };
}

export const TEST_ADMIN = { clientId: 'cl_test_admin', clientSecret: 'test-admin-secret-123' };

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: 'https://hw.test',
    BOOTSTRAP_ADMIN_CLIENT_ID: TEST_ADMIN.clientId,
    BOOTSTRAP_ADMIN_CLIENT_SECRET: TEST_ADMIN.clientSecret,
    BOOTSTRAP_REGION: '140100',
    // Test files share two cores: a slow event loop there is load, not an overloaded service.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // Required in production mode, which some tests use.
    WEBHOOK_SECRET_KEY: 'test-webhook-secret-key-0123456789abcdef',
    // Tests sweep alerts when they mean to (a background sweep would add alert events to the feeds they read).
    ALERT_SWEEP_INTERVAL_S: '0',
    ...overrides,
  });
}

export interface TestApp {
  app: App;
  database: Database;
  config: Config;
  dbUrl: string;
  close(): Promise<void>;
}

/** Where the app's JSON log lines go when a test wants to read them (no logging otherwise). */
export interface LogCapture { write(line: string): void }

export async function buildTestApp(env: Record<string, string> = {}, logStream?: LogCapture): Promise<TestApp> {
  const { url } = await createTestDatabase();
  const config = testConfig(logStream ? { LOG_LEVEL: 'info', ...env } : env);
  const database = connect(url, 10);
  const app = await buildApp({ config, database, logger: Boolean(logStream), logStream });
  const { bootstrapAdmin } = await import('../../src/parties/bootstrap.js');
  await bootstrapAdmin(app.log, database.db, config);
  return {
    app, database, config, dbUrl: url,
    close: async () => { await app.close(); await database.close(); },
  };
}
