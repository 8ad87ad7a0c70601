// The HTTP face of the unit of work (commands/unit-of-work.ts): reads the Idempotency-Key and
// If-Match headers, runs the change, and sends its answer, or the stored one to a retry.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.js';
import { canonicalJson } from '../audit/canonical-json.js';
import { AppError } from '../core/errors.js';
import { runUnitOfWork, type Actor, type Command, type CommandResult, type Idempotency, type StoredAnswer, type UnitOfWorkOutcome } from '../commands/unit-of-work.js';
import { runOneStatement, type Attempt, type ReadCommand } from '../commands/one-statement.js';
import { handledByOf, type HandledByPolicy } from '../commands/handled-by.js';

/** What runCommand needs from the app: its database and how long idempotency records live. */
export interface CommandContext { db: Db; config: { idempotencyTtlHours: number; handledByRequired: HandledByPolicy } }

function requestHash(request: FastifyRequest): string {
  let body: string;
  try {
    body = canonicalJson(request.body ?? null);
  } catch (e) {
    // A body nested thousands deep (which no schema of ours reads) overflows the stack: the client's mistake.
    if (e instanceof RangeError) throw new AppError('VALIDATION_FAILED', 'The request body is nested too deeply');
    throw e;
  }
  return createHash('sha256').update(`${request.method} ${request.url}\n${body}`).digest('hex');
}

function send(res: FastifyReply, r: StoredAnswer, replayed: boolean): FastifyReply {
  for (const [k, v] of Object.entries(r.headers)) res.header(k, v);
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

function idempotencyOf(ctx: CommandContext, request: FastifyRequest): Idempotency | undefined {
  const key = idempotencyKeyOf(request);
  return key ? { key, requestHash: requestHash(request), ttlHours: ctx.config.idempotencyTtlHours } : undefined;
}

/** Who acts: the caller, the request, and the person it names as handling the step. */
function actorOf(ctx: CommandContext, request: FastifyRequest): Actor {
  const { handledBy, required } = handledByOf(request.body, request.caller.handset === true, ctx.config.handledByRequired);
  return { caller: request.caller, requestId: String(request.id), handledBy, handledByRequired: required };
}

function sendOutcome<T>(res: FastifyReply, outcome: UnitOfWorkOutcome<T>): FastifyReply {
  return outcome.replayed
    ? send(res, outcome.answer, true)
    : send(res, { status: outcome.result.status, body: outcome.result.body, headers: outcome.result.headers ?? {} }, false);
}

/** A state change in one transaction (commands/unit-of-work.ts). */
export async function runCommand<T>(
  ctx: CommandContext,
  request: FastifyRequest,
  res: FastifyReply,
  work: (cmd: Command) => Promise<CommandResult<T>>,
): Promise<FastifyReply> {
  const actor = actorOf(ctx, request);
  return sendOutcome(res, await runUnitOfWork(ctx.db, actor, idempotencyOf(ctx, request), work));
}

/** A state change written by one statement (commands/one-statement.ts). */
export async function runOneStatementCommand<T>(
  ctx: CommandContext,
  request: FastifyRequest,
  res: FastifyReply,
  attempt: (cmd: ReadCommand) => Promise<Attempt<T>>,
): Promise<FastifyReply> {
  const actor = actorOf(ctx, request);
  return sendOutcome(res, await runOneStatement(ctx.db, actor, idempotencyOf(ctx, request), attempt));
}

/** The version a client expects, from `If-Match: "<version>"`; undefined when absent. */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined || raw === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(String(raw));
  if (!m) throw new AppError('VALIDATION_FAILED', 'If-Match must be a quoted version number, e.g. "3"');
  return Number(m[1]);
}

export const etag = (version: number) => `"${version}"`;
