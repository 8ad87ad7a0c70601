// The unit of work of every state change: one transaction holding the change, its audit entries
// and, when the client sent an Idempotency-Key, the record of its answer; a refused attempt is
// audited after the rollback. Below the HTTP edge and the features: http/command.ts is its HTTP
// face, features receive a Command and never open transactions of their own.
import type { Db, Tx } from '../db/database.js';
import { run, statement } from '../db/statements.js';
import { appendAuditMany, type AuditInput } from '../audit/trail.js';
import type { Caller } from '../auth/roles.js';
import { AppError } from '../core/errors.js';
import type { HandledBy } from './handled-by.js';

export interface Actor {
  caller: Caller;
  requestId: string;
  /** 经办人 named by the request (commands/handled-by.ts), and whether this client must name one. */
  handledBy?: HandledBy | null;
  handledByRequired?: boolean;
}

export interface CommandResult<T> {
  status: number;
  body: T;
  headers?: Record<string, string>;
  /**
   * What a retry with the same Idempotency-Key answers, when it must differ from `body`: a response
   * that carries a secret is stored without it (idempotency records never hold secrets).
   */
  replayBody?: unknown;
}

export interface Command {
  tx: Tx;
  actor: Actor;
  /** Records audit entries for this change; they are appended in the same transaction, before commit. */
  audit(...inputs: AuditInput[]): Promise<void>;
  /** Names what a refusal of this command should be audited against. */
  onRefusal(target: RefusalTarget): void;
}

/** What a refusal of a command is audited against. */
export type RefusalTarget = Omit<AuditInput, 'outcome' | 'after'>;

/** A client's Idempotency-Key, the hash of the request it came with, and how long it is kept. */
export interface Idempotency { key: string; requestHash: string; ttlHours: number }

/** A stored answer, sent again to a retry. */
export interface StoredAnswer { status: number; body: unknown; headers: Record<string, string> }

// Refusals of a state change worth a trail entry (docs/regulations.md#audit-trail): not plain input errors.
const AUDITED_REFUSALS = new Set(['ILLEGAL_TRANSITION', 'RULE_VIOLATION', 'VERSION_CONFLICT', 'FORBIDDEN']);

// The Idempotency-Key statements run on every retried or keyed command: named, like the hot path's.
// A record older than the TTL counts as gone even before the purge deletes it.
const STORED_RESPONSE = statement('idempotency_stored_response', `
  SELECT request_hash, status_code, body, headers FROM idempotency_keys
  WHERE client_id = $1 AND key = $2 AND created_at > now() - make_interval(hours => $3)`);

// Claim the key first: a concurrent retry waits on it until this transaction ends, then finds the
// claim and replays the stored response instead of acting twice. An expired record is taken over.
const CLAIM_KEY = statement('idempotency_claim', `
  INSERT INTO idempotency_keys (client_id, key, request_hash, status_code, body, headers)
  VALUES ($1, $2, $3, 0, 'null'::jsonb, '{}'::jsonb)
  ON CONFLICT (client_id, key) DO UPDATE
    SET request_hash = excluded.request_hash, status_code = 0, body = 'null'::jsonb, headers = '{}'::jsonb, created_at = now()
    WHERE idempotency_keys.created_at <= now() - make_interval(hours => $4)
  RETURNING 1`);

const STORE_RESPONSE = statement('idempotency_store_response', `
  UPDATE idempotency_keys SET status_code = $3, body = $4, headers = $5 WHERE client_id = $1 AND key = $2`);

class ReplayNeeded extends Error {}

/** Who an audit entry names: the caller's organisation and client, and the request. */
export const auditActorOf = ({ caller, requestId }: Actor) => ({ orgId: caller.orgId, clientId: caller.clientId, requestId });

/** Audits a refused state change (after its rollback) when the refusal is worth a trail entry. */
export async function auditRefusal(db: Db, actor: Actor, target: RefusalTarget | undefined, e: unknown): Promise<void> {
  if (!(e instanceof AppError) || !target || !AUDITED_REFUSALS.has(e.code)) return;
  await db.transaction((tx) => appendAuditMany(tx, auditActorOf(actor), [{
    ...target,
    outcome: 'refused',
    after: { code: e.code, detail: e.message, ...e.extras },
  }]));
}

/**
 * The answer stored for this client and key (one read), or undefined when there is none or only an
 * unfinished claim (which a committed transaction never leaves behind). The same key with another
 * request is refused.
 */
export async function storedAnswer(db: Db, clientId: string, idem: Idempotency): Promise<StoredAnswer | undefined> {
  const [row] = await run<StoredRow>(db, STORED_RESPONSE, [clientId, idem.key, idem.ttlHours]);
  return answerOf(row, idem);
}

/** An idempotency_keys row as read (null when there is none). */
export interface StoredRow { request_hash: string; status_code: number; body: unknown; headers: Record<string, string> }

/** The answer a stored row holds for this request: none for an unfinished claim; refused for another request. */
export function answerOf(row: StoredRow | null | undefined, idem: Idempotency): StoredAnswer | undefined {
  if (!row || row.status_code === 0) return undefined;
  if (row.request_hash !== idem.requestHash) {
    throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used before with a different request');
  }
  return { status: row.status_code, body: row.body, headers: row.headers };
}

export type UnitOfWorkOutcome<T> = { replayed: false; result: CommandResult<T> } | { replayed: true; answer: StoredAnswer };

/** Runs `work` as one unit: either everything it changed, audited (and its answer stored), or nothing. */
export async function runUnitOfWork<T>(
  db: Db, actor: Actor, idem: Idempotency | undefined, work: (cmd: Command) => Promise<CommandResult<T>>,
): Promise<UnitOfWorkOutcome<T>> {
  const { caller } = actor;
  const earlier = idem ? await storedAnswer(db, caller.clientId, idem) : undefined;
  if (earlier) return { replayed: true, answer: earlier };

  let refusal: RefusalTarget | undefined;
  try {
    const result = await db.transaction(async (tx) => {
      if (idem) {
        const claimed = await run(tx, CLAIM_KEY, [caller.clientId, idem.key, idem.requestHash, idem.ttlHours]);
        if (claimed.length === 0) throw new ReplayNeeded();
      }
      // Audit entries are gathered and appended once, last: a request that touches several chains
      // (the labels' region, then the manifest's) then locks them all at once in one fixed order,
      // so two requests can never hold chains the other is waiting for.
      const entries: AuditInput[] = [];
      const cmd: Command = {
        tx,
        actor,
        audit: async (...inputs) => { entries.push(...inputs); },
        onRefusal: (target) => { refusal = target; },
      };
      const r = await work(cmd);
      await appendAuditMany(tx, auditActorOf(actor), entries);
      if (idem) {
        await run(tx, STORE_RESPONSE, [caller.clientId, idem.key, r.status, JSON.stringify(r.replayBody ?? r.body), JSON.stringify(r.headers ?? {})]);
      }
      return r;
    });
    return { replayed: false, result };
  } catch (e) {
    if (e instanceof ReplayNeeded) {
      const answer = await storedAnswer(db, caller.clientId, idem!);
      if (answer) return { replayed: true, answer };
      throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry shortly');
    }
    await auditRefusal(db, actor, refusal, e);
    throw e;
  }
}
