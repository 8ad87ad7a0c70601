// npm run bench:webhooks: the webhook relay under a custody-step load (docs/benchmark.md#webhooks).
// The compiled service on a fresh database, a receiver on 127.0.0.1 verifying every delivery with
// the standardwebhooks library, one subscription to label.store; then store steps are recorded at
// full speed (32 connections) and paced, while the receiver notes when each event arrives. Prints
// the step rate, the delivery rate, and the delay from the change (the event's occurredAt, taken
// in the step's transaction) to its delivery, p50/p99, and how long after the last step the last
// event arrived. Not a test: it asserts nothing about speed.
//
//   BENCH_LABELS  store steps per run (default 2000)
//   BENCH_PACED   steps per second of the paced run (default 150)
//   DATABASE_URL  a PostgreSQL on this machine (default postgres://postgres@127.0.0.1:5432/postgres)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { Webhook } from 'standardwebhooks';
import { withCheckCharacter } from '../../src/parties/uscc.js';
import { compiledServer, ensureBuilt, freePort, stop, waitReady } from '../support/server-process.js';
import { json } from './http-json.js';
import { freshDatabase } from './fresh-database.js';

const N = Number(process.env.BENCH_LABELS ?? 2000);
const PACED = Number(process.env.BENCH_PACED ?? 150);
const ADMIN = { clientId: 'cl_bench_admin', clientSecret: 'bench-admin-secret-123' };
const DISTRICTS = ['140105', '140106', '140107', '140108', '140109', '140110', '140121', '140122', '140123', '140181'];

interface Arrival { at: number; occurredAt: number }

function receiver() {
  const arrivals = new Map<string, Arrival>();
  let secret = '';
  let bad = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const e = new Webhook(secret).verify(body, req.headers as Record<string, string>) as { id: string; occurredAt: string };
        if (!arrivals.has(e.id)) arrivals.set(e.id, { at: Date.now(), occurredAt: Date.parse(e.occurredAt) });
      } catch {
        bad++;
      }
      res.writeHead(204).end();
    });
  });
  return {
    arrivals,
    bad: () => bad,
    setSecret: (s: string) => { secret = s; },
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port))),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function startService() {
  const db = await freshDatabase();
  const port = await freePort();
  ensureBuilt();
  const child = spawn(compiledServer[0], [...compiledServer[1]], {
    stdio: 'ignore',
    env: {
      ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.clientSecret, WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
    },
  });
  await waitReady(port, child, 180_000);
  const base = `http://127.0.0.1:${port}`;
  const admin = (await json(base, 'POST', '/api/v1/auth/token', undefined, ADMIN)).accessToken as string;
  return { base, admin, stop: async () => { await stop(child); await db.drop(); } };
}

/** Ten generators in ten districts with a storage facility, n issued labels between them: one store step each. */
async function storeTargets(base: string, admin: string, n: number) {
  const targets: Array<{ path: string; token: string; body: string }> = [];
  for (let g = 0; g < 10; g++) {
    const regionCode = DISTRICTS[g];
    const org = await json(base, 'POST', '/api/v1/orgs', admin, {
      uscc: withCheckCharacter(`91${regionCode}${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`),
      name: `基准测试单位 ${g}`, roles: ['generator'], regionCode, generatorClass: 'industrial', contact: { name: '张三', phone: '13800000000' }, address: '太原市',
    });
    const client = await json(base, 'POST', `/api/v1/orgs/${org.id}/clients`, admin, { name: 'handset', roles: ['admin', 'operator', 'viewer'] });
    const token = (await json(base, 'POST', '/api/v1/auth/token', undefined, { clientId: client.clientId, clientSecret: client.clientSecret })).accessToken as string;
    const facility = await json(base, 'POST', `/api/v1/orgs/${org.id}/facilities`, token, { code: 'WH-01', name: '贮存库', kind: 'storage', storageType: 'warehouse', capacityKg: 1e7 });
    const item = { wasteCode: '900-214-08', physicalForm: 'liquid', mainComponents: '废矿物油', harmfulComponents: '多环芳烃', quantity: { value: 180, unit: 'kg' }, packaging: { type: 'drum', volumeL: 200 } };
    const issued = await json(base, 'POST', '/api/v1/labels/batch', token, { items: Array(Math.ceil(n / 10)).fill(item) });
    for (const l of issued.items) targets.push({ path: `/api/v1/labels/${l.id}/actions`, token, body: JSON.stringify({ action: 'store', facilityId: facility.id }) });
  }
  return targets.sort((a, b) => a.path.localeCompare(b.path)).slice(0, n);
}

async function steps(base: string, targets: Array<{ path: string; token: string; body: string }>, connections: number, overallRate?: number) {
  let i = 0;
  const started = performance.now();
  let last = started;
  const result = await autocannon({
    url: base, connections, amount: targets.length, ...(overallRate ? { overallRate } : {}),
    requests: [{
      setupRequest: (req) => {
        const t = targets[i++ % targets.length];
        return { ...req, method: 'POST', path: t.path, body: t.body, headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` } };
      },
      onResponse: () => { last = performance.now(); },
    }],
  });
  return { ok: result['2xx'], seconds: (last - started) / 1000, endedAt: Date.now() };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

async function run(name: string, connections: number, overallRate?: number) {
  const s = await startService();
  const r = receiver();
  try {
    const port = await r.listen();
    const targets = await storeTargets(s.base, s.admin, N);
    const sub = await json(s.base, 'POST', '/api/v1/webhook-subscriptions', s.admin, { url: `http://127.0.0.1:${port}/hook`, eventTypes: ['label.store'] });
    r.setSecret(sub.secret);
    const load = await steps(s.base, targets, connections, overallRate);
    const until = Date.now() + 300_000;
    while (r.arrivals.size < load.ok && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    const arrivals = [...r.arrivals.values()];
    const delays = arrivals.map((a) => a.at - a.occurredAt).sort((a, b) => a - b);
    const first = Math.min(...arrivals.map((a) => a.occurredAt));
    const lastAt = Math.max(...arrivals.map((a) => a.at));
    console.log(`${name}: ${load.ok} steps at ${(load.ok / load.seconds).toFixed(0)}/s; ${arrivals.length} events delivered (${r.bad()} bad signatures) `
      + `at ${(arrivals.length / ((lastAt - first) / 1000)).toFixed(0)}/s; delay from the change to delivery p50 ${pct(delays, 50)} ms, p99 ${pct(delays, 99)} ms, `
      + `max ${delays.at(-1)} ms; the last event arrived ${lastAt - load.endedAt} ms after the last step's answer`);
  } finally {
    await r.close();
    await s.stop();
  }
}

await run('full speed (32 connections)', 32);
await run(`paced (${PACED} steps/s)`, 8, PACED);
