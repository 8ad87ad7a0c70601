// The audit trail as the service would have written it: one hash chain per region, entries hashed
// with the service's own entryHash (so /api/v1/audit/verify accepts them), chain_seq 1..n and
// prev_hash linking each entry to the one before it in its chain.
import { entryHash, GENESIS_HASH, type AuditActor, type AuditInput } from '../../../src/audit/trail.js';
import type { CopyTable } from './copy.js';

export const AUDIT_COLUMNS = ['seq', 'chain', 'chain_seq', 'prev_hash', 'hash', 'recorded_at', 'org_id', 'client_id', 'request_id',
  'entity_type', 'entity_id', 'action', 'outcome', 'before', 'after'];

export class AuditLog {
  private seq = 0;
  readonly heads = new Map<string, { seq: number; hash: string }>();
  constructor(private readonly out: CopyTable) {}

  /** `before` and `after` must already be JSON values (ISO strings, no Dates or undefined). */
  append(actor: AuditActor, recordedAt: string, input: AuditInput): void {
    const head = this.heads.get(input.chain) ?? { seq: 0, hash: GENESIS_HASH };
    const fields = {
      chain: input.chain, chainSeq: head.seq + 1, prevHash: head.hash, recordedAt,
      orgId: actor.orgId ?? null, clientId: actor.clientId ?? null, requestId: actor.requestId ?? null,
      entityType: input.entityType, entityId: input.entityId, action: input.action, outcome: input.outcome ?? 'applied',
      before: input.before ?? null, after: input.after ?? null,
    };
    const hash = entryHash(fields);
    this.out.write([++this.seq, fields.chain, fields.chainSeq, fields.prevHash, hash, recordedAt, fields.orgId, fields.clientId,
      fields.requestId, fields.entityType, fields.entityId, fields.action, fields.outcome, fields.before, fields.after]);
    this.heads.set(input.chain, { seq: fields.chainSeq, hash });
  }

  get lastSeq(): number { return this.seq; }
}
