// Does the trail still hold what a signed checkpoint recorded? For each chain of the checkpoint:
// the chain exists, its head is at or beyond the recorded head, and the entry there still has the
// recorded hash. This is what recomputing the hash chains cannot show: a tail deleted together with
// the head moved back, or a tail rewritten with fresh hashes, leaves a chain that links perfectly.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { GENESIS_HASH } from './trail.js';
import type { CheckpointPayload } from './checkpoints.js';

export interface CheckpointBreak {
  chain: string;
  /** The entry that no longer matches, when there is still one to name. */
  seq?: number;
  reason: string;
}

interface Row { chain: string; signedSeq: number; signedHash: string; headSeq: number | null; seq: number | null; hash: string | null }

/** Breaks of the chains under `chainPrefix` ('' for all), in chain order; none when the trail extends the checkpoint. */
export async function checkAgainstCheckpoint(db: DbOrTx, cp: CheckpointPayload, chainPrefix: string): Promise<CheckpointBreak[]> {
  const recorded = cp.chains.filter((c) => c.chain.startsWith(chainPrefix));
  if (recorded.length === 0) return [];
  const { rows } = await db.execute<Row & Record<string, unknown>>(sql`
    SELECT k.chain, k."headSeq" AS "signedSeq", k."headHash" AS "signedHash", c.head_seq AS "headSeq", e.seq, e.hash
    FROM jsonb_to_recordset(${JSON.stringify(recorded)}::jsonb) AS k(chain text, "headSeq" bigint, "headHash" text)
    LEFT JOIN audit_chains c ON c.chain = k.chain
    LEFT JOIN audit_entries e ON e.chain = k.chain AND e.chain_seq = k."headSeq"
    ORDER BY k.chain COLLATE "C"`);
  const at = new Date(cp.iat * 1000).toISOString();
  const breaks: CheckpointBreak[] = [];
  for (const r of rows) {
    const signedSeq = Number(r.signedSeq);
    const recordedAs = `the signed checkpoint of ${at} records the chain at ${signedSeq} with hash ${r.signedHash}`;
    if (r.headSeq === null) {
      breaks.push({ chain: r.chain, reason: `the chain is missing: ${recordedAs}` });
    } else if (Number(r.headSeq) < signedSeq) {
      breaks.push({ chain: r.chain, reason: `entries after ${Number(r.headSeq)} are missing: ${recordedAs}` });
    } else if (signedSeq === 0) {
      // A chain recorded at its genesis has no entry to look up.
      if (r.signedHash !== GENESIS_HASH) breaks.push({ chain: r.chain, reason: `the checkpoint of ${at} records no entry with a hash other than genesis` });
    } else if (r.seq === null) {
      breaks.push({ chain: r.chain, reason: `entry ${signedSeq} is missing: ${recordedAs}` });
    } else if (r.hash !== r.signedHash) {
      breaks.push({ chain: r.chain, seq: Number(r.seq), reason: `entry ${signedSeq} differs from the signed checkpoint: ${recordedAs}` });
    }
  }
  return breaks;
}
