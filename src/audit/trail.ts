// The append-only, hash-chained audit trail. Entries are written inside the caller's transaction
// (the change and its entry commit or vanish together). One chain per region: the chain's head
// row is locked while an entry is appended, which orders that region's writers and no others.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { auditEntries } from '../db/schema.js';
import { canonicalJson, jsonSafe } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor { orgId?: string | null; clientId?: string | null; requestId?: string | null }

export interface AuditInput {
  /** The region whose chain records this entry: the home region of the entity's owner. */
  chain: string;
  entityType: string;
  entityId: string;
  action: string;
  outcome?: 'applied' | 'refused';
  before?: unknown;
  after?: unknown;
}

export interface HashedFields {
  chain: string; chainSeq: number; prevHash: string; recordedAt: string;
  orgId: string | null; clientId: string | null; requestId: string | null;
  entityType: string; entityId: string; action: string; outcome: string;
  before: unknown; after: unknown;
}

export function entryHash(f: HashedFields): string {
  return createHash('sha256').update(canonicalJson({ ...f, recordedAt: new Date(f.recordedAt).toISOString() })).digest('hex');
}

export async function appendAudit(tx: DbOrTx, actor: AuditActor, input: AuditInput): Promise<void> {
  await appendAuditMany(tx, actor, [input]);
}

/** Appends several entries with one lock, one insert and one head update per chain. */
export async function appendAuditMany(tx: DbOrTx, actor: AuditActor, inputs: AuditInput[]): Promise<void> {
  const byChain = new Map<string, AuditInput[]>();
  for (const i of inputs) byChain.set(i.chain, [...(byChain.get(i.chain) ?? []), i]);
  // Chains are locked in a fixed order so two transactions touching the same chains cannot deadlock.
  for (const chain of [...byChain.keys()].sort()) {
    const head = await tx.execute<{ head_seq: string; head_hash: string }>(sql`
      INSERT INTO audit_chains (chain, head_seq, head_hash) VALUES (${chain}, 0, ${GENESIS_HASH})
      ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain
      RETURNING head_seq, head_hash`);
    let seq = Number(head.rows[0].head_seq);
    let prevHash = head.rows[0].head_hash;
    const recordedAt = new Date().toISOString();
    const rows = byChain.get(chain)!.map((input) => {
      const fields: HashedFields = {
        chain,
        chainSeq: ++seq,
        prevHash,
        recordedAt,
        orgId: actor.orgId ?? null,
        clientId: actor.clientId ?? null,
        requestId: actor.requestId ?? null,
        entityType: input.entityType,
        entityId: input.entityId,
        action: input.action,
        outcome: input.outcome ?? 'applied',
        before: jsonSafe(input.before ?? null),
        after: jsonSafe(input.after ?? null),
      };
      prevHash = entryHash(fields);
      return { ...fields, hash: prevHash };
    });
    await tx.insert(auditEntries).values(rows);
    await tx.execute(sql`UPDATE audit_chains SET head_seq = ${seq}, head_hash = ${prevHash} WHERE chain = ${chain}`);
  }
}
