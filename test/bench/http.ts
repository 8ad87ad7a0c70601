// npm run bench: the service over real HTTP, side by side with the bare stack (bare-stack.ts), each
// a process of its own on fresh databases of the same PostgreSQL, with the load generated in this
// process by autocannon. Prints each scenario's rate and latency and its ratio to the bare stack's
// same-shaped endpoint. Not a test: it asserts nothing about speed (docs/benchmark.md).
//
//   BENCH_LABELS       store steps measured per step scenario (default 2000; 200 more warm up first)
//   BENCH_CONCURRENCY  connections (default 32)
//   BENCH_SERVICE      'compiled' (default: node dist/server.js, built when stale) or 'tsx' (tsx src/server.ts)
//   BENCH_SERVICE_DIR  where the service's sources are (default: this checkout), to measure another commit
//   BENCH_ONLY         run only these scenarios, comma-separated: steps10, steps1, paced, others (default all),
//                      or issue (batch issuance alone)
//   BENCH_ISSUE_CONNECTIONS  concurrent requests of issuance alone (default 4; 1 shows its database
//                      time without lock waits, with BENCH_PROFILE_SQL)
//   BENCH_ROUNDS       rounds of the step scenarios, bare stack and service in turn (default 1); with
//                      more, each round is printed and the median ratio closes the table
//   BENCH_SERVICE_NODE_OPTIONS  NODE_OPTIONS for the service only, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'
//   BENCH_SERVICE_SQL  SQL run on the service's database once it is migrated and serving, for an
//                      experiment (dropping an index or a trigger to see what it costs a step)
//   BENCH_PROFILE_SQL  '1': track the database functions of the service's step and issuance scenarios and print
//                      each one's calls and time per step or request (pg_stat_user_functions)
//   DATABASE_URL       a PostgreSQL on this machine (default postgres://postgres@127.0.0.1:5432/postgres)
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import fs from 'node:fs';
import autocannon from 'autocannon';
import { withCheckCharacter } from '../../src/parties/uscc.js';
import { compiledServer, ensureBuilt, freePort, root, stop, tsx, waitReady } from '../support/server-process.js';
import { json } from './http-json.js';
import pg from 'pg';
import { BENCH_SERVER_URL, freshDatabase } from './fresh-database.js';
import { databaseUrl } from '../support/database-url.js';

const N = Number(process.env.BENCH_LABELS ?? 2000);
const WARMUP = 200;
const CONNECTIONS = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SERVICE_DIR = process.env.BENCH_SERVICE_DIR ?? root;
const ADMIN = { clientId: 'cl_bench_admin', clientSecret: 'bench-admin-secret-123' };
const DISTRICTS = ['140105', '140106', '140107', '140108', '140109', '140110', '140121', '140122', '140123', '140181'];
const BATCH = 500; // labels per issuance request
const ISSUE_REQUESTS = 20;

/** CPU time a process has used, in ms (Linux /proc; clock ticks of 10 ms), or NaN elsewhere. */
function cpuMs(pid: number | string | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of the PostgreSQL backends serving one database (their title names it), in ms. Other
 * databases' backends on the same server (tests, other benchmarks) are left out; the server's shared
 * processes (WAL writer, checkpointer) are too, so this is the statements' own cost.
 */
function databaseCpuMs(database: string | undefined): number {
  if (!database) return NaN;
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let title: string;
    try { title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (title.startsWith('postgres: ') && title.includes(` ${database} `)) total += cpuMs(pid) || 0;
  }
  return total;
}

/** What a load's CPU is charged to: the server process and its database. */
interface Meter { pid?: number; database?: string }

interface Target { method?: 'GET' | 'POST'; path: string; token?: string; body?: string }
const headersOf = (t: Target) => ({ 'content-type': 'application/json', ...(t.token ? { authorization: `Bearer ${t.token}` } : {}) });
interface Result { ok: number; failed: number; rate: number; p50: number; p99: number; unit: string; cpuMsPerRequest?: number; dbCpuMsPerRequest?: number }

/**
 * Sends one request per target, `connections` at a time. The rate is the 2xx answers over the time
 * from the first request to the last answer (autocannon's own duration is in whole seconds).
 */
async function load(
  url: string, targets: Target[], unit = 'req', perRequest = 1, connections = CONNECTIONS, meter: Meter = {},
): Promise<Result> {
  let i = 0;
  const cpuBefore = cpuMs(meter.pid);
  const dbCpuBefore = databaseCpuMs(meter.database);
  let last = 0;
  const started = performance.now();
  const result = await autocannon({
    url, connections, amount: targets.length,
    requests: [{
      setupRequest: (req) => {
        const t = targets[i++ % targets.length];
        return {
          ...req, method: t.method ?? 'POST', path: t.path, body: t.body,
          headers: headersOf(t),
        };
      },
      onResponse: () => { last = performance.now(); },
    }],
  });
  const ok = result['2xx'];
  return {
    ok, failed: result.non2xx + result.errors, rate: (ok * perRequest) / ((last - started) / 1000), p50: result.latency.p50, p99: result.latency.p99, unit,
    cpuMsPerRequest: (cpuMs(meter.pid) - cpuBefore) / targets.length,
    dbCpuMsPerRequest: (databaseCpuMs(meter.database) - dbCpuBefore) / targets.length,
  };
}

/**
 * A fixed amount of requests at a fixed rate, for latency at a given load (half the peak, say), as
 * an open loop: request i is due at start + i / rate and is sent then whether or not earlier ones
 * have been answered (on as many keep-alive sockets as that takes), and its latency counts from when
 * it was due, so a stall delays every request behind it in the figures too (no coordinated
 * omission). autocannon paces each connection on its own, and its connections fire together: the
 * latency it reports at a given rate grew with the number of connections (docs/benchmark.md).
 */
async function paced(url: string, targets: Target[], ratePerSecond: number): Promise<Result> {
  const { hostname, port } = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const start = performance.now() + 50;
  await Promise.all(targets.map((t, i) => new Promise<void>((resolve) => {
    const due = start + (i * 1000) / ratePerSecond;
    setTimeout(() => {
      const done = (good: boolean) => {
        latencies.push(performance.now() - due);
        if (good) ok++; else failed++;
        resolve();
      };
      const req = http.request({
        agent, hostname, port, method: t.method ?? 'POST', path: t.path,
        headers: headersOf(t),
      }, (res) => {
        res.resume();
        res.on('end', () => done((res.statusCode ?? 0) < 300));
      });
      req.on('error', () => done(false));
      req.end(t.body);
    }, Math.max(0, due - performance.now()));
  })));
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
  return { ok, failed, rate: ratePerSecond, p50: at(0.5), p99: at(0.99), unit: 'req' };
}


/** Runs a query on one of the benchmark's databases (BENCH_SERVICE_SQL: an experiment on the migrated schema). */
async function runOn(database: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: databaseUrl(BENCH_SERVER_URL, database) });
  await c.connect();
  try { return await c.query(text); } finally { await c.end(); }
}

const PROFILE_SQL = process.env.BENCH_PROFILE_SQL === '1';
const profiles: string[] = [];

/** The database functions' (and triggers') call counts and times so far, from pg_stat_user_functions. */
async function functionTimes(database: string): Promise<Map<string, { calls: number; total: number; self: number }>> {
  await new Promise((r) => setTimeout(r, 1500)); // backends flush their statistics about once a second
  const { rows } = await runOn(database, 'SELECT funcname, calls, total_time, self_time FROM pg_stat_user_functions');
  return new Map(rows.map((r) => [r.funcname as string, { calls: Number(r.calls), total: Number(r.total_time), self: Number(r.self_time) }]));
}

/** Per step: each function's calls, total and own (self) time in ms, busiest first. */
function functionProfile(before: Awaited<ReturnType<typeof functionTimes>>, after: Awaited<ReturnType<typeof functionTimes>>, steps: number, per = 'step'): string {
  const rows = [...after].map(([name, a]) => {
    const b = before.get(name) ?? { calls: 0, total: 0, self: 0 };
    return { name, calls: (a.calls - b.calls) / steps, total: (a.total - b.total) / steps, self: (a.self - b.self) / steps };
  }).filter((r) => r.calls > 0).sort((x, y) => y.total - x.total);
  return ['', `| function (per ${per}) | calls | total ms | self ms |`, '|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.calls.toFixed(2)} | ${r.total.toFixed(3)} | ${r.self.toFixed(3)} |`)].join('\n');
}

async function startService() {
  const db = await freshDatabase();
  if (PROFILE_SQL) await runOn(db.name, `ALTER DATABASE ${db.name} SET track_functions = 'all'`);
  const port = await freePort();
  const compiled = (process.env.BENCH_SERVICE ?? 'compiled') === 'compiled';
  if (compiled) ensureBuilt();
  const [cmd, args] = compiled ? [compiledServer[0], [...compiledServer[1]]] : [tsx, ['src/server.ts']];
  const child = spawn(cmd, args, {
    cwd: SERVICE_DIR, stdio: 'ignore',
    env: {
      ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
      NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS ?? '',
    },
  });
  await waitReady(port, child, 180_000);
  const base = `http://127.0.0.1:${port}`;
  const admin = (await json(base, 'POST', '/api/v1/auth/token', undefined, ADMIN)).accessToken as string;
  if (process.env.BENCH_SERVICE_SQL) await runOn(db.name, process.env.BENCH_SERVICE_SQL);
  return { base, admin, meter: { pid: child.pid, database: db.name }, stop: async () => { await stop(child); await db.drop(); } };
}

async function party(base: string, admin: string, roles: string[], regionCode: string, n: number) {
  const org = await json(base, 'POST', '/api/v1/orgs', admin, {
    uscc: withCheckCharacter(`91${regionCode}${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`),
    name: `基准测试单位 ${n}`, roles, regionCode, ...(roles.includes('generator') ? { generatorClass: 'industrial' } : {}),
    contact: { name: '张三', phone: '13800000000' }, address: '太原市',
  });
  const client = await json(base, 'POST', `/api/v1/orgs/${org.id}/clients`, admin, { name: 'handset', roles: ['admin', 'operator', 'viewer'] });
  const token = (await json(base, 'POST', '/api/v1/auth/token', undefined, { clientId: client.clientId, clientSecret: client.clientSecret })).accessToken as string;
  return { org, token };
}

const labelItem = (daysBack: number, wasteCode = '900-214-08') => ({
  wasteCode, physicalForm: 'liquid', mainComponents: '废矿物油', harmfulComponents: '多环芳烃',
  quantity: { value: 180, unit: 'kg' }, packaging: { type: 'drum', volumeL: 200 },
  generatedAt: new Date(Date.now() - daysBack * 86_400_000 - 60_000).toISOString(),
});

/** Generators with a storage facility and their issued labels: one store target per label. */
async function storeTargets(base: string, admin: string, generators: number) {
  const targets: Target[] = [];
  const labels: Array<{ id: string; qrContent: string; token: string }> = [];
  const orgs: string[] = [];
  const per = Math.ceil((N + WARMUP) / generators);
  for (let g = 0; g < generators; g++) {
    const { org, token } = await party(base, admin, ['generator'], DISTRICTS[g % 10], g);
    orgs.push(org.id);
    const facility = await json(base, 'POST', `/api/v1/orgs/${org.id}/facilities`, token, { code: 'WH-01', name: '贮存库', kind: 'storage', storageType: 'warehouse', capacityKg: 1e7 });
    for (let done = 0, batch = 0; done < per; batch++) {
      const size = Math.min(BATCH, per - done);
      const issued = await json(base, 'POST', '/api/v1/labels/batch', token, { items: Array(size).fill(labelItem(batch)) });
      for (const l of issued.items) {
        targets.push({ path: `/api/v1/labels/${l.id}/actions`, token, body: JSON.stringify({ action: 'store', facilityId: facility.id }) });
        labels.push({ id: l.id, qrContent: l.qrContent, token });
      }
      done += size;
    }
  }
  // Interleave the generators, as handsets in ten districts would.
  const order = targets.map((t, k) => ({ t, k })).sort((a, b) => a.t.path.localeCompare(b.t.path));
  return { targets: order.map((o) => o.t), labels, orgs };
}

async function serviceSteps(generators: number) {
  const s = await startService();
  try {
    const { targets } = await storeTargets(s.base, s.admin, generators);
    await load(s.base, targets.slice(0, WARMUP));
    const before = PROFILE_SQL ? await functionTimes(s.meter.database) : undefined;
    const result = await load(s.base, targets.slice(WARMUP, WARMUP + N), 'steps', 1, CONNECTIONS, s.meter);
    if (before) profiles.push(functionProfile(before, await functionTimes(s.meter.database), N));
    return result;
  } finally {
    await s.stop();
  }
}

/** Latency at half the peak: the same store steps, paced. */
async function serviceStepsPaced(generators: number, rate: number) {
  const s = await startService();
  try {
    const { targets } = await storeTargets(s.base, s.admin, generators);
    await load(s.base, targets.slice(0, WARMUP));
    return await paced(s.base, targets.slice(WARMUP, WARMUP + N), rate);
  } finally {
    await s.stop();
  }
}

/** Reads and issuance on the data of one generator's stored labels, with a city regulator searching. */
async function serviceOthers() {
  const s = await startService();
  try {
    const { targets, labels, orgs } = await storeTargets(s.base, s.admin, 1);
    await load(s.base, targets); // every label stored: the reads see a step history
    const regulator = await party(s.base, s.admin, ['regulator'], '140100', 99);
    const gen = labels[0].token;
    const scan = labels.map((l) => ({ path: '/api/v1/scan', token: l.token, body: JSON.stringify({ qr: l.qrContent }) }));
    const trace = labels.map((l) => ({ method: 'GET' as const, path: `/api/v1/labels/${l.id}/trace`, token: l.token }));
    const search = labels.slice(0, 1000).map(() => ({ method: 'GET' as const, path: '/api/v1/supervision/labels?limit=50', token: regulator.token }));
    const csv = Array.from({ length: 20 }, () => ({ method: 'GET' as const, path: `/api/v1/orgs/${orgs[0]}/ledger?format=csv`, token: gen }));
    const issue = issueTargets(gen);
    return {
      scan: await load(s.base, scan, 'req', 1, CONNECTIONS, s.meter),
      trace: await load(s.base, trace, 'req', 1, CONNECTIONS, s.meter),
      search: await load(s.base, search, 'req', 1, CONNECTIONS, s.meter),
      csv: await load(s.base, csv, 'rows', labels.length * 2, 4, s.meter),
      issue: await load(s.base, issue, 'labels', BATCH, 4, s.meter),
    };
  } finally {
    await s.stop();
  }
}

// Each request its own generation day (from `firstDay` days back), so no (unit, code, day) reaches its 999 labels.
const issueTargets = (token: string, requests = ISSUE_REQUESTS, firstDay = 30) =>
  Array.from({ length: requests }, (_, k) => ({ path: '/api/v1/labels/batch', token, body: JSON.stringify({ items: Array(BATCH).fill(labelItem(firstDay + k, '900-249-08')) }) }));

/** Batch issuance alone, on a fresh generator (BENCH_ONLY=issue: e.g. to profile it). */
async function serviceIssue() {
  const s = await startService();
  try {
    const { token } = await party(s.base, s.admin, ['generator'], DISTRICTS[0], 0);
    await load(s.base, issueTargets(token, 4, 30 + ISSUE_REQUESTS), 'labels', BATCH, 4); // warm-up
    const before = PROFILE_SQL ? await functionTimes(s.meter.database) : undefined;
    const result = await load(s.base, issueTargets(token), 'labels', BATCH, Number(process.env.BENCH_ISSUE_CONNECTIONS ?? 4), s.meter);
    if (before) profiles.push(functionProfile(before, await functionTimes(s.meter.database), ISSUE_REQUESTS, 'request of 500 labels'));
    return result;
  } finally {
    await s.stop();
  }
}

async function startBare(regions: number) {
  const db = await freshDatabase();
  const port = await freePort();
  // One process (not the tsx CLI, which runs the script in a child), so that its CPU time can be read.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/bench/bare-stack.ts')], { cwd: root, stdio: 'ignore', env: { ...process.env, BARE_DATABASE_URL: db.url, BARE_PORT: String(port) } });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { await json(base, 'POST', '/setup', undefined, { labels: N + WARMUP, regions }); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 250)); }
  }
  return { base, meter: { pid: child.pid, database: db.name }, stop: async () => { await stop(child); await db.drop(); } };
}

async function bareSteps(regions: number) {
  const b = await startBare(regions);
  try {
    const targets = Array.from({ length: N + WARMUP }, (_, id) => ({ path: `/steps/${id}`, body: '{}' }));
    await load(b.base, targets.slice(0, WARMUP));
    return await load(b.base, targets.slice(WARMUP), 'steps', 1, CONNECTIONS, b.meter);
  } finally {
    await b.stop();
  }
}

async function bareOthers() {
  const b = await startBare(1);
  try {
    const ids = Array.from({ length: N + WARMUP }, (_, id) => id);
    await load(b.base, ids.map((id) => ({ path: `/steps/${id}`, body: '{}' })));
    return {
      scan: await load(b.base, ids.map((id) => ({ method: 'GET' as const, path: `/labels/${id}` })), 'req', 1, CONNECTIONS, b.meter),
      trace: await load(b.base, ids.map((id) => ({ method: 'GET' as const, path: `/trace/${id}` })), 'req', 1, CONNECTIONS, b.meter),
      search: await load(b.base, ids.slice(0, 1000).map(() => ({ method: 'GET' as const, path: '/search' })), 'req', 1, CONNECTIONS, b.meter),
      csv: await load(b.base, Array.from({ length: 20 }, () => ({ method: 'GET' as const, path: '/export' })), 'rows', ids.length, 4, b.meter),
      issue: await load(b.base, Array.from({ length: ISSUE_REQUESTS }, () => ({ path: `/issue/${BATCH}`, body: '{}' })), 'labels', BATCH, 4, b.meter),
    };
  } finally {
    await b.stop();
  }
}

const ms = (v?: number) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(2));
const fmt = (name: string, r: Result, bare?: Result) =>
  `| ${name} | ${r.rate.toFixed(0)} ${r.unit}/s | ${r.p50} / ${r.p99} | ${r.ok} ok, ${r.failed} failed | ${ms(r.cpuMsPerRequest)} | ${ms(r.dbCpuMsPerRequest)} | ${bare ? `${bare.rate.toFixed(0)} | ${ms(bare.cpuMsPerRequest)} | ${ms(bare.dbCpuMsPerRequest)} | ${(r.rate / bare.rate).toFixed(2)} ×` : '| | | '} |`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const only = new Set((process.env.BENCH_ONLY ?? 'steps10,steps1,paced,others').split(','));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
const out = [
  `${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${CONNECTIONS} connections, ${N} steps per step scenario (+${WARMUP} warm-up), ${ROUNDS} round(s), service: ${process.env.BENCH_SERVICE ?? 'compiled'} from ${SERVICE_DIR}, load average at start ${os.loadavg()[0].toFixed(2)}`,
  '',
  '| scenario | service | p50 / p99 ms | answers | API CPU ms/req | its DB CPU ms/req | bare stack | bare CPU ms/req | its DB CPU ms/req | ratio |',
  '|---|---|---|---|---|---|---|---|---|---|',
];

/**
 * A step scenario in rounds, the bare stack and then the service each round, so that both see the
 * same machine state; the machine drifts between rounds (other work, the disk), so the ratio's median
 * over rounds is the figure to compare, and each round's row shows the spread.
 */
async function stepRounds(name: string, generators: number): Promise<Result> {
  const rounds: Array<{ service: Result; bare: Result }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    const bare = await bareSteps(generators);
    const service = await serviceSteps(generators);
    rounds.push({ service, bare });
    out.push(fmt(ROUNDS > 1 ? `${name}, round ${r + 1}` : name, service, bare));
  }
  if (ROUNDS > 1) {
    const ratios = rounds.map((x) => x.service.rate / x.bare.rate);
    out.push(`| ${name}, median of ${ROUNDS} | ${median(rounds.map((x) => x.service.rate)).toFixed(0)} steps/s | | | ${ms(median(rounds.map((x) => x.service.cpuMsPerRequest ?? NaN)))} | ${ms(median(rounds.map((x) => x.service.dbCpuMsPerRequest ?? NaN)))} | ${median(rounds.map((x) => x.bare.rate)).toFixed(0)} | ${ms(median(rounds.map((x) => x.bare.cpuMsPerRequest ?? NaN)))} | ${ms(median(rounds.map((x) => x.bare.dbCpuMsPerRequest ?? NaN)))} | ${median(ratios).toFixed(2)} × (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`);
  }
  return { ...rounds[0].service, rate: median(rounds.map((x) => x.service.rate)) };
}

let service10: Result = { ok: 0, failed: 0, rate: 0, p50: 0, p99: 0, unit: '' };
if (only.has('steps10') || only.has('paced')) service10 = await stepRounds('store steps, 10 generators in 10 districts', 10);
if (only.has('steps1')) await stepRounds('store steps, 1 generator', 1);
if (only.has('paced')) {
  const halfPeak = await serviceStepsPaced(10, service10.rate / 2);
  out.push(`| store steps, 10 generators, paced at half the peak (${halfPeak.rate.toFixed(0)}/s) | | ${halfPeak.p50} / ${halfPeak.p99} | ${halfPeak.ok} ok, ${halfPeak.failed} failed | | | | | | |`);
}
if (only.has('issue')) {
  const bare = await startBare(1);
  let bareIssue: Result;
  try {
    bareIssue = await load(bare.base, Array.from({ length: ISSUE_REQUESTS }, () => ({ path: `/issue/${BATCH}`, body: '{}' })), 'labels', BATCH, 4, bare.meter);
  } finally {
    await bare.stop();
  }
  out.push(fmt(`batch issuance alone, ${BATCH} a request, signed QR`, await serviceIssue(), bareIssue));
}
if (only.has('others')) {
  const bareRest = await bareOthers();
  const rest = await serviceOthers();
  out.push(
    fmt('scan (QR verified, label, offered actions)', rest.scan, bareRest.scan),
    fmt('label trace', rest.trace, bareRest.trace),
    fmt('supervision search, 50 a page', rest.search, bareRest.search),
    fmt('ledger CSV export', rest.csv, bareRest.csv),
    fmt(`batch issuance, ${BATCH} a request, signed QR`, rest.issue, bareRest.issue),
  );
}
process.stdout.write(`${[...out, ...profiles].join('\n')}\n`);
