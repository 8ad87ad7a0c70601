// Two replicas of the compiled server on one database, driven at once over real HTTP
// (docs/scaling.md): parties in three districts registered through both; labels issued through
// both, batches of one generator racing for its digital-code sequence; every container then stored
// through both replicas at the same instant (one wins, one is refused), and a share of them sent
// twice with one Idempotency-Key, once to each replica (one acts, one replays). Then every
// guarantee is checked through the API and in the tables: one store step per container,
// consecutive digital codes and HJ 1259 batch codes with no gap or duplicate, the audit trail
// verified with the expected number of entries, chain_seq 1..n in every chain, and the signed
// checkpoints (both replicas run the schedule, taking turns on its advisory lock) each extending
// the one before.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_ADMIN } from '../support/test-app.js';
import { randomUscc } from '../support/factories.js';
import { LABEL_BODY } from '../support/world.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, freePort, startServer, stop, waitReady } from '../support/server-process.js';

/** A parsed JSON answer; the checks below name the fields they read. */
type Body = Record<string, any>;
interface Answer { status: number; text: string; body: Body; headers: Headers; via: string }

/** One replica, called with fetch as a handset or a load balancer's client would. */
class Replica {
  constructor(readonly name: string, readonly base: string) {}

  async call(token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Body = {};
    try { parsed = text ? JSON.parse(text) as Body : {}; } catch { /* not JSON: kept as text */ }
    return { status: res.status, text, body: parsed, headers: res.headers, via: this.name };
  }

  async login(clientId: string, clientSecret: string): Promise<string> {
    const r = await this.call(undefined, 'POST', '/api/v1/auth/token', { clientId, clientSecret });
    expect(r.status, `${this.name} login ${clientId}: ${r.text}`).toBe(200);
    return r.body.accessToken as string;
  }
}

const ok = (r: Answer, status: number, what: string) => expect(r.status, `${what} via ${r.via}: ${r.text}`).toBe(status);

/** Runs fn over items, at most `limit` at a time (each item may itself send requests to both replicas). */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }));
  return out;
}

/** Serials of codes of one series must be 1..n: no gap, no duplicate. */
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

const DISTRICTS = ['140105', '140106', '140107']; // 小店区, 迎泽区, 杏花岭区
const GENERATORS_PER_DISTRICT = 2;
const CODES = ['900-214-08', '900-249-08'];
/** Every n-th container is stored with one Idempotency-Key sent to both replicas; the others race without one. */
const KEYED_EVERY = 4;
/** Containers in flight at once during the store phase (two requests each). */
const STORE_CONCURRENCY = 12;

interface Generator {
  n: number;
  org: Body;
  token: string;
  storageId: string;
}
interface IssuedLabel { id: string; digitalCode: string; gen: Generator; request: number }

const servers: Array<ReturnType<typeof startServer>> = [];
let db: pg.Client | undefined;
/** A database with nothing in it, not even the migrations (createTestDatabase copies a migrated template). */
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let emptyDb: string | undefined;
async function createEmptyDatabase(): Promise<string> {
  const server = SERVER_URL;
  const name = (emptyDb = `hw_t_empty_${randomBytes(5).toString('hex')}`);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

afterAll(async () => {
  await Promise.all(servers.filter(Boolean).map((s) => stop(s)));
  await db?.end();
  if (emptyDb) {
    const admin = new pg.Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${emptyDb} WITH (FORCE)`);
    await admin.end();
  }
});
beforeAll(ensureBuilt, BUILD_TIMEOUT_MS); // the compiled server, as production runs it

it('two replicas on one database keep every custody guarantee under a concurrent step workload', async () => {
  const t0 = Date.now();
  const url = await createEmptyDatabase();
  const tDb = Date.now();
  const env = (port: number): NodeJS.ProcessEnv => ({
    ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test',
    // info: the checkpoint schedule says in the log which replica signed.
    LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0', PUBLIC_BASE_URL: 'https://hw.test',
    // Both replicas try to sign every second; the advisory lock lets one at a time.
    AUDIT_CHECKPOINT_INTERVAL_S: '1',
    BOOTSTRAP_ADMIN_CLIENT_ID: TEST_ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: TEST_ADMIN.clientSecret,
  });
  // Both replicas start together on an empty database: the first to take the start-up lock
  // (src/db/startup-lock.ts) migrates it, creates the signing key and the bootstrap admin; the
  // other waits, then finds all three done.
  const ports = [await freePort(), await freePort()];
  while (ports[1] === ports[0]) ports[1] = await freePort();
  const replicas = await Promise.all(['A', 'B'].map(async (name, i) => {
    const port = ports[i];
    const server = startServer(env(port));
    servers[i] = server;
    try {
      await waitReady(port, server);
    } catch (e) {
      throw new Error(`replica ${name} did not start: ${String(e)}\n${server.output()}`);
    }
    return new Replica(name, `http://127.0.0.1:${port}`);
  }));
  const [A, B] = replicas;
  const tStarted = Date.now();
  db = new pg.Client({ connectionString: url });
  await db.connect();

  // Any replica verifies any token: both publish the one key kept in the database.
  const [jwksA, jwksB] = await Promise.all([A.call(undefined, 'GET', '/.well-known/jwks.json'), B.call(undefined, 'GET', '/.well-known/jwks.json')]);
  expect(jwksB.text).toBe(jwksA.text);

  // --- Parties: generators in three districts, each with a storage facility; each registration
  // alternates between the replicas (a client created on one logs in and works on the other).
  const admin = await A.login(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret);
  const gens = await Promise.all(DISTRICTS.flatMap((district, d) => Array.from({ length: GENERATORS_PER_DISTRICT }, async (_, k): Promise<Generator> => {
    const n = d * GENERATORS_PER_DISTRICT + k;
    const [via, other] = n % 2 ? [B, A] : [A, B];
    const org = await via.call(admin, 'POST', '/api/v1/orgs', {
      uscc: randomUscc(), name: `双实例测试化工厂 ${n}`, roles: ['generator'], regionCode: district, generatorClass: 'industrial',
      contact: { name: '张三', phone: '13800000000' }, address: '太原市',
    });
    ok(org, 201, 'create org');
    const client = await other.call(admin, 'POST', `/api/v1/orgs/${org.body.id}/clients`, { name: 'handset', roles: ['admin', 'operator'] });
    ok(client, 201, 'create client');
    const token = await via.login(client.body.clientId as string, client.body.clientSecret as string);
    const facility = await other.call(token, 'POST', `/api/v1/orgs/${org.body.id}/facilities`, {
      code: `WH-${n}-${randomUUID().slice(0, 8)}`, name: '危废贮存库', kind: 'storage', storageType: 'warehouse', capacityKg: 1_000_000,
    });
    ok(facility, 201, 'create facility');
    return { n, org: org.body, token, storageId: facility.body.id as string };
  })));
  const count = async (text: string, params: unknown[] = []) => Number((await db!.query(text, params)).rows[0].n);
  const auditBefore = await count('SELECT count(*) AS n FROM audit_entries');

  // --- Issuance: per generator, four batches and four single labels, half through each replica,
  // all generators at once; the batches of one generator take numbers from the same counters.
  const item = (code: string) => ({ ...LABEL_BODY, wasteCode: code });
  const times = (k: number, code: string) => Array.from({ length: k }, () => item(code));
  const plan: Array<{ via: Replica; items: ReturnType<typeof item>[]; single?: boolean }> = [
    { via: A, items: times(8, CODES[0]) },
    { via: B, items: times(8, CODES[0]) },
    { via: A, items: [...times(3, CODES[0]), ...times(3, CODES[1])] },
    { via: B, items: times(5, CODES[1]) },
    { via: A, items: times(1, CODES[0]), single: true },
    { via: B, items: times(1, CODES[0]), single: true },
    { via: B, items: times(1, CODES[1]), single: true },
    { via: A, items: times(1, CODES[1]), single: true },
  ];
  const issueRequests = gens.flatMap((gen) => plan.map((p, request) => ({ gen, request, ...p })));
  const issued = await Promise.all(issueRequests.map(async ({ gen, request, via, items, single }) => {
    const r = single
      ? await via.call(gen.token, 'POST', '/api/v1/labels', items[0])
      : await via.call(gen.token, 'POST', '/api/v1/labels/batch', { items });
    ok(r, 201, `issue (generator ${gen.n}, request ${request})`);
    const created = (single ? [r.body] : r.body.items) as Body[];
    expect(created).toHaveLength(items.length);
    return created.map((l, i): IssuedLabel & { wasteCode: string } => ({
      id: l.id, digitalCode: l.digitalCode, gen, request, wasteCode: items[i].wasteCode,
    }));
  }));
  const labels = issued.flat();
  const tIssued = Date.now();

  // Digital codes: USCC + waste code + day + sequence; per unit, code and day the sequences are 1..n,
  // and the items of one batch got consecutive numbers in item order.
  expect(new Set(labels.map((l) => l.digitalCode)).size).toBe(labels.length);
  const sequences = new Map<string, number[]>();
  for (const l of labels) {
    expect(l.digitalCode.slice(0, 18)).toBe(l.gen.org.uscc);
    expect(l.digitalCode.slice(18, 26)).toBe(l.wasteCode.replace(/-/g, ''));
    const series = `${l.gen.n}|${l.digitalCode.slice(18, 34)}`;
    sequences.set(series, [...(sequences.get(series) ?? []), Number(l.digitalCode.slice(34))]);
  }
  expect(sequences.size).toBeGreaterThanOrEqual(gens.length * CODES.length);
  for (const [series, seqs] of sequences) {
    expect([...seqs].sort((a, b) => a - b), `digital-code sequence of ${series}`).toEqual(oneToN(seqs.length));
  }
  for (const batch of issued) {
    for (const code of CODES) {
      const seqs = batch.filter((l) => l.wasteCode === code).map((l) => Number(l.digitalCode.slice(34)));
      expect(seqs, 'a batch takes a consecutive range').toEqual(seqs.map((_, i) => seqs[0] + i));
    }
  }

  // --- Store: each container through both replicas at the same instant. Without a key one of the
  // two wins and the other is refused; with one Idempotency-Key both answer the one step.
  // Rolled-back transactions of this database: during the store phase, the statements the database
  // refused because a twin got there first (HW002: the label moved; HW001: the key was taken).
  const rollbacks = () => count('SELECT xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()');
  const rollbacksBefore = await rollbacks();
  const order = [...labels].sort(() => Math.random() - 0.5);
  const keyed = new Set(order.filter((_, i) => i % KEYED_EVERY === 0).map((l) => l.id));
  const raceFailures: unknown[] = [];
  const keyFailures: unknown[] = [];
  const wins = { A: 0, B: 0 };
  const replays = { A: 0, B: 0 };
  await mapLimit(order, STORE_CONCURRENCY, async (l, i) => {
    const path = `/api/v1/labels/${l.id}/actions`;
    const body = { action: 'store', facilityId: l.gen.storageId };
    const headers: Record<string, string> = keyed.has(l.id) ? { 'idempotency-key': `store-${l.id}` } : {};
    const pair = i % 2 ? [B, A] : [A, B]; // which request leaves first alternates
    const answers = await Promise.all(pair.map((r) => r.call(l.gen.token, 'POST', path, body, headers)));
    const summary = answers.map((a) => `${a.via}:${a.status}${a.headers.get('idempotent-replayed') ? '(replayed)' : ''} ${a.status === 200 ? '' : a.text}`);
    if (keyed.has(l.id)) {
      const replayed = answers.filter((a) => a.headers.get('idempotent-replayed') === 'true');
      if (answers.some((a) => a.status !== 200) || replayed.length !== 1 || answers[0].text !== answers[1].text
        || answers[0].headers.get('etag') !== answers[1].headers.get('etag')) {
        keyFailures.push({ label: l.digitalCode, summary });
      } else {
        replays[replayed[0].via as 'A' | 'B']++;
      }
    } else {
      const won = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 409 && a.body.code === 'ILLEGAL_TRANSITION');
      if (won.length !== 1 || refused.length !== 1) raceFailures.push({ label: l.digitalCode, summary });
      else wins[won[0].via as 'A' | 'B']++;
    }
  });
  const tStored = Date.now();
  expect(raceFailures, 'racing stores without a key: exactly one 200 and one 409 each').toEqual([]);
  expect(keyFailures, 'one Idempotency-Key through both replicas: two identical 200s, one replayed').toEqual([]);
  const races = labels.length - keyed.size;

  // --- Every container has exactly one store step (its trace, read through either replica).
  const traceFailures = (await mapLimit(labels, 16, async (l, i) => {
    const r = await replicas[i % 2].call(l.gen.token, 'GET', `/api/v1/labels/${l.id}/trace`);
    const actions = (r.body.steps as Body[] | undefined)?.map((s) => s.action);
    return r.status === 200 && r.body.label.state === 'stored' && JSON.stringify(actions) === '["issue","store"]'
      ? undefined : { label: l.digitalCode, status: r.status, actions };
  })).filter(Boolean);
  expect(traceFailures).toEqual([]);
  expect(await count(`SELECT count(*) AS n FROM labels WHERE state = 'stored' AND version = 2 AND step_count = 2`)).toBe(labels.length);
  expect(await count(`SELECT count(*) AS n FROM label_steps WHERE action = 'store'`)).toBe(labels.length);
  // One stored answer per key, with the step's status.
  expect(await count(`SELECT count(*) AS n FROM idempotency_keys WHERE key LIKE 'store-%' AND status_code = 200`)).toBe(keyed.size);

  // --- The HJ 1259 ledger of every generator: batch codes consecutive per org, kind and day. A
  // store (入库, HWRK) is one request per container: one code each, serials 1..n. An issue request
  // (产生, HWCS) takes one code for all its containers: the codes are 1..(requests), and the
  // records sharing a code are exactly the containers of one request.
  const byId = new Map(labels.map((l) => [l.id, l]));
  for (const gen of gens) {
    const r = await replicas[gen.n % 2].call(gen.token, 'GET', `/api/v1/orgs/${gen.org.id}/ledger?format=json`);
    ok(r, 200, 'ledger');
    const records = r.body.items as Body[];
    const mine = labels.filter((l) => l.gen === gen);
    expect(records.map((x) => x.kind).sort()).toEqual([...mine.map(() => 'HWCS'), ...mine.map(() => 'HWRK')].sort());
    const series = new Map<string, Body[]>();
    for (const x of records) {
      const m = /^([A-Z]+)(\d{8})(\d{3,})$/.exec(x.batchCode as string);
      expect(m, `batch code ${x.batchCode}`).not.toBeNull();
      expect(m![1]).toBe(x.kind);
      const key = `${m![1]}|${m![2]}`;
      series.set(key, [...(series.get(key) ?? []), { ...x, serial: Number(m![3]) }]);
    }
    for (const [key, xs] of series) {
      const serials = [...new Set(xs.map((x) => x.serial as number))].sort((a, b) => a - b);
      expect(serials, `batch codes of ${gen.org.name} ${key}`).toEqual(oneToN(serials.length));
      if (key.startsWith('HWRK|')) {
        expect(serials, `${key}: one code per store`).toHaveLength(xs.length);
      } else {
        for (const serial of serials) {
          const requests = new Set(xs.filter((x) => x.serial === serial).map((x) => byId.get(x.labelId as string)!.request));
          expect(requests.size, `${key} serial ${serial}: one issue request`).toBe(1);
        }
      }
    }
    expect([...new Set(records.filter((x) => x.kind === 'HWRK').map((x) => x.labelId))].sort()).toEqual(mine.map((l) => l.id).sort());
    const issueCodes = records.filter((x) => x.kind === 'HWCS').map((x) => x.batchCode as string);
    expect(new Set(issueCodes).size, 'one HWCS code per issue request').toBe(plan.length);
  }

  // --- The audit trail: one entry per issue, per applied store and per refused store, every chain
  // verified by the service, chain_seq 1..n per chain, the heads at the last entries.
  const audit = await db.query<{ action: string; outcome: string; n: string }>(`
    SELECT action, outcome, count(*) AS n FROM audit_entries WHERE entity_type = 'label' GROUP BY 1, 2 ORDER BY 1, 2`);
  expect(audit.rows.map((r) => `${r.action}:${r.outcome}:${r.n}`)).toEqual([
    `issue:applied:${labels.length}`, `store:applied:${labels.length}`, `store:refused:${races}`,
  ]);
  const total = await count('SELECT count(*) AS n FROM audit_entries');
  expect(total).toBe(auditBefore + 2 * labels.length + races);
  for (const via of replicas) {
    const verify = await via.call(admin, 'GET', '/api/v1/audit/verify');
    ok(verify, 200, 'verify');
    expect(verify.body, verify.text).toMatchObject({ ok: true, checked: total, chains: DISTRICTS.length + 1 });
  }
  const chains = await db.query<{ chain: string; n: string; lo: string; hi: string; distinct_seqs: string; head_seq: string; head_ok: boolean }>(`
    SELECT e.chain, count(*) AS n, min(e.chain_seq) AS lo, max(e.chain_seq) AS hi, count(DISTINCT e.chain_seq) AS distinct_seqs,
           c.head_seq, bool_and(e.chain_seq <> c.head_seq OR e.hash = c.head_hash) AS head_ok
    FROM audit_entries e JOIN audit_chains c ON c.chain = e.chain GROUP BY e.chain, c.head_seq ORDER BY e.chain`);
  expect(chains.rows.map((c) => c.chain)).toEqual(['140100', ...DISTRICTS]);
  for (const c of chains.rows) {
    expect({ chain: c.chain, lo: Number(c.lo), hi: Number(c.hi), distinct: Number(c.distinct_seqs), head: Number(c.head_seq), headOk: c.head_ok })
      .toEqual({ chain: c.chain, lo: 1, hi: Number(c.n), distinct: Number(c.n), head: Number(c.n), headOk: true });
  }
  expect(chains.rows.reduce((s, c) => s + Number(c.n), 0)).toBe(total);

  // --- Signed checkpoints: both replicas ran the schedule; each checkpoint moved some head, none
  // moved one back, and every head it names is the entry with that hash.
  const checkpoints = (await db.query<{ jws: string }>('SELECT jws FROM audit_checkpoints ORDER BY id')).rows
    .map((r) => JSON.parse(Buffer.from(r.jws.split('.')[1], 'base64url').toString('utf8')) as { chains: Array<{ chain: string; headSeq: number; headHash: string }> });
  expect(checkpoints.length).toBeGreaterThanOrEqual(1);
  for (const [i, cp] of checkpoints.entries()) {
    for (const h of cp.chains) {
      expect(await count('SELECT count(*) AS n FROM audit_entries WHERE chain = $1 AND chain_seq = $2 AND hash = $3', [h.chain, h.headSeq, h.headHash]),
        `checkpoint ${i + 1}, chain ${h.chain} head ${h.headSeq}`).toBe(1);
    }
    if (i === 0) continue;
    const prev = new Map(checkpoints[i - 1].chains.map((h) => [h.chain, h.headSeq]));
    expect(cp.chains.every((h) => h.headSeq >= (prev.get(h.chain) ?? 0)), `checkpoint ${i + 1} extends ${i}`).toBe(true);
    expect(cp.chains.some((h) => h.headSeq > (prev.get(h.chain) ?? 0)) || cp.chains.length > prev.size, `checkpoint ${i + 1} moved a head`).toBe(true);
  }
  const signedBy = servers.map((s) => s.output().split('\n').filter((line) => line.includes('"audit checkpoint signed"')).length);
  expect(signedBy.reduce((a, b) => a + b, 0)).toBe(checkpoints.length);

  // Neither replica logged an unexpected error.
  for (const [i, s] of servers.entries()) {
    const errors = s.output().split('\n').filter((line) => /"level":(50|60)/.test(line));
    expect(errors, `replica ${replicas[i].name}`).toEqual([]);
  }

  const refusedByDatabase = await rollbacks() - rollbacksBefore; // statistics lag: for information only
  console.log(`two replicas: ${gens.length} generators in ${DISTRICTS.length} districts, ${labels.length} labels in ${issueRequests.length} issue requests; `
    + `${races} racing stores (won by A ${wins.A}, B ${wins.B}), ${keyed.size} keyed pairs (replayed by A ${replays.A}, B ${replays.B}); `
    + `~${refusedByDatabase} writes refused by the database after a lock-free read (HW001/HW002); `
    + `${total} audit entries in ${chains.rows.length} chains; ${checkpoints.length} checkpoints (signed by A ${signedBy[0]}, B ${signedBy[1]}); `
    + `database ${tDb - t0} ms, replicas ready ${tStarted - tDb} ms, issue ${tIssued - tStarted} ms, store ${tStored - tIssued} ms, checks ${Date.now() - tStored} ms`);
}, 120_000);
