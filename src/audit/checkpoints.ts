// Signed checkpoints: a JWS over the head of every chain, verifiable with the public JWKS.
import { desc, sql } from 'drizzle-orm';
import { CompactSign, decodeJwt } from 'jose';
import type { Db } from '../db/database.js';
import type { KeyRing } from '../auth/keys.js';
import { auditCheckpoints } from '../db/schema.js';
import { canonicalJson } from './canonical-json.js';

export interface CheckpointPayload {
  iss: string;
  iat: number;
  chains: Array<{ chain: string; headSeq: number; headHash: string }>;
}

export async function latestCheckpoint(db: Db, keys: KeyRing, issuer: string) {
  const { rows } = await db.execute<{ chain: string; head_seq: string; head_hash: string }>(
    sql`SELECT chain, head_seq, head_hash FROM audit_chains ORDER BY chain`);
  const chains = rows.map((r) => ({ chain: r.chain, headSeq: Number(r.head_seq), headHash: r.head_hash }));
  const [last] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1);
  if (last) {
    const payload = decodeJwt(last.jws) as unknown as CheckpointPayload;
    // Nothing appended since the last checkpoint: hand out the same signed statement.
    if (canonicalJson(payload.chains) === canonicalJson(chains)) return { jws: last.jws, payload };
  }
  const payload: CheckpointPayload = { iss: issuer, iat: Math.floor(Date.now() / 1000), chains };
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.signing.kid, typ: 'audit-checkpoint+jwt' })
    .sign(keys.signing.key);
  await db.insert(auditCheckpoints).values({ jws });
  return { jws, payload };
}
