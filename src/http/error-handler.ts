// The one place where anything thrown becomes an RFC 9457 problem+json response.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, problemBody, type ErrorCode, type FieldError } from '../core/errors.js';
import { CalendarNotCoveredError } from '../calendar/working-days.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

/** Seconds a client should wait before retrying while the database is away. */
export const DATABASE_RETRY_AFTER_S = 5;

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  412: 'VERSION_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

// PostgreSQL errors a client can provoke (a race on a unique key, a value out of range).
const PG_CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  '23505': ['CONFLICT', 'A record with the same unique value already exists'],
  '22P02': ['VALIDATION_FAILED', 'A value has the wrong format'],
  '22021': ['VALIDATION_FAILED', 'Text may not contain NUL characters'],
  '22P05': ['VALIDATION_FAILED', 'Text may not contain NUL characters'],
  '22003': ['VALIDATION_FAILED', 'A number is out of range'],
  '22007': ['VALIDATION_FAILED', 'A date or time is not valid'],
  '22008': ['VALIDATION_FAILED', 'A date or time is out of range'],
  '40001': ['VERSION_CONFLICT', 'A concurrent change won; read the entity again and retry'],
  '40P01': ['VERSION_CONFLICT', 'A concurrent change won; read the entity again and retry'],
};

function validationErrors(err: FastifyError): FieldError[] {
  const where = err.validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string; allowedValues?: unknown[] } | undefined;
    const missing = params?.missingProperty;
    const base = v.instancePath || '';
    const path = `${where}${base.replace(/\//g, '.')}${missing ? `.${missing}` : ''}`;
    // An enum's error names the values it takes (a method code, say), so the client can correct it.
    const allowed = Array.isArray(params?.allowedValues) ? `: ${params.allowedValues.join(', ')}` : '';
    return { path, message: `${v.message ?? 'is not valid'}${allowed}` };
  });
}

export function sendProblem(
  reply: FastifyReply, code: ErrorCode, detail: string, extras: Record<string, unknown> = {},
): FastifyReply {
  const body = problemBody(code, detail, String(reply.request.id), extras);
  return reply
    .code(body.status)
    .type('application/problem+json')
    .serializer(JSON.stringify)
    .send(body);
}

// Last line of defence: a date outside the loaded working-day calendar is a refusal, not a crash.
function calendarProblem(error: unknown) {
  return error instanceof CalendarNotCoveredError
    ? { code: 'RULE_VIOLATION' as const, detail: `${error.message}; the official calendar for that year must be loaded first`, extras: { rule: 'calendar_not_covered', year: error.year } }
    : undefined;
}

export function toProblem(error: unknown): { code: ErrorCode; detail: string; extras: Record<string, unknown>; headers?: Record<string, string> } {
  if (error instanceof AppError) {
    const retry = error.code === 'SERVICE_UNAVAILABLE' ? { headers: { 'retry-after': String(DATABASE_RETRY_AFTER_S) } } : {};
    return { code: error.code, detail: error.message, extras: error.extras, ...retry };
  }
  const calendar = calendarProblem(error);
  if (calendar) return calendar;
  const err = error as FastifyError & { code?: string; headers?: Record<string, string> };
  // A database that restarts, fails over or refuses connections: the request did not happen (its
  // transaction rolled back or never began); the client retries, with its Idempotency-Key.
  if (isDatabaseUnavailable(error)) {
    return {
      code: 'SERVICE_UNAVAILABLE',
      detail: 'The database is not reachable right now, so the request may not have been applied. Retry after a few seconds with the same Idempotency-Key: it applies once',
      extras: {},
      headers: { 'retry-after': String(DATABASE_RETRY_AFTER_S) },
    };
  }
  if (err && Array.isArray(err.validation)) {
    const errors = validationErrors(err);
    return {
      code: 'VALIDATION_FAILED',
      detail: errors.map((e) => `${e.path} ${e.message}`).join('; ') || 'The request is not valid',
      extras: { errors },
    };
  }
  // drizzle wraps the driver's error; the SQLSTATE is on its cause.
  const sqlState = [err?.code, (err as { cause?: { code?: unknown } })?.cause?.code].find((c) => typeof c === 'string' && PG_CLIENT_ERRORS[c]);
  if (typeof sqlState === 'string') {
    const [code, detail] = PG_CLIENT_ERRORS[sqlState];
    return { code, detail, extras: {} };
  }
  const status = err?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { code: BY_STATUS[status] ?? 'VALIDATION_FAILED', detail: err.message, extras: {}, headers: err.headers };
  }
  if (status === 503) return { code: 'SERVICE_UNAVAILABLE', detail: err.message, extras: {}, headers: err.headers };
  return { code: 'INTERNAL', detail: 'An unexpected error occurred; it has been logged with this request id', extras: {} };
}

function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const problem = toProblem(error);
  if (problem.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
  else if (problem.code === 'SERVICE_UNAVAILABLE') request.log.warn({ code: problem.code, reason: (error as Error)?.message }, 'request refused: service unavailable');
  else request.log.info({ code: problem.code, detail: problem.detail }, 'request refused');
  for (const [k, v] of Object.entries(problem.headers ?? {})) reply.header(k, v);
  return sendProblem(reply, problem.code, problem.detail, problem.extras);
}

/**
 * Errors the router raises before any route runs (a URL that is not valid percent-encoding, a path
 * segment over the length limit): fastify's `frameworkErrors` option, so they get problem+json too.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  return handleError(error, request, reply);
}

const CLIENT_ERRORS: Record<string, ErrorCode> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE',
};

/**
 * Requests node's HTTP parser rejects before fastify sees them (malformed request line or headers,
 * headers too large, a client too slow to send them): answered in the same problem+json shape,
 * then the connection is closed as node does.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const code = CLIENT_ERRORS[err.code ?? ''] ?? 'VALIDATION_FAILED';
    const problem = problemBody(code, 'The request could not be read as HTTP', randomUUID());
    const body = JSON.stringify(problem);
    socket.write(`HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
}
