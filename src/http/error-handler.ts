// The one place where anything thrown becomes an RFC 9457 problem+json response.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, problemBody, type ErrorCode, type FieldError } from './errors.js';
import { CalendarNotCoveredError } from '../calendar/working-days.js';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  412: 'VERSION_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
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
    const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty;
    const base = v.instancePath || '';
    const path = `${where}${base.replace(/\//g, '.')}${missing ? `.${missing}` : ''}`;
    return { path, message: v.message ?? 'is not valid' };
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
  if (error instanceof AppError) return { code: error.code, detail: error.message, extras: error.extras };
  const calendar = calendarProblem(error);
  if (calendar) return calendar;
  const err = error as FastifyError & { code?: string; headers?: Record<string, string> };
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

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request: FastifyRequest, reply) => {
    const problem = toProblem(error);
    if (problem.code === 'INTERNAL') request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: problem.code, detail: problem.detail }, 'request refused');
    for (const [k, v] of Object.entries(problem.headers ?? {})) reply.header(k, v);
    return sendProblem(reply, problem.code, problem.detail, problem.extras);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`));
}
