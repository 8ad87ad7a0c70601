// Once per test run: find a PostgreSQL server (DATABASE_URL, else testcontainers when Docker runs,
// else the embedded server), migrate one template database, and hand its name to the test files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connect } from '../../src/db/database.js';
import { runMigrations } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { installJobSchema } from '../../src/jobs/runner.js';
import { databaseUrl } from './database-url.js';

declare module 'vitest' {
  interface ProvidedContext {
    serverUrl: string;
    templateDb: string;
    runId: string;
  }
}

async function dockerAvailable(): Promise<boolean> {
  if (!fs.existsSync('/var/run/docker.sock') && !process.env.DOCKER_HOST) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<unknown>> = [];
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl && (await dockerAvailable())) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    serverUrl = container.getConnectionUri();
    stops.push(() => container.stop());
  }
  if (!serverUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-test-pg-'));
    fs.chmodSync(dir, 0o755);
    const server = await startEmbeddedPostgres(path.join(dir, 'data'));
    serverUrl = server.url;
    stops.push(async () => { await server.stop(); fs.rmSync(dir, { recursive: true, force: true }); });
  }

  const runId = randomBytes(4).toString('hex');
  const templateDb = `hw_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${templateDb}`);
  await admin.end();
  const template = connect(databaseUrl(serverUrl, templateDb), 1);
  await runMigrations(template.db);
  await template.close();
  // The job library's schema too, so that each test database has it before its app starts.
  await installJobSchema(databaseUrl(serverUrl, templateDb));

  project.provide('serverUrl', serverUrl);
  project.provide('templateDb', templateDb);
  project.provide('runId', runId);

  return async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`, [`hw_%${runId}%`]);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await client.end();
    for (const stop of stops.reverse()) await stop();
  };
}
