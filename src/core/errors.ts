// Typed domain errors with stable codes, below every feature and the HTTP edge;
// http/error-handler.ts turns them into problem+json.

import type { RuleCode } from './rules.js';

export type ErrorCode =
  | 'VALIDATION_FAILED' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT'
  | 'ILLEGAL_TRANSITION' | 'VERSION_CONFLICT' | 'RULE_VIOLATION' | 'IDEMPOTENCY_MISMATCH'
  | 'QR_INVALID' | 'RATE_LIMITED' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_ACCEPTABLE' | 'URI_TOO_LONG' | 'REQUEST_TIMEOUT' | 'HEADERS_TOO_LARGE'
  | 'SERVICE_UNAVAILABLE' | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  VERSION_CONFLICT: 412,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RULE_VIOLATION: 422,
  IDEMPOTENCY_MISMATCH: 422,
  QR_INVALID: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

const TITLE: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request is not valid',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed for this role',
  NOT_FOUND: 'Not found',
  NOT_ACCEPTABLE: 'Not acceptable',
  URI_TOO_LONG: 'The request URL or one of its path segments is too long',
  REQUEST_TIMEOUT: 'The request took too long to arrive',
  HEADERS_TOO_LARGE: 'The request headers are too large',
  CONFLICT: 'Conflicts with an existing record',
  ILLEGAL_TRANSITION: 'This step is not allowed in the current state',
  VERSION_CONFLICT: 'The entity changed since you read it',
  PAYLOAD_TOO_LARGE: 'Request body too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type',
  RULE_VIOLATION: 'A business rule refuses this request',
  IDEMPOTENCY_MISMATCH: 'Idempotency-Key reused with a different request',
  QR_INVALID: 'The QR code is not a genuine label',
  RATE_LIMITED: 'Too many requests',
  INTERNAL: 'Internal error',
  SERVICE_UNAVAILABLE: 'Service unavailable',
};

export interface FieldError { path: string; message: string }

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly extras: Record<string, unknown> = {},
  ) {
    super(detail);
    this.status = STATUS[code];
  }
  get title(): string {
    return TITLE[this.code];
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (detail = 'Your role does not allow this') => new AppError('FORBIDDEN', detail);
export const invalid = (detail: string, errors: FieldError[] = []) =>
  new AppError('VALIDATION_FAILED', detail, errors.length ? { errors } : {});
export const ruleViolation = (rule: RuleCode, detail: string, extras: Record<string, unknown> = {}) =>
  new AppError('RULE_VIOLATION', detail, { rule, ...extras });

export function problemBody(code: ErrorCode, detail: string, requestId: string, extras: Record<string, unknown> = {}) {
  return {
    type: `https://hw-supervision.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE[code],
    status: STATUS[code],
    detail,
    code,
    requestId,
    ...extras,
  };
}
export { STATUS as ERROR_STATUS };
