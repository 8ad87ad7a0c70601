// Recomputes the hash chains and reports the first entry that does not match; then holds the
// chains against the latest signed checkpoint, which names a tail cut off behind the service's back.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { KeyRing } from '../auth/keys.js';
import { entryHash, GENESIS_HASH, type HashedFields } from './trail.js';
import { latestStoredCheckpoint } from './checkpoints.js';
import { checkAgainstCheckpoint } from './checkpoint-check.js';

export interface VerifyResult {
  ok: boolean;
  checked: number;
  chains: number;
  firstBrokenSeq?: number;
  brokenChain?: string;
  reason?: string;
  /** When the latest checkpoint, which the chains were held against, was signed; null when none is stored. */
  checkpointAt: string | null;
}

interface Row extends HashedFields { seq: number; hash: string; hashScheme: number }

/** The hash schemes this verifier knows (docs/architecture.md#audit-hash). */
const KNOWN_SCHEMES = new Set([1]);

const BATCH = 2000;

async function verifyChain(db: Db, chain: string, fromSeq: number, toSeq: number, headHash: string) {
  let checked = 0;
  let expectedPrev: string | undefined;
  let expectedChainSeq: number | undefined;
  let afterChainSeq = 0;
  for (;;) {
    const { rows } = await db.execute<Row & Record<string, unknown>>(sql`
      SELECT seq, chain, chain_seq AS "chainSeq", prev_hash AS "prevHash", hash, recorded_at AS "recordedAt",
             org_id AS "orgId", client_id AS "clientId", request_id AS "requestId", entity_type AS "entityType",
             entity_id AS "entityId", action, outcome, before, after, hash_scheme AS "hashScheme"
      FROM audit_entries
      WHERE chain = ${chain} AND chain_seq > ${afterChainSeq} AND seq >= ${fromSeq} AND seq <= ${toSeq}
      ORDER BY chain_seq LIMIT ${BATCH}`);
    for (const r of rows) {
      const seq = Number(r.seq);
      const chainSeq = Number(r.chainSeq);
      if (expectedChainSeq === undefined) {
        // Starting mid-chain, trust the first entry's link; from the start, it must link to genesis.
        if (chainSeq === 1 && r.prevHash !== GENESIS_HASH) return { checked, broken: { seq, reason: 'first entry does not start the chain' } };
      } else if (chainSeq !== expectedChainSeq) {
        return { checked, broken: { seq, reason: `entry ${expectedChainSeq} of the chain is missing` } };
      }
      if (expectedPrev !== undefined && r.prevHash !== expectedPrev) {
        return { checked, broken: { seq, reason: 'does not link to the previous entry' } };
      }
      if (!KNOWN_SCHEMES.has(Number(r.hashScheme))) return { checked, broken: { seq, reason: `unknown hash scheme ${r.hashScheme}` } };
      const recomputed = entryHash({
        chain: r.chain, chainSeq, prevHash: r.prevHash, recordedAt: new Date(r.recordedAt).toISOString(),
        orgId: r.orgId, clientId: r.clientId, requestId: r.requestId, entityType: r.entityType,
        entityId: r.entityId, action: r.action, outcome: r.outcome, before: r.before, after: r.after,
      });
      if (recomputed !== r.hash) return { checked, broken: { seq, reason: 'content does not match its hash' } };
      checked++;
      expectedPrev = r.hash;
      expectedChainSeq = chainSeq + 1;
      afterChainSeq = chainSeq;
    }
    if (rows.length < BATCH) break;
  }
  // Checked to the end: the chain head must be the last entry (detects entries cut off the tail
  // under a head left in place; a head moved back with them is caught by the checkpoint check).
  if (toSeq === Number.MAX_SAFE_INTEGER && expectedPrev !== undefined && expectedPrev !== headHash) {
    return { checked, broken: { seq: undefined, reason: 'the chain head does not match its last entry' } };
  }
  return { checked, broken: undefined };
}

interface Break { seq?: number; chain?: string; reason: string }

/**
 * Verifies the chains under `chainPrefix`. The checkpoint check covers the whole of each chain
 * whatever the seq range: it costs one lookup per chain, and a missing tail is never out of range.
 */
export async function verifyAudit(db: Db, keys: KeyRing, chainPrefix: string, fromSeq = 1, toSeq = Number.MAX_SAFE_INTEGER): Promise<VerifyResult> {
  const stored = await latestStoredCheckpoint(db, keys);
  const { rows: chains } = await db.execute<{ chain: string; head_hash: string }>(
    sql`SELECT chain, head_hash FROM audit_chains WHERE chain LIKE ${`${chainPrefix}%`} ORDER BY chain`);
  let checked = 0;
  const breaks: Break[] = [];
  for (const c of chains) {
    const r = await verifyChain(db, c.chain, fromSeq, toSeq, c.head_hash);
    checked += r.checked;
    if (r.broken) breaks.push({ seq: r.broken.seq, chain: c.chain, reason: r.broken.reason });
  }
  let checkpointAt: string | null = null;
  if (stored.kind === 'signed') {
    const { payload } = stored.checkpoint;
    checkpointAt = new Date(payload.iat * 1000).toISOString();
    breaks.push(...(await checkAgainstCheckpoint(db, payload, chainPrefix)));
  } else if (stored.kind === 'unverifiable') {
    checkpointAt = stored.createdAt.toISOString();
    breaks.push({ reason: `the latest checkpoint does not verify with the service's keys: ${stored.reason}` });
  }
  // The earliest named entry first; breaks with no entry to name (a missing tail) come after.
  const first = breaks.reduce<Break | undefined>((a, b) => (!a || (b.seq ?? Infinity) < (a.seq ?? Infinity) ? b : a), undefined);
  return {
    ok: !first,
    checked,
    chains: chains.length,
    checkpointAt,
    ...(first ? { firstBrokenSeq: first.seq, brokenChain: first.chain, reason: first.reason } : {}),
  };
}
