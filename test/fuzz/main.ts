// `npm run fuzz`: the long fuzz run, outside vitest. Creates a scratch database on the PostgreSQL
// server of DATABASE_URL (default: the local one), migrates it, builds the app with the bootstrap
// admin as the tests do, sends FUZZ_RUNS (default 20,000) generated requests with FUZZ_SEED (default
// random; printed first so any run can be replayed), prints a summary and drops the database.
// FUZZ_STOP=1 stops at the first failure and lets fast-check shrink it.
import { randomBytes, randomInt } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { connect, type Database } from '../../src/db/database.js';
import { runMigrations } from '../../src/db/migrate.js';
import { bootstrapAdmin } from '../../src/parties/bootstrap.js';
import type { App } from '../../src/context.js';
import { databaseUrl } from '../support/database-url.js';
import { testConfig } from '../support/test-app.js';
import { formatSummary, prepareTargets, runFuzz } from './fuzz-run.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31 - 1);
const numRuns = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 20_000;
const stopOnFirst = process.env.FUZZ_STOP === '1';
const dbName = `hw_fuzz_${randomBytes(5).toString('hex')}`;

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try { await client.query(sql); } finally { await client.end(); }
}

/** Error-level log lines by request id: a 5xx in the summary comes with the server's stack. */
function errorLog() {
  const byRequest = new Map<string, string>();
  const stream = {
    write(line: string) {
      try {
        const entry = JSON.parse(line) as { reqId?: string; msg?: string; err?: { type?: string; message?: string; stack?: string } };
        if (!entry.reqId) return;
        const err = entry.err;
        byRequest.set(entry.reqId, err ? `${err.type ?? 'Error'}: ${err.message ?? ''}\n${(err.stack ?? '').split('\n').slice(1, 8).join('\n')}` : entry.msg ?? '');
      } catch { /* not a JSON line */ }
    },
  };
  return { stream, explain: (requestId: string) => byRequest.get(requestId) };
}

let app: App | undefined;
let database: Database | undefined;
let dropped = false;

async function cleanUp(): Promise<void> {
  if (dropped) return;
  dropped = true;
  await app?.close().catch(() => {});
  await database?.close().catch(() => {});
  await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}

async function main(): Promise<number> {
  console.log(`fuzz: seed ${seed}, ${numRuns} runs (replay with FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns} npm run fuzz)`);
  await adminQuery(`CREATE DATABASE ${dbName}`);
  database = connect(databaseUrl(serverUrl, dbName), 10);
  await runMigrations(database.db);
  const config = testConfig({ LOG_LEVEL: 'error' });
  const logs = errorLog();
  app = await buildApp({ config, database, logStream: logs.stream });
  await bootstrapAdmin(app.log, database.db, config);
  const targets = await prepareTargets(app);

  const summary = await runFuzz({ app, database }, targets, {
    numRuns, seed, stopOnFirst, explain: logs.explain, progressEvery: 2_000, log: (line) => console.log(line),
  });
  console.log(formatSummary(summary, { perOperation: true }));
  return summary.findings.length ? 1 : 0;
}

process.once('SIGINT', () => { void cleanUp().finally(() => process.exit(130)); });

main()
  .then(async (code) => { await cleanUp(); process.exitCode = code; })
  .catch(async (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    await cleanUp().catch((err: unknown) => console.error('could not drop', dbName, err));
    process.exitCode = 1;
  });
