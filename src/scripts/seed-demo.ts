// npm run seed:demo: builds the demo city (README "Demo city") on the configured database — DATABASE_URL,
// or the embedded server with the same data directory as `npm start` — through the real app's HTTP API.
// Refuses to run on a database that already holds the demo (it is not idempotent).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { connect, type Database } from '../db/database.js';
import { runMigrations } from '../db/migrate.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.js';
import { buildApp } from '../app.js';
import { bootstrapAdmin } from '../parties/bootstrap.js';
import { buildDemoCity, DEMO_MIN_WINDOW_DAYS, findDemoData, type DemoCredential, type DemoResult } from '../demo/demo-city.js';

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Display width of a string in a terminal: CJK characters take two columns. */
const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1), 0);
const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - width(s)));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      err(`configuration error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

function report(result: DemoResult, credentialsFile: string): void {
  const { counts, alerts, credentials: c } = result;
  const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v}`).join(', ');
  const total = (r: Record<string, number>) => Object.values(r).reduce((s, n) => s + n, 0);
  out();
  out(`Demo city built in ${result.seconds} s (${result.requests} API requests${result.retries ? `, ${result.retries} of them retries after a rolled-back transaction` : ''}).`);
  out(`  organisations: ${counts.orgs}`);
  out(`  labels (${total(counts.labels)}): ${fmt(counts.labels)}`);
  out(`  manifests (${total(counts.manifests)}): ${fmt(counts.manifests)}`);
  out(`  open alerts (${total(alerts)}): ${fmt(alerts)}`);
  for (const w of result.warnings) out(`  warning: ${w}`);
  out();
  const featured: Array<[string, DemoCredential]> = [
    ['cityRegulator', c.cityRegulator], ['districtRegulator', c.districtRegulator], ['generator', c.generator],
    ['medicalGenerator', c.medicalGenerator], ['carrier', c.carrier], ['receiver', c.receiver], ['collector', c.collector],
  ];
  out(table(['role (key in the JSON)', 'organisation', 'region', 'clientId', 'clientSecret'],
    featured.map(([k, x]) => [k, x.orgName, x.regionCode, x.clientId, x.clientSecret])));
  out();
  out(`These and the clients of all ${c.orgs.length} organisations are in ${credentialsFile}.`);
  out('Next: npm start (same database), then follow the walkthrough in README.md, "Demo city".');
}

async function main(): Promise<void> {
  const env = readConfig();
  // History is reported up to a year back, as offline handsets would; no load shedding while seeding.
  const config: Config = {
    ...env,
    occurredAtWindowDays: Math.max(env.occurredAtWindowDays, 400),
    pressure: { ...env.pressure, maxEventLoopDelayMs: 0 },
  };
  let embedded: EmbeddedServer | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = path.join(config.dataDir, 'postgres');
    err(`DATABASE_URL is not set: using the embedded PostgreSQL with its data in ${dataDir} (as npm start does)`);
    embedded = await startEmbeddedPostgres(dataDir, { port: Number(process.env.EMBEDDED_PG_PORT) || undefined });
    databaseUrl = embedded.url;
  }
  let database: Database | undefined;
  try {
    database = connect(databaseUrl, config.dbPoolSize);
    await runMigrations(database.db);
    const existing = await findDemoData(database.pool);
    if (existing) {
      err(`This database already holds the demo city ("${existing}" is registered). The demo is not idempotent and`);
      err(embedded
        ? `does not add to an existing one: stop the server, remove ${path.join(config.dataDir, 'postgres')} and run npm run seed:demo again.`
        : 'does not add to an existing one: drop and re-create the database, then run npm run seed:demo again.');
      process.exitCode = 1;
      return;
    }
    const admin = config.bootstrap
      ? { clientId: config.bootstrap.clientId, clientSecret: config.bootstrap.clientSecret }
      : { clientId: 'cl_demo_admin', clientSecret: `demo-${randomBytes(12).toString('base64url')}` };
    const appConfig: Config = { ...config, bootstrap: { ...admin, regionCode: config.bootstrap?.regionCode ?? '140100' } };
    const app = await buildApp({ config: appConfig, database, logger: false });
    try {
      await bootstrapAdmin(app.log, database.db, appConfig);
      out(`City regulator (bootstrap admin): ${admin.clientId} / ${admin.clientSecret}${config.bootstrap ? ' (from BOOTSTRAP_ADMIN_CLIENT_ID/SECRET)' : ' (generated: no BOOTSTRAP_ADMIN_CLIENT_ID set)'}`);
      out(`Building the demo city (occurredAt window ${config.occurredAtWindowDays} days, at least ${DEMO_MIN_WINDOW_DAYS} needed)…`);
      const result = await buildDemoCity({ app, config: appConfig, pool: database.pool, admin, log: (l) => out(l) });
      fs.mkdirSync(config.dataDir, { recursive: true });
      const credentialsFile = path.join(config.dataDir, 'demo-credentials.json');
      fs.writeFileSync(credentialsFile, `${JSON.stringify({ api: config.publicBaseUrl, ...result.credentials }, null, 2)}\n`, { mode: 0o600 });
      const relative = path.relative(process.cwd(), credentialsFile);
      report(result, relative.startsWith('..') ? credentialsFile : relative);
    } finally {
      await app.close();
    }
  } finally {
    await database?.close();
    await embedded?.stop();
  }
}

main().catch((e) => {
  err(`seed:demo failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
