// Recomputes the hash chains and reports the first entry that does not match; then holds the
// chains against the latest signed checkpoint, which names a tail cut off behind the service's back.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { KeyRing } from '../auth/keys.js';
import { pgClientOf } from '../db/statements.js';
import { entryHashInput, GENESIS_HASH, sha256Hex } from './trail.js';
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

/** A row as RANGE and AFTER return it: columns as stored, the time as milliseconds since the epoch. */
interface Row {
  seq: number; chain: string; chain_seq: number; prev_hash: string; hash: string; recorded_ms: number;
  org_id: string | null; client_id: string | null; request_id: string | null; entity_type: string; entity_id: string;
  action: string; outcome: string; before: unknown; after: unknown; hash_scheme: number;
}

/** The hash schemes this verifier knows (docs/architecture.md#audit-hash). */
const KNOWN_SCHEMES = new Set([1]);

const BATCH = 5000;

// recorded_at comes as whole milliseconds (floor: what pg's Date parsing keeps of it), which spares
// a Date parse per entry. Not named statements: a generic plan (unknown seq bounds) walks the
// primary key over the whole table and sorts (EXPLAIN at scale 0.1: 1.2 s a batch instead of
// tens of ms); planned for their values, both are index ranges of audit_chain_seq_uq.
const COLUMNS = `seq, chain, chain_seq, prev_hash, hash, floor(extract(epoch FROM recorded_at) * 1000)::bigint AS recorded_ms,
  org_id, client_id, request_id, entity_type, entity_id, action, outcome, before, after, hash_scheme`;
/**
 * The entries of chain_seq ($2, $3]. PostgreSQL reads a range with a bitmap heap scan (its pages in
 * table order) and sorts it: RANGE sequence numbers keep that sort in work_mem (scale 0.1: 2.4 MB
 * for 2,000; 5,000 spilled to a temporary file).
 */
const RANGE_SIZE = 2000;
const RANGE = `SELECT ${COLUMNS} FROM audit_entries
  WHERE chain = $1 AND chain_seq > $2 AND chain_seq <= $3 AND seq >= $4 AND seq <= $5 ORDER BY chain_seq`;
/** The next BATCH entries after chain_seq $2. */
const AFTER = `SELECT ${COLUMNS} FROM audit_entries
  WHERE chain = $1 AND chain_seq > $2 AND seq >= $3 AND seq <= $4 ORDER BY chain_seq LIMIT ${BATCH}`;
/** Ranges read ahead, each on its own connection, while a batch is hashed. */
const AHEAD = 2;

/**
 * The chain's entries in chain_seq order, in batches: the whole stream the keyset loop of earlier
 * versions read (chain_seq > 0, within the seq bounds). Up to the head's sequence number they are
 * read as ranges of RANGE_SIZE sequence numbers, AHEAD of them at once (the district's entries lie
 * scattered among the others' in the table: reading them is most of the time); past it (entries
 * appended meanwhile, or a chain_seq beyond the head), batch after batch until one comes short.
 * A range may come short (a seq bound, a missing entry) without ending the stream; after an empty
 * one, the ranges already asked for are taken and the rest is read batch after batch.
 */
async function* entryBatches(db: Db, chain: string, fromSeq: number, toSeq: number, headSeq: number): AsyncGenerator<Row[]> {
  const query = async (text: string, values: unknown[]) => (await pgClientOf(db).query<Row>(text, values)).rows;
  const pending: Array<Promise<Row[]>> = [];
  let start = 0;
  let empty = false; // a range came back empty: the rest is read batch after batch (a head_seq far beyond the entries costs nothing)
  const readAhead = () => {
    if (empty || start >= headSeq) return;
    const p = query(RANGE, [chain, start, Math.min(start + RANGE_SIZE, headSeq), fromSeq, toSeq]);
    p.catch(() => {}); // a range read ahead and no longer wanted (the chain broke before it) may fail unseen
    pending.push(p);
    start += RANGE_SIZE;
  };
  for (let i = 0; i <= AHEAD; i++) readAhead();
  while (pending.length) {
    const rows = await pending.shift()!;
    if (rows.length === 0) empty = true;
    readAhead();
    yield rows;
  }
  let after = Math.max(0, Math.min(start, headSeq));
  for (;;) {
    const rows = await query(AFTER, [chain, after, fromSeq, toSeq]);
    yield rows;
    if (rows.length < BATCH) return;
    after = Number(rows[rows.length - 1].chain_seq);
  }
}

/** Scheme 1's hash of a row as read (entryHashInput, one writer of the hashed text for appending and verifying). */
function rowHash(r: Row, chainSeq: number): string {
  return sha256Hex(entryHashInput({
    chain: r.chain, chainSeq, prevHash: r.prev_hash, recordedAt: new Date(Number(r.recorded_ms)).toISOString(),
    orgId: r.org_id, clientId: r.client_id, requestId: r.request_id, entityType: r.entity_type, entityId: r.entity_id,
    action: r.action, outcome: r.outcome, before: r.before, after: r.after,
  }));
}

async function verifyChain(db: Db, chain: string, fromSeq: number, toSeq: number, headSeq: number, headHash: string) {
  let checked = 0;
  let expectedPrev: string | undefined;
  let expectedChainSeq: number | undefined;
  for await (const rows of entryBatches(db, chain, fromSeq, toSeq, headSeq)) {
    for (const r of rows) {
      const seq = Number(r.seq);
      const chainSeq = Number(r.chain_seq);
      if (expectedChainSeq === undefined) {
        // Starting mid-chain, trust the first entry's link; from the start, it must link to genesis.
        if (chainSeq === 1 && r.prev_hash !== GENESIS_HASH) return { checked, broken: { seq, reason: 'first entry does not start the chain' } };
      } else if (chainSeq !== expectedChainSeq) {
        return { checked, broken: { seq, reason: `entry ${expectedChainSeq} of the chain is missing` } };
      }
      if (expectedPrev !== undefined && r.prev_hash !== expectedPrev) {
        return { checked, broken: { seq, reason: 'does not link to the previous entry' } };
      }
      if (!KNOWN_SCHEMES.has(Number(r.hash_scheme))) return { checked, broken: { seq, reason: `unknown hash scheme ${r.hash_scheme}` } };
      if (rowHash(r, chainSeq) !== r.hash) return { checked, broken: { seq, reason: 'content does not match its hash' } };
      checked++;
      expectedPrev = r.hash;
      expectedChainSeq = chainSeq + 1;
    }
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
  const { rows: chains } = await db.execute<{ chain: string; head_seq: number; head_hash: string }>(
    sql`SELECT chain, head_seq, head_hash FROM audit_chains WHERE chain LIKE ${`${chainPrefix}%`} ORDER BY chain`);
  let checked = 0;
  const breaks: Break[] = [];
  for (const c of chains) {
    const r = await verifyChain(db, c.chain, fromSeq, toSeq, Number(c.head_seq), c.head_hash);
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
