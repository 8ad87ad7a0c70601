// Runs one state-changing request: one transaction holding the change, its audit entries and its
// Idempotency-Key record; a refused attempt is audited after the rollback.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db, Tx } from '../db/database.js';
import { run, statement } from '../db/statements.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { appendAuditMany, type AuditInput } from '../audit/trail.js';
import type { Caller } from '../auth/roles.js';
import { AppError } from './errors.js';

export interface Actor { caller: Caller; requestId: string }

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

/** What runCommand needs from the app: its database and how long idempotency records live. */
export interface CommandContext { db: Db; config: { idempotencyTtlHours: number } }

export interface Command {
  tx: Tx;
  actor: Actor;
  /** Records audit entries for this change; they are appended in the same transaction, before commit. */
  audit(...inputs: AuditInput[]): Promise<void>;
  /** Names what a refusal of this command should be audited against. */
  onRefusal(target: Omit<AuditInput, 'outcome' | 'after'>): void;
}

// Refusals of a state change worth a trail entry (domain.md §6): not plain input errors.
const AUDITED_REFUSALS = new Set(['ILLEGAL_TRANSITION', 'RULE_VIOLATION', 'VERSION_CONFLICT', 'FORBIDDEN']);

class ReplayNeeded extends Error {}

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
    .digest('hex');
}

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

interface StoredResponse { request_hash: string; status_code: number; body: unknown; headers: Record<string, string> }

function reply<T>(res: FastifyReply, r: CommandResult<T>, replayed = false): FastifyReply {
  for (const [k, v] of Object.entries(r.headers ?? {})) res.header(k, v);
  if (replayed) res.header('idempotent-replayed', 'true');
  return res.code(r.status).send(r.body);
}

export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1–200 visible ASCII characters');
  }
  return key;
}

export async function runCommand<T>(
  ctx: CommandContext,
  request: FastifyRequest,
  res: FastifyReply,
  work: (cmd: Command) => Promise<CommandResult<T>>,
): Promise<FastifyReply> {
  const { db } = ctx;
  const ttlHours = ctx.config.idempotencyTtlHours;
  const caller = request.caller;
  const actor: Actor = { caller, requestId: String(request.id) };
  const key = idempotencyKeyOf(request);
  const hash = key ? requestHash(request) : '';

  // Sends the stored response and says so; false when there is none (or only an unfinished claim,
  // which a committed transaction never leaves behind). A FastifyReply is a thenable: returning it
  // from an awaited function would await the reply itself, so this answers with a plain boolean.
  const replayed = async (): Promise<boolean> => {
    const [row] = await run<StoredResponse>(db, STORED_RESPONSE, [caller.clientId, key!, ttlHours]);
    if (!row || row.status_code === 0) return false;
    if (row.request_hash !== hash) {
      throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used before with a different request');
    }
    reply(res, { status: row.status_code, body: row.body as T, headers: row.headers }, true);
    return true;
  };

  if (key && (await replayed())) return res;

  let refusal: Omit<AuditInput, 'outcome' | 'after'> | undefined;
  try {
    const result = await db.transaction(async (tx) => {
      if (key) {
        const claimed = await run(tx, CLAIM_KEY, [caller.clientId, key, hash, ttlHours]);
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
      await appendAuditMany(tx, { orgId: caller.orgId, clientId: caller.clientId, requestId: actor.requestId }, entries);
      if (key) {
        await run(tx, STORE_RESPONSE, [caller.clientId, key, r.status, JSON.stringify(r.replayBody ?? r.body), JSON.stringify(r.headers ?? {})]);
      }
      return r;
    });
    return reply(res, result);
  } catch (e) {
    if (e instanceof ReplayNeeded) {
      if (await replayed()) return res;
      throw new AppError('CONFLICT', 'A request with this Idempotency-Key is still in progress; retry shortly');
    }
    if (e instanceof AppError && refusal && AUDITED_REFUSALS.has(e.code)) {
      const target = refusal;
      await db.transaction((tx) => appendAuditMany(tx, { orgId: caller.orgId, clientId: caller.clientId, requestId: actor.requestId }, [{
        ...target,
        outcome: 'refused',
        after: { code: e.code, detail: e.message, ...e.extras },
      }]));
    }
    throw e;
  }
}

/** The version a client expects, from `If-Match: "<version>"`; undefined when absent. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(String(raw));
  if (!m) throw new AppError('VALIDATION_FAILED', 'If-Match must be a quoted version number, e.g. "3"');
  return Number(m[1]);
}

export function checkVersion(expected: number | undefined, actual: number, what: string): void {
  if (expected !== undefined && expected !== actual) {
    throw new AppError('VERSION_CONFLICT', `${what} is at version ${actual}, not ${expected}`, { currentVersion: actual });
  }
}

export const etag = (version: number) => `"${version}"`;
