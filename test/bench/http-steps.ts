// npm run bench:http: custody steps over real HTTP, with the load generated in this process and
// the service and the bare stack (bare-stack.ts) each running as a process of its own, one after
// the other, on the same PostgreSQL. Prints steps/s and latency for each and the ratio of the
// service to the bare stack. Not a test: it asserts nothing about speed.
//
//   BENCH_LABELS       store steps measured per scenario (default 2000; 200 more warm up first)
//   BENCH_CONCURRENCY  connections (default 32)
//   BENCH_SERVICE      'compiled' (default: node dist/server.js, built when stale) or 'tsx' (tsx src/server.ts)
//   BENCH_SERVICE_DIR  where the service's sources are (default: this checkout), to measure another commit
//   DATABASE_URL       a PostgreSQL on this machine (default postgres://postgres@127.0.0.1:5432/postgres)
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import autocannon from 'autocannon';
import { withCheckCharacter } from '../../src/parties/uscc.js';
import { compiledServer, ensureBuilt, freePort, root, tsx, waitReady } from '../support/server-process.js';

const N = Number(process.env.BENCH_LABELS ?? 2000);
const WARMUP = 200;
const CONNECTIONS = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVICE_DIR = process.env.BENCH_SERVICE_DIR ?? root;
const ADMIN = { clientId: 'cl_bench_admin', clientSecret: 'bench-admin-secret-123' };

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hw_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: SERVER_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function json(base: string, method: string, p: string, token?: string, body?: unknown) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${base}${p}`, {
      method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 503 && attempt < 30) { await new Promise((r) => setTimeout(r, 500)); continue; }
    if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<any>;
  }
}

interface Target { path: string; token?: string; body: string }

/** Sends one POST per target, CONNECTIONS at a time, and reports what autocannon measured. */
async function load(url: string, targets: Target[]) {
  let i = 0;
  const started = performance.now(); // autocannon's own duration is in whole seconds: too coarse here
  const result = await autocannon({
    url, connections: CONNECTIONS, amount: targets.length,
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        const t = targets[i++ % targets.length];
        return { ...req, path: t.path, body: t.body, headers: { 'content-type': 'application/json', ...(t.token ? { authorization: `Bearer ${t.token}` } : {}) } };
      },
    }],
  });
  const seconds = (performance.now() - started) / 1000;
  const ok = result['2xx'];
  return { ok, failed: result.non2xx + result.errors, rate: ok / seconds, p50: result.latency.p50, p99: result.latency.p99 };
}

async function serviceScenario(generators: number) {
  const db = await freshDatabase();
  const port = await freePort();
  const compiled = (process.env.BENCH_SERVICE ?? 'compiled') === 'compiled';
  if (compiled) ensureBuilt();
  const [cmd, args] = compiled ? [compiledServer[0], [...compiledServer[1]]] : [tsx, ['src/server.ts']];
  const child = spawn(cmd, args, {
    cwd: SERVICE_DIR, stdio: 'ignore',
    env: {
      ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
    },
  });
  try {
    await waitReady(port, child, 180_000);
    const base = `http://127.0.0.1:${port}`;
    const admin = (await json(base, 'POST', '/api/v1/auth/token', undefined, ADMIN)).accessToken;
    const districts = ['140105', '140106', '140107', '140108', '140109', '140110', '140121', '140122', '140123', '140181'];
    const targets: Target[] = [];
    const per = Math.ceil((N + WARMUP) / generators);
    for (let g = 0; g < generators; g++) {
      const org = await json(base, 'POST', '/api/v1/orgs', admin, {
        uscc: withCheckCharacter(`91${districts[g % 10]}${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`),
        name: `基准测试化工 ${g}`, roles: ['generator'], regionCode: districts[g % 10], generatorClass: 'industrial',
        contact: { name: '张三', phone: '13800000000' }, address: '太原市',
      });
      const client = await json(base, 'POST', `/api/v1/orgs/${org.id}/clients`, admin, { name: 'handset', roles: ['admin', 'operator'] });
      const token = (await json(base, 'POST', '/api/v1/auth/token', undefined, { clientId: client.clientId, clientSecret: client.clientSecret })).accessToken;
      const facility = await json(base, 'POST', `/api/v1/orgs/${org.id}/facilities`, token, { code: 'WH-01', name: '贮存库', kind: 'storage', storageType: 'warehouse', capacityKg: 1e7 });
      for (let done = 0, batch = 0; done < per; batch++) {
        const size = Math.min(500, per - done);
        const item = {
          wasteCode: '900-214-08', physicalForm: 'liquid', mainComponents: '废矿物油', harmfulComponents: '多环芳烃',
          quantity: { value: 180, unit: 'kg' }, packaging: { type: 'drum', volumeL: 200 }, generatedAt: new Date(Date.now() - batch * 86_400_000 - 60_000).toISOString(),
        };
        const issued = await json(base, 'POST', '/api/v1/labels/batch', token, { items: Array(size).fill(item) });
        for (const l of issued.items) targets.push({ path: `/api/v1/labels/${l.id}/actions`, token, body: JSON.stringify({ action: 'store', facilityId: facility.id }) });
        done += size;
      }
    }
    // Interleave the generators, as handsets in ten districts would.
    targets.sort((a, b) => a.path.localeCompare(b.path));
    await load(base, targets.slice(0, WARMUP));
    return await load(base, targets.slice(WARMUP, WARMUP + N));
  } finally {
    await stopChild(child);
    await db.drop();
  }
}

async function bareScenario(regions: number) {
  const db = await freshDatabase();
  const port = await freePort();
  const child = spawn(tsx, [path.join(root, 'test/bench/bare-stack.ts')], { cwd: root, stdio: 'ignore', env: { ...process.env, BARE_DATABASE_URL: db.url, BARE_PORT: String(port) } });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try { await json(base, 'POST', '/setup', undefined, { labels: N + WARMUP, regions }); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 250)); }
    }
    const ids = Array.from({ length: N + WARMUP }, (_, i) => i);
    const targets = ids.map((id) => ({ path: `/steps/${id}`, body: '{}' }));
    await load(base, targets.slice(0, WARMUP));
    return await load(base, targets.slice(WARMUP));
  } finally {
    await stopChild(child);
    await db.drop();
  }
}

const fmt = (name: string, r: { ok: number; failed: number; rate: number; p50: number; p99: number }, bare?: number) =>
  `${name.padEnd(40)} ${String(r.ok).padStart(5)} ok ${String(r.failed).padStart(4)} failed ${r.rate.toFixed(0).padStart(6)} steps/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms${bare ? `  ${(r.rate / bare).toFixed(2)} × bare` : ''}`;

const bare10 = await bareScenario(10);
const bare1 = await bareScenario(1);
const service10 = await serviceScenario(10);
const service1 = await serviceScenario(1);
process.stdout.write(`node ${process.version}, ${CONNECTIONS} connections, ${N} steps per scenario (+${WARMUP} warm-up), service: ${process.env.BENCH_SERVICE ?? 'compiled'} from ${SERVICE_DIR}\n`);
process.stdout.write(`${fmt('bare stack, 10 regions', bare10)}\n${fmt('bare stack, 1 region', bare1)}\n`);
process.stdout.write(`${fmt('service, 10 generators in 10 districts', service10, bare10.rate)}\n${fmt('service, 1 generator', service1, bare1.rate)}\n`);
