// Signed checkpoints: a JWS over the head of every chain, verifiable with the public JWKS.
//
// A checkpoint is what lets anyone notice a tail cut off a chain: the hash chain alone still links
// perfectly when its last entries are deleted and its head is moved back. So a new checkpoint is
// signed only when it extends the previous one (every chain still holds the entry the previous one
// recorded); otherwise the service refuses, and the previous checkpoint keeps naming the loss.
import { desc, sql } from 'drizzle-orm';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import type { DbOrTx, Db } from '../db/database.js';
import { signerKey, type KeyRing } from '../auth/keys.js';
import { auditCheckpoints } from '../db/schema.js';
import { canonicalJson } from './canonical-json.js';
import { checkAgainstCheckpoint } from './checkpoint-check.js';

export interface ChainHead { chain: string; headSeq: number; headHash: string }

export interface CheckpointPayload {
  iss: string;
  iat: number;
  chains: ChainHead[];
}

export interface Checkpoint { jws: string; payload: CheckpointPayload }

/** The `typ` of a stored checkpoint, which covers every chain. */
export const CHECKPOINT_TYP = 'audit-checkpoint+jwt';

/**
 * The PostgreSQL advisory lock that makes signing one replica's job at a time. Any fixed number
 * unique in this database works; this one is "hwaudcp" read as a big-endian integer.
 */
export const CHECKPOINT_LOCK_KEY = '29404658042954608';
const LOCK_KEY_SQL = sql.raw(`${CHECKPOINT_LOCK_KEY}::bigint`);

export type StoredCheckpoint =
  | { kind: 'none' }
  | { kind: 'signed'; checkpoint: Checkpoint; createdAt: Date }
  /** The newest row does not verify with this service's keys: altered or inserted behind its back. */
  | { kind: 'unverifiable'; reason: string; createdAt: Date };

export async function readHeads(db: DbOrTx): Promise<ChainHead[]> {
  const { rows } = await db.execute<{ chain: string; head_seq: string | number; head_hash: string }>(
    sql`SELECT chain, head_seq, head_hash FROM audit_chains ORDER BY chain COLLATE "C"`);
  return rows.map((r) => ({ chain: r.chain, headSeq: Number(r.head_seq), headHash: r.head_hash }));
}

export async function signPayload(keys: KeyRing, payload: object, typ: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.signing.kid, typ })
    .sign(keys.signing.key);
}

/** The newest stored checkpoint, read from what its signature covers (never trusted unverified). */
export async function latestStoredCheckpoint(db: DbOrTx, keys: KeyRing): Promise<StoredCheckpoint> {
  const [last] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1);
  if (!last) return { kind: 'none' };
  const key = signerKey(keys, last.jws);
  if (key === 'malformed' || key === 'unknown') {
    return { kind: 'unverifiable', reason: `checkpoint ${last.id}: ${key === 'malformed' ? 'not a JWS' : 'signed by a key this service does not hold'}`, createdAt: last.createdAt };
  }
  try {
    const { payload } = await compactVerify(last.jws, key, { algorithms: ['EdDSA'] });
    if (decodeProtectedHeader(last.jws).typ !== CHECKPOINT_TYP) throw new Error(`typ is not ${CHECKPOINT_TYP}`);
    return { kind: 'signed', checkpoint: { jws: last.jws, payload: JSON.parse(new TextDecoder().decode(payload)) }, createdAt: last.createdAt };
  } catch (e) {
    return { kind: 'unverifiable', reason: `checkpoint ${last.id}: ${e instanceof Error ? e.message : String(e)}`, createdAt: last.createdAt };
  }
}

const sameHeads = (a: ChainHead[], b: ChainHead[]) => canonicalJson(a) === canonicalJson(b);

export type SignOutcome =
  | { outcome: 'signed' | 'unchanged'; checkpoint: Checkpoint }
  /** Another replica holds the lock (only when not waiting for it). */
  | { outcome: 'busy' }
  /** Signing now would contradict the last checkpoint (or it does not verify): nothing signed. */
  | { outcome: 'refused'; reason: string; checkpoint?: Checkpoint };

/**
 * Signs a checkpoint of the current heads if some head moved since the last one: the one place
 * this decision is made, for the schedule (`wait: false`, a replica that finds the lock taken
 * skips its turn) and for a request (`wait: true`). The lock is held to commit, so the next signer
 * reads this checkpoint as "the last one" and two signers never sign the same state.
 */
export async function signCheckpointIfMoved(db: Db, keys: KeyRing, issuer: string, opts: { wait: boolean }): Promise<SignOutcome> {
  return db.transaction(async (tx) => {
    // The lock is held to commit: a signer stuck on a slow database must not hold it (or keep a
    // request waiting for it, or the schedule's stop()) for long.
    await tx.execute(sql`SET LOCAL statement_timeout = '30s'`);
    if (opts.wait) await tx.execute(sql`SELECT pg_advisory_xact_lock(${LOCK_KEY_SQL})`);
    else {
      const { rows } = await tx.execute<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${LOCK_KEY_SQL}) AS locked`);
      if (!rows[0].locked) return { outcome: 'busy' } as const;
    }
    // Read after the lock: under READ COMMITTED these see the previous signer's commit.
    const last = await latestStoredCheckpoint(tx, keys);
    if (last.kind === 'unverifiable') return { outcome: 'refused', reason: `the last checkpoint does not verify (${last.reason})` } as const;
    const heads = await readHeads(tx);
    if (last.kind === 'signed') {
      if (sameHeads(last.checkpoint.payload.chains, heads)) return { outcome: 'unchanged', checkpoint: last.checkpoint } as const;
      const breaks = await checkAgainstCheckpoint(tx, last.checkpoint.payload, '');
      if (breaks.length) {
        return { outcome: 'refused', reason: breaks.map((b) => `chain ${b.chain}: ${b.reason}`).join('; '), checkpoint: last.checkpoint } as const;
      }
    }
    const payload: CheckpointPayload = { iss: issuer, iat: Math.floor(Date.now() / 1000), chains: heads };
    const jws = await signPayload(keys, payload, CHECKPOINT_TYP);
    await tx.insert(auditCheckpoints).values({ jws });
    return { outcome: 'signed', checkpoint: { jws, payload } } as const;
  });
}

/**
 * The checkpoint of the current heads for a request: the stored one when nothing moved (read
 * without the lock, the common case), else a newly signed one. When the trail contradicts the last
 * checkpoint, that last checkpoint is returned: it is the evidence, and nothing newer is signed.
 */
export async function currentCheckpoint(db: Db, keys: KeyRing, issuer: string): Promise<Checkpoint> {
  const last = await latestStoredCheckpoint(db, keys);
  if (last.kind === 'signed' && sameHeads(last.checkpoint.payload.chains, await readHeads(db))) return last.checkpoint;
  const r = await signCheckpointIfMoved(db, keys, issuer, { wait: true });
  if (r.outcome === 'signed' || r.outcome === 'unchanged') return r.checkpoint;
  if (r.outcome === 'refused' && r.checkpoint) return r.checkpoint;
  throw new Error(`no audit checkpoint can be served: ${r.outcome === 'refused' ? r.reason : r.outcome}`);
}
