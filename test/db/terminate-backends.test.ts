// pg_terminate_backend on the app's own connections while custody steps run concurrently: the
// process lives, every request either happens (2xx) or answers 503 problem+json with nothing
// applied, the pool heals by itself, and a retry with the same Idempotency-Key applies a step once.
// Only this file's own database is touched, so the files sharing the server are not disturbed.
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { act, createSite, LABEL_BODY, type Site } from '../support/world.js';

const STEPS = ['issue', 'store', 'treat'] as const;
type Step = (typeof STEPS)[number];

/** One container's life, driven step by step with one Idempotency-Key per step. */
interface Job { id: string; labelId?: string; next: number; pending?: Step }

const WRITERS = 6;
// The storm ends on counts, never on a clock: enough terminations that hit a backend, and enough
// 503s seen, so that the run proves something on a slow machine as on a fast one.
const MIN_HITS = 30;
const MIN_UNAVAILABLE = 5;
const MAX_ROUNDS = 400;
// A request that takes this long is hung (e.g. a query on a dead connection that never fails).
const HANG_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let admin: Client;
let site: Site;
let dbName: string;

// An 'error' event on a pg client with no listener would be thrown from the socket's handler:
// recorded here so that the test fails with the cause rather than a lost worker.
const crashes: unknown[] = [];
const onCrash = (e: unknown) => { crashes.push(e); };

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  t = await buildTestApp();
  dbName = new URL(t.dbUrl).pathname.slice(1);
  admin = await loginAdmin(t.app);
  site = await createSite(t.app, admin, { roles: ['generator'] }, ['R2']);
});
afterAll(async () => {
  // pool.end() waits for every checked-out client: a leaked one would hold it until the hook times out.
  if (t) await deadline(t.close(), 'closing the app (is a pool client still checked out?)');
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

const keyOf = (job: Job, step: Step) => `term-${job.id}-${step}`;

function send(job: Job, step: Step): Promise<LightMyRequestResponse> {
  const headers = { 'idempotency-key': keyOf(job, step) };
  const request = step === 'issue' ? site.client.post('/api/v1/labels', LABEL_BODY, headers)
    : step === 'store' ? act(site.client, job.labelId!, { action: 'store', facilityId: site.storageId }, headers)
      : act(site.client, job.labelId!, { action: 'treat', facilityId: site.treatmentId, method: 'R2' }, headers);
  return deadline(request, `${step} ${keyOf(job, step)}`);
}

function deadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`hung: ${what}`)), HANG_MS); });
  return Promise.race([p, hung]).finally(() => clearTimeout(timer));
}

/** 503 as the issue asks: problem+json, SERVICE_UNAVAILABLE, and a Retry-After in seconds. */
function isUnavailableProblem(res: LightMyRequestResponse): boolean {
  return res.statusCode === 503
    && String(res.headers['content-type']).startsWith('application/problem+json')
    && res.json().code === 'SERVICE_UNAVAILABLE'
    && /^\d+$/.test(String(res.headers['retry-after']));
}

describe('terminating the app\'s backends under concurrent writes', () => {
  it('never answers 500, applies each step once, and heals without a restart', async () => {
    const started = Date.now();
    const jobs: Job[] = [];
    const tally = { sent: 0, ok: 0, unavailable: 0, reads: 0, readUnavailable: 0 };
    const acked: Record<Step, number> = { issue: 0, store: 0, treat: 0 };
    const unexpected: string[] = []; // any answer other than 2xx or a well-formed 503
    const storm = { done: false, rounds: 0, hits: 0, killed: [] as number[] };

    // Advances a job by one step; false when the step was refused (and so left for the retry).
    const advance = async (job: Job): Promise<boolean> => {
      const step = STEPS[job.next];
      const res = await send(job, step);
      tally.sent++;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        tally.ok++;
        acked[step]++;
        if (step === 'issue') job.labelId = res.json().id;
        job.next++;
        return true;
      }
      if (isUnavailableProblem(res)) tally.unavailable++;
      else unexpected.push(`${step} ${keyOf(job, step)}: ${res.statusCode} ${res.body}`);
      job.pending = step;
      return false;
    };

    const writer = async (w: number) => {
      for (let n = 0; !storm.done; n++) {
        const job: Job = { id: `${w}-${n}`, next: 0 };
        jobs.push(job);
        while (job.next < STEPS.length && (await advance(job)));
      }
    };

    const reader = async () => {
      while (!storm.done) {
        for (const url of ['/api/v1/labels?limit=20', '/readyz']) {
          const res = await deadline(site.client.get(url), `GET ${url}`);
          tally.reads++;
          if (res.statusCode === 200) continue;
          if (isUnavailableProblem(res)) tally.readUnavailable++;
          else unexpected.push(`GET ${url}: ${res.statusCode} ${res.body}`);
        }
      }
    };

    const terminator = async () => {
      const killer = new pg.Client({ connectionString: inject('serverUrl') });
      await killer.connect();
      try {
        while (storm.rounds < MAX_ROUNDS && (storm.hits < MIN_HITS || tally.unavailable < MIN_UNAVAILABLE)) {
          await sleep(50 + Math.random() * 100);
          const { rows } = await killer.query<{ pid: number }>(
            // In the select list, not the WHERE clause: there the planner may call it before the
            // pid filter, on this very connection.
            // One backend at random (a single connection lost), every other round all of them
            // (a failover); so that some requests get through between the cuts.
            `SELECT pid FROM (
               SELECT pid, pg_terminate_backend(pid) AS gone FROM (
                 SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
                 ORDER BY random() LIMIT $2) victims) t
             WHERE gone`, [dbName, storm.rounds % 2 === 1 ? 1000 : 1]);
          storm.rounds++;
          if (rows.length) storm.hits++;
          storm.killed.push(...rows.map((r) => r.pid));
        }
        // The last terminated backends may still be exiting: wait until the server has let them go,
        // so that what follows measures recovery, not the tail of the storm.
        for (let i = 0; i < 200; i++) {
          const { rows } = await killer.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1::int[])', [storm.killed]);
          if (rows.length === 0) break;
          await sleep(50);
        }
      } finally {
        storm.done = true;
        await killer.end();
      }
    };

    await Promise.all([terminator(), reader(), ...Array.from({ length: WRITERS }, (_, w) => writer(w))]);
    const stormMs = Date.now() - started;
    const inStorm = { ...tally, acked: { ...acked } };

    expect(crashes, 'the process must survive connection errors').toEqual([]);
    expect(unexpected, 'every answer is 2xx or 503 problem+json with Retry-After').toEqual([]);
    expect(tally.unavailable, 'terminations must have cut requests off').toBeGreaterThan(0);

    // Recovery without a restart: the same app, the same pool, and no connection left checked out
    // by a request that has ended (each leaked one is a pool slot lost until the process restarts).
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const { pool } = t.database;
    for (let i = 0; i < 100 && pool.totalCount !== pool.idleCount; i++) await sleep(50);
    expect({ checkedOut: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }, 'pool clients leaked by cut-off requests')
      .toEqual({ checkedOut: 0, waiting: 0 });

    // What each kind of step left in the database before any retry.
    const stepCounts = async (): Promise<Record<Step, number>> => {
      const { rows } = await t.database.pool.query<{ action: Step; n: number }>(
        `SELECT s.action, count(*)::int AS n FROM label_steps s JOIN labels l ON l.id = s.label_id
         WHERE l.generator_id = $1 GROUP BY s.action`, [site.org.id]);
      return { issue: 0, store: 0, treat: 0, ...Object.fromEntries(rows.map((r) => [r.action, r.n])) };
    };
    const beforeRetry = await stepCounts();

    // Each 503'd request again, with its key: it succeeds, or replays when its commit had gone
    // through before the connection was cut. Then the job is driven to its end.
    const replayed: Record<Step, number> = { issue: 0, store: 0, treat: 0 };
    const pending = jobs.filter((j) => j.pending);
    for (const job of pending) {
      const step = STEPS[job.next];
      const res = await send(job, step);
      expect(res.statusCode, `retry of ${keyOf(job, step)}: ${res.body}`).toBeLessThan(300);
      if (res.headers['idempotent-replayed'] === 'true') replayed[step]++;
      if (step === 'issue') job.labelId = res.json().id;
      job.next++;
    }
    for (const job of jobs) {
      while (job.next < STEPS.length) expect(await advance(job), `${job.id} step ${STEPS[job.next]}`).toBe(true);
    }

    // Applied before the retries = acknowledged + those whose 503 hid a commit (they replayed).
    // Anything more would be a step applied although its caller was told it failed and not retried.
    for (const step of STEPS) expect(beforeRetry[step], step).toBe(inStorm.acked[step] + replayed[step]);

    // Nothing half-applied: every container has all three steps, each with its ledger record and its
    // audit entry, and nothing was recorded twice.
    const { rows: labels } = await t.database.pool.query<{ state: string; version: number; actions: string; ledger: number; audits: number }>(
      `SELECT l.state, l.version,
         (SELECT string_agg(s.action, ',' ORDER BY s.seq) FROM label_steps s WHERE s.label_id = l.id) AS actions,
         (SELECT count(*)::int FROM ledger_records r WHERE r.label_id = l.id) AS ledger,
         (SELECT count(*)::int FROM audit_entries a WHERE a.entity_type = 'label' AND a.entity_id = l.id::text) AS audits
       FROM labels l WHERE l.generator_id = $1`, [site.org.id]);
    expect(labels).toHaveLength(jobs.length);
    for (const l of labels) expect(l).toEqual({ state: 'treated', version: 3, actions: 'issue,store,treat', ledger: 3, audits: 3 });
    const { rows: [keys] } = await t.database.pool.query<{ n: number; unfinished: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status_code = 0)::int AS unfinished
       FROM idempotency_keys WHERE client_id = $1`, [site.client.clientId]);
    expect(keys).toEqual({ n: jobs.length * STEPS.length, unfinished: 0 });

    const verify = await admin.get('/api/v1/audit/verify');
    expect(verify.statusCode).toBe(200);
    expect(verify.json().ok).toBe(true);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect(crashes).toEqual([]);

    console.info(`[terminate-backends] ${inStorm.sent} writes (${inStorm.ok} 2xx, ${inStorm.unavailable} 503) and ${inStorm.reads} reads `
      + `(${inStorm.readUnavailable} 503) in ${stormMs} ms; ${storm.rounds} termination rounds, ${storm.hits} hit, `
      + `${storm.killed.length} backends killed; ${pending.length} retried (${Object.values(replayed).reduce((a, b) => a + b, 0)} replayed); `
      + `${jobs.length} containers; other 5xx: ${unexpected.filter((u) => / 5\d\d /.test(u)).length}`);
  }, 180_000);
});
