// npm run bench: custody steps per second through the whole stack (routing, bearer-token check,
// validation, one transaction with lock + update + step + ledger + audit entry, serialisation).
// Not a test: it prints numbers and asserts nothing about speed. "API CPU" is the CPU time of this
// process (app + harness) per request: compare it with the wall time to see what waits.
//
//   BENCH_LABELS       labels to store and then scan (default 2000)
//   BENCH_CONCURRENCY  requests in flight at once (default 32)
//   BENCH_WARMUP       extra labels stored/scanned first and not measured (default 100)
//   BENCH_GENERATORS   generators the labels are spread over, one per district in turn (default 1:
//                      every step then waits for the same audit chain and ledger counter rows)
//   DB_POOL_SIZE       the app's pool size, as in production (default 10)
//   DATABASE_URL       a PostgreSQL server on this machine; without it an embedded server is
//                      started under the OS temp dir. A fresh database is created and dropped.
//
// Requests go through app.inject (no sockets); the only network peer is PostgreSQL on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { connect, type Database } from '../../src/db/database.js';
import { runMigrations } from '../../src/db/migrate.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { bootstrapAdmin } from '../../src/parties/bootstrap.js';
import { withCheckCharacter } from '../../src/parties/uscc.js';
import { listRegions } from '../../src/catalog/regions.js';
import type { App } from '../../src/context.js';

const ADMIN = { clientId: 'cl_bench_admin', clientSecret: 'bench-admin-secret-123' };
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function envInt(name: string, def: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number between ${min} and ${max}`);
  return n;
}

const N = envInt('BENCH_LABELS', 2000, 1, 100_000);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 32, 1, 1000);
const WARMUP = envInt('BENCH_WARMUP', 100, 0, 10_000);
const GENERATORS = envInt('BENCH_GENERATORS', 1, 1, 100);
const POOL = envInt('DB_POOL_SIZE', 10, 1, 200);

function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

interface Injected { statusCode: number; body: string; json(): any }

async function call(app: App, method: 'GET' | 'POST', url: string, token?: string, payload?: unknown): Promise<Injected> {
  return app.inject({
    method, url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

async function expectStatus(res: Injected, status: number, what: string): Promise<any> {
  if (res.statusCode !== status) throw new Error(`${what}: HTTP ${res.statusCode} ${res.body}`);
  return res.json();
}

/**
 * Set-up calls wait out a 503 as a well-behaved client would: right after start the load-shedding
 * check can still see the event-loop delay of compiling every route's schemas.
 */
async function setupCall(app: App, method: 'GET' | 'POST', url: string, token?: string, payload?: unknown): Promise<Injected> {
  for (let attempt = 0; ; attempt++) {
    const res = await call(app, method, url, token, payload);
    if (res.statusCode !== 503 || attempt >= 30) return res;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function login(app: App, clientId: string, clientSecret: string): Promise<string> {
  return (await expectStatus(await setupCall(app, 'POST', '/api/v1/auth/token', undefined, { clientId, clientSecret }), 200, 'token')).accessToken;
}

/** A generator with a storage facility, registered through the API as a registrar would. */
async function registerGenerator(app: App, admin: string, regionCode: string, n: number) {
  const first17 = `91${regionCode}${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`; // hex digits are all USCC characters
  const org = await expectStatus(await setupCall(app, 'POST', '/api/v1/orgs', admin, {
    uscc: withCheckCharacter(first17), name: `基准测试化工有限公司 ${n}`, roles: ['generator'], regionCode,
    generatorClass: 'industrial', contact: { name: '张三', phone: '13800000000' }, address: '太原市小店区',
  }), 201, 'register organisation');
  const client = await expectStatus(await setupCall(app, 'POST', `/api/v1/orgs/${org.id}/clients`, admin, {
    name: 'bench handset', roles: ['admin', 'operator'],
  }), 201, 'create client');
  const token = await login(app, client.clientId, client.clientSecret);
  const facility = await expectStatus(await setupCall(app, 'POST', `/api/v1/orgs/${org.id}/facilities`, token, {
    code: 'WH-01', name: '危废贮存库', kind: 'storage', storageType: 'warehouse', capacityKg: 10_000_000,
  }), 201, 'create facility');
  return { token, facilityId: facility.id as string };
}

interface BenchLabel { id: string; qrContent: string; token: string; facilityId: string }

/**
 * Issues labels in batches of at most 500. Each batch is dated one day earlier than the one before
 * so no (unit, waste code, day) passes the 999 labels the digital code allows.
 */
async function issueLabels(app: App, g: { token: string; facilityId: string }, count: number): Promise<BenchLabel[]> {
  const out: BenchLabel[] = [];
  for (let batch = 0; out.length < count; batch++) {
    const size = Math.min(500, count - out.length);
    const generatedAt = new Date(Date.now() - batch * 86_400_000 - 60_000).toISOString();
    const item = {
      wasteCode: '900-214-08', physicalForm: 'liquid', mainComponents: '废矿物油', harmfulComponents: '多环芳烃',
      precautions: '远离火源', quantity: { value: 180, unit: 'kg' }, packaging: { type: 'drum', volumeL: 200 }, generatedAt,
    };
    const res = await expectStatus(await setupCall(app, 'POST', '/api/v1/labels/batch', g.token, { items: Array(size).fill(item) }), 201, 'issue batch');
    for (const l of res.items) out.push({ id: l.id, qrContent: l.qrContent, ...g });
  }
  return out;
}

interface RunResult { ok: number; failed: number; firstFailure?: string; seconds: number; cpuMs: number; latenciesMs: number[] }

/** Runs one request per item with `concurrency` in flight; latency is measured per request. */
async function run<T>(items: T[], concurrency: number, request: (item: T) => Promise<Injected>, expected: number): Promise<RunResult> {
  const latenciesMs: number[] = [];
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      const t0 = process.hrtime.bigint();
      const res = await request(item);
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.statusCode === expected) ok++;
      else {
        failed++;
        firstFailure ??= `HTTP ${res.statusCode} ${res.body.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const cpu = process.cpuUsage(cpuStart);
  return { ok, failed, firstFailure, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuMs: (cpu.user + cpu.system) / 1000, latenciesMs };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function report(name: string, r: RunResult): void {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(1).padStart(7);
  process.stdout.write(
    `${name.padEnd(34)} ${String(r.ok).padStart(6)} ok ${String(r.failed).padStart(4)} failed  `
    + `${(r.ok / r.seconds).toFixed(0).padStart(6)} /s   p50 ${f(percentile(sorted, 50))} ms  `
    + `p95 ${f(percentile(sorted, 95))} ms  p99 ${f(percentile(sorted, 99))} ms  `
    + `API CPU ${(r.cpuMs / (r.ok + r.failed)).toFixed(2)} ms/request\n`,
  );
  if (r.firstFailure) process.stdout.write(`  first failure: ${r.firstFailure}\n`);
}

async function main(): Promise<number> {
  const cleanups: Array<() => Promise<unknown>> = [];
  let failed = false;
  try {
    let serverUrl = process.env.DATABASE_URL;
    if (serverUrl) {
      const host = new URL(serverUrl).hostname;
      if (!LOOPBACK.has(host)) throw new Error(`the benchmark only talks to a PostgreSQL on this machine; DATABASE_URL points at ${host}`);
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-bench-pg-'));
      fs.chmodSync(dir, 0o755); // as root the server runs as the postgres user, which must reach it
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      process.stdout.write(`DATABASE_URL is not set: starting an embedded PostgreSQL under ${dir}\n`);
      const server: EmbeddedServer = await startEmbeddedPostgres(path.join(dir, 'data'));
      cleanups.push(() => server.stop());
      serverUrl = server.url;
    }

    const dbName = `hw_bench_${randomBytes(5).toString('hex')}`;
    const maintenance = new pg.Client({ connectionString: serverUrl });
    await maintenance.connect();
    await maintenance.query(`CREATE DATABASE ${dbName}`);
    await maintenance.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try { await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`); } finally { await c.end(); }
    });

    const database: Database = connect(withDatabase(serverUrl, dbName), POOL);
    cleanups.push(() => database.close());
    await runMigrations(database.db);
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.clientId,
      BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
      DB_POOL_SIZE: String(POOL),
    });
    const app = await buildApp({ config, database, logger: false });
    cleanups.push(() => app.close());
    await bootstrapAdmin(app.log, database.db, config);

    const districts = listRegions().filter((r) => r.level !== 'province' && r.level !== 'city').map((r) => r.code);
    const admin = await login(app, ADMIN.clientId, ADMIN.clientSecret);
    const generators: Array<{ token: string; facilityId: string }> = [];
    for (let i = 0; i < GENERATORS; i++) generators.push(await registerGenerator(app, admin, districts[i % districts.length], i));
    const t0 = Date.now();
    const perGenerator = await Promise.all(generators.map((g, i) =>
      issueLabels(app, g, Math.floor((N + WARMUP) / GENERATORS) + (i < (N + WARMUP) % GENERATORS ? 1 : 0))));
    // Interleaved, so that concurrent requests belong to different generators when there are several.
    const labels: BenchLabel[] = [];
    for (let j = 0; labels.length < N + WARMUP; j++) for (const ls of perGenerator) if (ls[j]) labels.push(ls[j]);
    process.stdout.write(`issued ${labels.length} labels in ${((Date.now() - t0) / 1000).toFixed(1)} s (batches of 500)\n`);
    const warm = labels.slice(0, WARMUP);
    const measured = labels.slice(WARMUP);

    const store = (l: BenchLabel) => call(app, 'POST', `/api/v1/labels/${l.id}/actions`, l.token, { action: 'store', facilityId: l.facilityId });
    const scan = (l: BenchLabel) => call(app, 'POST', '/api/v1/scan', l.token, { qr: l.qrContent });

    process.stdout.write(`node ${process.version}, ${os.cpus().length} CPUs, pool ${POOL}, concurrency ${CONCURRENCY}, `
      + `${N} labels (+${WARMUP} warm-up), ${GENERATORS} generator(s) in ${Math.min(GENERATORS, districts.length)} district(s)\n`);
    if (warm.length) {
      await run(warm, CONCURRENCY, store, 200);
      await run(warm, CONCURRENCY, scan, 200);
    }
    const stored = await run(measured, CONCURRENCY, store, 200);
    report('store (POST /labels/{id}/actions)', stored);
    const scanned = await run(measured, CONCURRENCY, scan, 200);
    report('scan  (POST /scan)', scanned);
    failed = stored.failed > 0 || scanned.failed > 0;
  } catch (e) {
    process.stderr.write(`benchmark failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    failed = true;
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try { await cleanup(); } catch (e) { process.stderr.write(`cleanup: ${String(e)}\n`); failed = true; }
    }
  }
  return failed ? 1 : 0;
}

// Exit explicitly: the run is over once the database is dropped, whatever handle is left open.
main().then((code) => process.exit(code), () => process.exit(1));
