// The append-only, hash-chained audit trail. Entries are written inside the caller's transaction
// (the change and its entry commit or vanish together). One chain per region: the chain's head
// row is locked while an entry is appended, which orders that region's writers and no others.
import { createHash } from 'node:crypto';
import type { DbOrTx } from '../db/database.js';
import { run, statement } from '../db/statements.js';
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

// Locks the heads of the given chains (creating a chain at its genesis), in chain order so that
// two transactions touching the same chains cannot deadlock, and returns where each chain ends.
const LOCK_HEADS = statement('audit_lock_heads', `
  INSERT INTO audit_chains (chain, head_seq, head_hash)
  SELECT chain, 0, $2 FROM unnest($1::text[]) AS c(chain) ORDER BY chain COLLATE "C"
  ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain
  RETURNING chain, head_seq, head_hash`);

// Inserts the entries (in array order, so their seq follows it) and moves each chain's head to its
// last entry; the heads were locked by LOCK_HEADS in the same transaction.
const APPEND = statement('audit_append', `
  WITH appended AS (
    INSERT INTO audit_entries (chain, chain_seq, prev_hash, hash, entity_type, entity_id, action, outcome, before, after,
                               recorded_at, org_id, client_id, request_id)
    SELECT e.chain, e.chain_seq, e.prev_hash, e.hash, e.entity_type, e.entity_id, e.action, e.outcome, e.before, e.after,
           $11::timestamptz, $12::uuid, $13::text, $14::text
    FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::jsonb[], $10::jsonb[])
      WITH ORDINALITY AS e(chain, chain_seq, prev_hash, hash, entity_type, entity_id, action, outcome, before, after, n)
    ORDER BY e.n
  )
  UPDATE audit_chains c SET head_seq = h.seq, head_hash = h.hash
  FROM unnest($15::text[], $16::bigint[], $17::text[]) AS h(chain, seq, hash)
  WHERE c.chain = h.chain`);

const jsonbParam = (v: unknown) => (v === null ? null : JSON.stringify(v));

/** Appends several entries with one lock statement and one insert for all their chains. */
export async function appendAuditMany(tx: DbOrTx, actor: AuditActor, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const byChain = new Map<string, AuditInput[]>();
  for (const i of inputs) byChain.set(i.chain, [...(byChain.get(i.chain) ?? []), i]);
  // Sorted as LOCK_HEADS locks them (for region codes, plain JS order equals COLLATE "C").
  const chains = [...byChain.keys()].sort();
  const heads = new Map((await run<{ chain: string; head_seq: number; head_hash: string }>(tx, LOCK_HEADS, [chains, GENESIS_HASH]))
    .map((h) => [h.chain, h]));
  const recordedAt = new Date().toISOString();
  const rows: Array<HashedFields & { hash: string }> = [];
  const newHeads: Array<{ chain: string; seq: number; hash: string }> = [];
  for (const chain of chains) {
    const head = heads.get(chain)!;
    let seq = Number(head.head_seq);
    let prevHash = head.head_hash;
    for (const input of byChain.get(chain)!) {
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
      rows.push({ ...fields, hash: prevHash });
    }
    newHeads.push({ chain, seq, hash: prevHash });
  }
  await run(tx, APPEND, [
    rows.map((r) => r.chain), rows.map((r) => r.chainSeq), rows.map((r) => r.prevHash), rows.map((r) => r.hash),
    rows.map((r) => r.entityType), rows.map((r) => r.entityId), rows.map((r) => r.action), rows.map((r) => r.outcome),
    rows.map((r) => jsonbParam(r.before)), rows.map((r) => jsonbParam(r.after)),
    recordedAt, actor.orgId ?? null, actor.clientId ?? null, actor.requestId ?? null,
    newHeads.map((h) => h.chain), newHeads.map((h) => h.seq), newHeads.map((h) => h.hash),
  ]);
}
