// The append-only, hash-chained audit trail. Entries are written inside the caller's transaction
// (the change and its entry commit or vanish together). One chain per region: the chain's head
// row is locked while an entry is appended, which orders that region's writers and no others.
// Hashes are computed by the database as it appends (one round trip); entryHash recomputes them.
import { createHash } from 'node:crypto';
import type { DbOrTx } from '../db/database.js';
import { run, statement } from '../db/statements.js';
import { canonicalJson } from './canonical-json.js';

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

const jsonString = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

/**
 * Scheme 1's hash input: the JCS (RFC 8785) text of the hashed fields, written field by field in
 * JCS key order rather than through an object and a key sort (the verifier runs it for every entry
 * of a chain). `recordedAt` must already be an ISO time at millisecond precision, as entryHash and
 * the verifier give it.
 */
export function entryHashInput(f: HashedFields): string {
  return `{"action":${jsonString(f.action)},"after":${canonicalJson(f.after)},"before":${canonicalJson(f.before)},`
    + `"chain":${jsonString(f.chain)},"chainSeq":${JSON.stringify(f.chainSeq)},"clientId":${jsonString(f.clientId)},`
    + `"entityId":${jsonString(f.entityId)},"entityType":${jsonString(f.entityType)},"orgId":${jsonString(f.orgId)},`
    + `"outcome":${jsonString(f.outcome)},"prevHash":${jsonString(f.prevHash)},"recordedAt":${jsonString(f.recordedAt)},`
    + `"requestId":${jsonString(f.requestId)}}`;
}

export const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export function entryHash(f: HashedFields): string {
  return sha256Hex(entryHashInput({ ...f, recordedAt: new Date(f.recordedAt).toISOString() }));
}

export async function appendAudit(tx: DbOrTx, actor: AuditActor, input: AuditInput): Promise<void> {
  await appendAuditMany(tx, actor, [input]);
}

// The entries are hashed and chained by the database (audit_append, migrations/0005): the hash
// input's bytes are the same the verifier recomputes here with entryHash (docs/architecture.md#audit-hash).
const APPEND = statement('audit_append', `
  SELECT audit_append($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid, $9::text, $10::text)`);

/**
 * A before/after value as the hash input holds it: its JCS text, or null (stored as SQL NULL).
 * canonicalJson writes what a jsonb round trip gives back (Dates as ISO strings, undefined keys
 * left out), so the value needs no JSON.parse(JSON.stringify()) first.
 */
export function hashedJson(v: unknown): string | null {
  return v === null || v === undefined ? null : canonicalJson(v);
}

/** Column arrays of audit_append's entries: chains, entity types, ids, actions, befores, afters. */
export function auditColumns(inputs: AuditInput[]): [string[], string[], string[], string[], Array<string | null>, Array<string | null>] {
  return [
    inputs.map((i) => i.chain), inputs.map((i) => i.entityType), inputs.map((i) => i.entityId), inputs.map((i) => i.action),
    inputs.map((i) => hashedJson(i.before)), inputs.map((i) => hashedJson(i.after)),
  ];
}

/** Appends entries to their chains in one round trip; the chain heads stay locked until commit. */
export async function appendAuditMany(tx: DbOrTx, actor: AuditActor, inputs: AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  const [chains, types, ids, actions, befores, afters] = auditColumns(inputs);
  await run(tx, APPEND, [chains, types, ids, actions, inputs.map((i) => i.outcome ?? 'applied'), befores, afters,
    actor.orgId ?? null, actor.clientId ?? null, actor.requestId ?? null]);
}
