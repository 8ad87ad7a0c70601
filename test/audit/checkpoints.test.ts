// Checkpoints signed on a schedule, one replica at a time; verify holding the chains against the
// latest one (a truncated tail is named); and the checkpoint each regulator may see.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createParty, createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import { connect, type Database } from '../../src/db/database.js';
import { loadKeyRing, type KeyRing } from '../../src/auth/keys.js';
import { checkpointJob, type CheckpointScheduleDeps } from '../../src/audit/checkpoint-schedule.js';
import { every } from '../../src/background/periodic.js';

/**
 * The scheduled checkpoint job on a timer of this process, at intervals a test can wait for (the
 * service runs it on the job runner: test/jobs/scheduled-work.test.ts); no job, no timer.
 */
function startCheckpointSchedule(deps: CheckpointScheduleDeps) {
  const job = checkpointJob(deps);
  return job ? every(job.intervalMs, job.task, job.run, deps.log) : { stop: async () => {} };
}
import type { TaskLog } from '../../src/background/periodic.js';
import { CHECKPOINT_LOCK_KEY, signCheckpointIfMoved, type ChainHead, type CheckpointPayload } from '../../src/audit/checkpoints.js';
import { entryHash } from '../../src/audit/trail.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for: ${what}`);
    await sleep(20);
  }
}

/** Every stored checkpoint, oldest first. */
async function storedCheckpoints(t: TestApp): Promise<Array<{ jws: string; payload: CheckpointPayload }>> {
  const { rows } = await t.database.pool.query<{ jws: string }>('SELECT jws FROM audit_checkpoints ORDER BY id');
  return rows.map((r) => ({ jws: r.jws, payload: decodeJwt(r.jws) as unknown as CheckpointPayload }));
}

async function currentHeads(t: TestApp): Promise<ChainHead[]> {
  const { rows } = await t.database.pool.query(`SELECT chain, head_seq, head_hash FROM audit_chains ORDER BY chain COLLATE "C"`);
  return rows.map((r) => ({ chain: r.chain, headSeq: Number(r.head_seq), headHash: r.head_hash }));
}

async function latestMatchesHeads(t: TestApp): Promise<boolean> {
  const all = await storedCheckpoints(t);
  return all.length > 0 && JSON.stringify(all[all.length - 1].payload.chains) === JSON.stringify(await currentHeads(t));
}

/** A connection that bypasses the append-only trigger, as a database superuser could. */
async function asSuperuser(t: TestApp, work: (su: pg.Client) => Promise<void>): Promise<void> {
  const su = new pg.Client({ connectionString: t.dbUrl });
  await su.connect();
  try {
    await su.query('SET session_replication_role = replica');
    await work(su);
  } finally {
    await su.end();
  }
}

function recordingLog() {
  const lines: Array<{ level: 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string }> = [];
  const at = (level: 'info' | 'warn' | 'error') => (obj: object, msg: string) => { lines.push({ level, obj: obj as Record<string, unknown>, msg }); };
  const log: TaskLog = { info: at('info'), warn: at('warn'), error: at('error') };
  return { log, lines, count: (level: string) => lines.filter((l) => l.level === level).length };
}

describe('scheduled signing', () => {
  let t: TestApp;
  let admin: Client;
  let keys: KeyRing;
  let replica2: Database;
  const schedule = (database: Database, intervalS: number, log: TaskLog) =>
    startCheckpointSchedule({ db: database.db, keys, issuer: t.config.jwt.issuer, intervalS, log });

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await loginAdmin(t.app);
    // The ring the app loaded: the oldest stored key, as every replica loads it.
    keys = await loadKeyRing(t.database.db);
    replica2 = connect(t.dbUrl, 2);
  });
  afterAll(async () => {
    await replica2.close();
    await t.close();
  });

  it('signs when a head moved, and nothing while nothing moves', async () => {
    expect(await storedCheckpoints(t)).toHaveLength(0);
    const s = startCheckpointSchedule({ db: t.database.db, keys, issuer: t.config.jwt.issuer, intervalS: 0.05, log: t.app.log });
    try {
      await waitFor('a first checkpoint', async () => (await storedCheckpoints(t)).length === 1);
      expect(await latestMatchesHeads(t)).toBe(true);
      await sleep(400); // ~8 ticks with nothing appended
      expect(await storedCheckpoints(t)).toHaveLength(1);

      await createParty(t.app, admin, { roles: ['generator'], regionCode: '140105' });
      await waitFor('a checkpoint of the new heads', () => latestMatchesHeads(t));
      const n = (await storedCheckpoints(t)).length;
      expect(n).toBeGreaterThan(1);
      await sleep(400);
      expect(await storedCheckpoints(t)).toHaveLength(n);
      const latest = (await storedCheckpoints(t)).at(-1)!.payload;
      expect(latest.iss).toBe(t.config.jwt.issuer);
      expect(latest.chains.map((c) => c.chain)).toEqual(expect.arrayContaining(['140100', '140105']));
    } finally {
      await s.stop();
    }
  });

  it('a replica finding the lock taken skips its turn', async () => {
    await createParty(t.app, admin, { roles: ['carrier'], regionCode: '140106' });
    const before = (await storedCheckpoints(t)).length;
    const other = new pg.Client({ connectionString: t.dbUrl });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [CHECKPOINT_LOCK_KEY]);
      const r = await signCheckpointIfMoved(t.database.db, keys, t.config.jwt.issuer, { wait: false });
      expect(r.outcome).toBe('busy');
      expect(await storedCheckpoints(t)).toHaveLength(before);
      await other.query('SELECT pg_advisory_unlock($1::bigint)', [CHECKPOINT_LOCK_KEY]);
    } finally {
      await other.end();
    }
    // Two replicas ticking at the same instant: one signs, the other is busy or finds it done.
    const outcomes = await Promise.all([t.database, replica2].map((d) =>
      signCheckpointIfMoved(d.db, keys, t.config.jwt.issuer, { wait: false }).then((r) => r.outcome)));
    expect(outcomes.filter((o) => o === 'signed')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'signed')[0]).toMatch(/^(busy|unchanged)$/);
    expect(await storedCheckpoints(t)).toHaveLength(before + 1);
  });

  it('two replicas on one schedule sign each moved state once', async () => {
    const before = (await storedCheckpoints(t)).length;
    const { log, count } = recordingLog();
    const a = schedule(t.database, 0.02, log);
    const b = schedule(replica2, 0.02, log);
    try {
      for (const regionCode of ['140105', '140107', '140108']) {
        await createParty(t.app, admin, { roles: ['generator'], regionCode });
        await waitFor(`a checkpoint after a party in ${regionCode}`, () => latestMatchesHeads(t));
        await sleep(100); // both replicas tick a few more times over the same state
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const all = await storedCheckpoints(t);
    const added = all.slice(before);
    expect(added.length).toBeGreaterThanOrEqual(3);
    expect(count('info')).toBe(added.length); // one "signed" line per stored checkpoint
    expect(count('warn') + count('error')).toBe(0);
    // No state signed twice: every checkpoint records heads the one before it did not.
    const states = all.map((c) => JSON.stringify(c.payload.chains));
    expect(new Set(states).size).toBe(states.length);
  });

  it('with an interval of 0 nothing is scheduled', async () => {
    const before = (await storedCheckpoints(t)).length;
    await createParty(t.app, admin, { roles: ['generator'], regionCode: '140109' });
    const { log, lines } = recordingLog();
    const s = schedule(t.database, 0, log);
    await sleep(200);
    await s.stop();
    expect(lines).toHaveLength(0);
    expect(await storedCheckpoints(t)).toHaveLength(before);
  });
});

describe('a failing tick', () => {
  let t: TestApp;
  let admin: Client;
  let keys: KeyRing;

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await loginAdmin(t.app);
    keys = await loadKeyRing(t.database.db);
  });
  afterAll(() => t.close());

  it('is logged, and the next tick retries and signs', async () => {
    await createParty(t.app, admin, { roles: ['generator'], regionCode: '140105' });
    const { log, lines, count } = recordingLog();
    // The table vanishes for a while (a restore, a failover half done): every query of the tick fails.
    await t.database.pool.query('ALTER TABLE audit_checkpoints RENAME TO audit_checkpoints_away');
    const s = startCheckpointSchedule({ db: t.database.db, keys, issuer: t.config.jwt.issuer, intervalS: 0.05, log });
    try {
      await waitFor('two failed ticks', () => count('warn') >= 2);
      expect(String(lines.find((l) => l.level === 'warn')!.obj.err)).toMatch(/audit_checkpoints/);
      await t.database.pool.query('ALTER TABLE audit_checkpoints_away RENAME TO audit_checkpoints');
      await waitFor('a signed checkpoint', () => count('info') === 1);
    } finally {
      await s.stop();
    }
    expect(await latestMatchesHeads(t)).toBe(true);
  });

  it('stop() waits for the tick in flight', async () => {
    await createParty(t.app, admin, { roles: ['generator'], regionCode: '140106' });
    const blocker = new pg.Client({ connectionString: t.dbUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE audit_checkpoints IN ACCESS EXCLUSIVE MODE');
      const { log, count } = recordingLog();
      const s = startCheckpointSchedule({ db: t.database.db, keys, issuer: t.config.jwt.issuer, intervalS: 0.02, log });
      await waitFor('a tick waiting on the table', async () => (await t.database.pool.query(
        `SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'audit_checkpoints'::regclass`)).rowCount! > 0);
      let stopped = false;
      const stopping = s.stop().then(() => { stopped = true; });
      await sleep(150);
      expect(stopped).toBe(false);
      await blocker.query('COMMIT');
      await stopping;
      expect(count('info')).toBe(1); // the tick in flight finished its work
      await sleep(100);
      expect(count('info') + count('warn')).toBe(1); // and none came after it
    } finally {
      await blocker.end();
    }
  });

  it('on a closed pool: every tick fails without crashing, and stop() ends it', async () => {
    const dead = connect(t.dbUrl, 1);
    await dead.close();
    const { log, count } = recordingLog();
    const s = startCheckpointSchedule({ db: dead.db, keys, issuer: t.config.jwt.issuer, intervalS: 0.02, log });
    await waitFor('three failed ticks', () => count('warn') >= 3);
    await s.stop();
    const n = count('warn');
    await sleep(100);
    expect(count('warn')).toBe(n);
  });
});

describe('verify against the latest signed checkpoint', () => {
  let t: TestApp;
  let admin: Client;
  let keys: KeyRing;
  const district: Record<string, Party> = {};
  let signed: CheckpointPayload;
  let signedJws: string;
  const head = (chain: string) => signed.chains.find((c) => c.chain === chain)!;
  const verifyAs = async (c: Client) => (await c.get('/api/v1/audit/verify')).json();

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await loginAdmin(t.app);
    keys = await loadKeyRing(t.database.db);
    for (const regionCode of ['140105', '140106', '140107']) {
      district[regionCode] = await createRegulator(t.app, admin, regionCode);
      const p = await createParty(t.app, admin, { roles: ['generator'], regionCode });
      await p.client.post(`/api/v1/orgs/${p.org.id}/clients`, { name: 'second', roles: ['viewer'] });
    }
    const cp = (await admin.get('/api/v1/audit/checkpoints/latest')).json();
    signed = cp.payload;
    signedJws = cp.jws;
  });
  afterAll(() => t.close());

  it('an intact trail verifies, against the checkpoint it names', async () => {
    expect(await verifyAs(admin)).toMatchObject({ ok: true, checkpointAt: new Date(signed.iat * 1000).toISOString() });
  });

  it('names a tail deleted together with its head moved back', async () => {
    const { headSeq, headHash } = head('140105');
    await asSuperuser(t, async (su) => {
      const { rows: [prev] } = await su.query(`SELECT chain_seq, hash FROM audit_entries WHERE chain = '140105' AND chain_seq = $1`, [headSeq - 1]);
      await su.query(`DELETE FROM audit_entries WHERE chain = '140105' AND chain_seq = $1`, [headSeq]);
      await su.query(`UPDATE audit_chains SET head_seq = $1, head_hash = $2 WHERE chain = '140105'`, [prev.chain_seq, prev.hash]);
    });
    const r = await verifyAs(admin);
    expect(r).toMatchObject({ ok: false, brokenChain: '140105', firstBrokenSeq: null });
    expect(r.reason).toBe(`entries after ${headSeq - 1} are missing: the signed checkpoint of `
      + `${new Date(signed.iat * 1000).toISOString()} records the chain at ${headSeq} with hash ${headHash}`);
    // The district's own regulator is told too; the next district's is not.
    expect(await verifyAs(district['140105'].client)).toMatchObject({ ok: false, brokenChain: '140105' });
    expect(await verifyAs(district['140106'].client)).toMatchObject({ ok: true });
  });

  it('nothing newer is signed over the cut: the schedule refuses and says so, a request gets the old checkpoint', async () => {
    await createParty(t.app, admin, { roles: ['generator'], regionCode: '140106' }); // heads move elsewhere
    const r = await signCheckpointIfMoved(t.database.db, keys, t.config.jwt.issuer, { wait: false });
    expect(r).toMatchObject({ outcome: 'refused', reason: expect.stringContaining('chain 140105: entries after') });
    const { log, lines } = recordingLog();
    const s = startCheckpointSchedule({ db: t.database.db, keys, issuer: t.config.jwt.issuer, intervalS: 0.02, log });
    await waitFor('the refusal logged', () => lines.some((l) => l.level === 'error'));
    await s.stop();
    expect((await admin.get('/api/v1/audit/checkpoints/latest')).json().jws).toBe(signedJws);
    expect(await storedCheckpoints(t)).toHaveLength(1);
  });

  it('names a tail rewritten with fresh hashes, which still links perfectly', async () => {
    const { headSeq } = head('140106');
    let seq = 0;
    await asSuperuser(t, async (su) => {
      // A thorough forger: rewrites the checkpointed entry and re-hashes every entry after it.
      const { rows } = await su.query(`
        SELECT seq, chain, chain_seq AS "chainSeq", prev_hash AS "prevHash", recorded_at AS "recordedAt", org_id AS "orgId",
               client_id AS "clientId", request_id AS "requestId", entity_type AS "entityType", entity_id AS "entityId",
               action, outcome, before, after
        FROM audit_entries WHERE chain = '140106' AND chain_seq >= $1 ORDER BY chain_seq`, [headSeq]);
      expect(rows.length).toBeGreaterThan(1);
      seq = Number(rows[0].seq);
      let prevHash = rows[0].prevHash as string;
      for (const [i, { seq: entrySeq, ...e }] of rows.entries()) {
        const after = i === 0 ? { ...e.after, name: 'rewritten' } : e.after;
        const hash = entryHash({ ...e, chainSeq: Number(e.chainSeq), prevHash, recordedAt: new Date(e.recordedAt).toISOString(), after });
        await su.query('UPDATE audit_entries SET after = $1, prev_hash = $2, hash = $3 WHERE seq = $4', [JSON.stringify(after), prevHash, hash, entrySeq]);
        prevHash = hash;
      }
      await su.query(`UPDATE audit_chains SET head_hash = $1 WHERE chain = '140106'`, [prevHash]);
    });
    const r = await verifyAs(district['140106'].client);
    expect(r).toMatchObject({ ok: false, brokenChain: '140106', firstBrokenSeq: seq });
    expect(r.reason).toMatch(new RegExp(`^entry ${headSeq} differs from the signed checkpoint: `));
  });

  it('names a chain deleted outright', async () => {
    await asSuperuser(t, async (su) => {
      await su.query(`DELETE FROM audit_entries WHERE chain = '140107'`);
      await su.query(`DELETE FROM audit_chains WHERE chain = '140107'`);
    });
    const r = await verifyAs(district['140107'].client);
    expect(r).toMatchObject({ ok: false, brokenChain: '140107', chains: 0 });
    expect(r.reason).toMatch(/^the chain is missing: the signed checkpoint of .* records the chain at \d+ with hash [0-9a-f]{64}$/);
  });

  it('names a checkpoint row altered behind the service\'s back', async () => {
    const [h, p, sig] = signedJws.split('.');
    const forged = JSON.parse(Buffer.from(p, 'base64url').toString());
    forged.chains = forged.chains.filter((c: ChainHead) => c.chain !== '140107');
    await t.database.pool.query('UPDATE audit_checkpoints SET jws = $1', [`${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`]);
    const r = await verifyAs(district['140107'].client);
    expect(r).toMatchObject({ ok: false });
    expect(r.reason).toMatch(/^the latest checkpoint does not verify with the service's keys/);
  });
});

describe('the checkpoint a regulator sees', () => {
  let t: TestApp;
  let admin: Client;

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await loginAdmin(t.app);
    for (const regionCode of ['140105', '140106', '140107']) await createParty(t.app, admin, { roles: ['generator'], regionCode });
  });
  afterAll(() => t.close());

  it('a district regulator: only its chains, signed for it with the heads of the stored checkpoint; the city: the stored checkpoint', async () => {
    const regulator = await createRegulator(t.app, admin, '140105');
    const jwks = createLocalJWKSet((await t.app.inject({ url: '/.well-known/jwks.json' })).json());

    const res = await regulator.client.get('/api/v1/audit/checkpoints/latest');
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json();
    const { payload, protectedHeader } = await compactVerify(mine.jws, jwks);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(mine.payload);
    expect(protectedHeader.typ).toBe('audit-checkpoint-view+jwt');
    expect(mine.payload).toMatchObject({ iss: t.config.jwt.issuer, jurisdiction: '140105' });
    expect(mine.payload.chains.map((c: ChainHead) => c.chain)).toEqual(['140105']);
    // Nothing of the other districts travels, not even inside the JWS.
    expect(Buffer.from(mine.jws.split('.')[1], 'base64url').toString()).not.toMatch(/14010[067]/);
    // Asked again: the very same statement (nothing stored, Ed25519 is deterministic).
    expect((await regulator.client.get('/api/v1/audit/checkpoints/latest')).json().jws).toBe(mine.jws);

    const city = (await admin.get('/api/v1/audit/checkpoints/latest')).json();
    const full = await compactVerify(city.jws, jwks);
    expect(full.protectedHeader.typ).toBe('audit-checkpoint+jwt');
    expect(JSON.parse(new TextDecoder().decode(full.payload))).toEqual(city.payload);
    expect(city.payload.jurisdiction).toBeUndefined();
    expect(city.payload.chains.map((c: ChainHead) => c.chain)).toEqual(['140100', '140105', '140106', '140107']);
    const stored = await storedCheckpoints(t);
    expect(stored).toHaveLength(1);
    expect(city.jws).toBe(stored[0].jws);
    // One checkpoint, two views of it.
    expect(mine.payload.iat).toBe(city.payload.iat);
    expect(mine.payload.chains).toEqual(city.payload.chains.filter((c: ChainHead) => c.chain === '140105'));
    expect(mine.payload.checkpoint).toBe(createHash('sha256').update(city.jws).digest('base64url'));
  });

  it('a party is refused', async () => {
    const p = await createParty(t.app, admin, { roles: ['generator'], regionCode: '140105' });
    expect((await p.client.get('/api/v1/audit/checkpoints/latest')).statusCode).toBe(403);
  });
});
