// The only reader of process.env: every setting is parsed and validated here, once, at start.
import path from 'node:path';
import { createHash } from 'node:crypto';
import { HANDLED_BY_POLICIES, type HandledByPolicy } from './commands/handled-by.js';
import { SHORT_TOKEN_LENGTH } from './labels/qr-token.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  publicBaseUrl: string;
  logLevel: string;
  bodyLimitBytes: number;
  corsOrigins: string[];
  /** Which proxies' X-Forwarded-For to believe: false (none), true (any), or their addresses. */
  trustProxy: boolean | string[];
  jwt: { issuer: string; audience: string; ttlSeconds: number; privateJwks?: string };
  bootstrap?: { clientId: string; clientSecret: string; regionCode: string };
  weightTolerancePct: number;
  occurredAtWindowDays: number;
  /** How far back the steps of a manifest back-entered from a paper form may be dated. */
  paperBackEntryWindowDays: number;
  /** The largest paper-form scan stored with a manifest. */
  paperScanMaxBytes: number;
  receiptWorkingDays: number;
  /** How long an external receiver's one-time receipt link lasts (a policy: the rules set none). */
  externalReceiptLinkHours: number;
  /** Which clients must name the person handling a step (经办人): handset clients, all, or none. */
  handledByRequired: HandledByPolicy;
  alerts: {
    storageWarnDays: number;
    storageLimitDays: number;
    medicalHoldDays: number;
    inTransitHours: number;
    licenceExpiryDays: number;
    capacityWarnPct: number;
    /** Days before the year ends from which a missing next-year calendar raises calendar_year_missing. */
    calendarMissingDays: number;
    /** A step recorded more than this many hours after its occurredAt is a late report. */
    lateReportHours: number;
    /** How many days back the late_report alert lists steps by when they were recorded. */
    lateReportWindowDays: number;
    /** declaration_overdue lists periods whose deadline fell within this many days. */
    declarationLookbackDays: number;
  };
  /** Seconds between re-reads of the loaded calendar years, so that API instances converge (0: none). */
  calendarRefreshIntervalS: number;
  pressure: { maxEventLoopDelayMs: number; maxPoolWaiting: number };
  verifyRateLimitPerMinute: number;
  /** Token requests per minute from one client address (any client ids, any outcome). */
  tokenRateLimitPerMinute: number;
  dbPoolSize: number;
  /** How long an Idempotency-Key record is kept (and a retry replays) before it is purged. */
  idempotencyTtlHours: number;
  /** Seconds between scheduled audit checkpoints (0: none are signed on a schedule). */
  auditCheckpointIntervalS: number;
  /** Seconds between alert sweeps, which write alert.opened / alert.closed events (0: no sweep on a schedule). */
  alertSweepIntervalS: number;
  /**
   * Where /metrics is served: on the public listener (optionally behind a bearer token), or only on
   * a separate listener on 127.0.0.1 (the default in production).
   */
  metrics: { port?: number; host: string; token?: string };
  /** Timeouts of the HTTP server against slow or idle clients. */
  http: { requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number; shutdownGraceMs: number };
  /** GPS tracks of the carriers' legs and the route alerts (docs/regulations.md#route-record): our policy, configurable. */
  tracks: {
    /** A fix may lie this many minutes before its leg began or after it ended. */
    timeMarginMinutes: number;
    /** Faster than this from the previous fix: stored flagged implausible, left out of the route. */
    maxSpeedKmh: number;
    /** A stop: consecutive fixes within this radius for at least stopMinMinutes. */
    stopRadiusM: number;
    stopMinMinutes: number;
    /** route_stop: a stop this long, farther than stopPlaceRadiusM from the known places. */
    alertStopMinutes: number;
    stopPlaceRadiusM: number;
    /** route_off_corridor: a leg straying this far from the straight line between its ends. */
    corridorKm: number;
    /** route_silence: no fix for this long while in transit. */
    silenceMinutes: number;
  };
  /** The background job runner (graphile-worker) of this process (src/jobs/). */
  jobs: { enabled: boolean; concurrency: number; pollIntervalMs: number };
  /** Signed webhooks delivered from the event stream (docs/events.md#webhooks). */
  webhooks: {
    /** AES-256-GCM key that encrypts the signing secrets at rest. */
    secretKey: Buffer;
    /** Hosts and addresses/CIDRs a subscription URL may point to although private or loopback. */
    allowPrivate: string[];
    secretOverlapHours: number;
    maxAttempts: number;
    pauseAfterHours: number;
    pollMs: number;
    timeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
  };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function num(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a number between ${min} and ${max}, got "${raw}"`);
  }
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], def: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}`);
  }
  return raw.replace(/\/+$/, '');
}

/** The QR content `{PUBLIC_BASE_URL}/v/{token}` stays within 140 characters, so the printed QR scans (docs/regulations.md#qr-code). */
const MAX_QR_CONTENT = 140;

function publicBaseUrl(env: Env): string | undefined {
  const base = url(env, 'PUBLIC_BASE_URL', ['http:', 'https:']);
  const room = MAX_QR_CONTENT - '/v/'.length - SHORT_TOKEN_LENGTH;
  if (base !== undefined && base.length > room) {
    throw new ConfigError(`PUBLIC_BASE_URL must be at most ${room} characters, so that the QR content stays within ${MAX_QR_CONTENT}; got ${base.length}`);
  }
  return base;
}

// Believing X-Forwarded-For from anyone would let a client pick its own IP, and so dodge rate limits.
function trustProxy(raw: string | undefined): boolean | string[] {
  if (!raw || raw === 'false') return false;
  if (raw === 'true') return true;
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!list.every((a) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(a))) {
    throw new ConfigError('TRUST_PROXY must be false, true, or proxy addresses/CIDRs separated by commas');
  }
  return list;
}

// The development key is derived from a fixed phrase, so secrets stored by one run decrypt in the
// next; production must bring its own (and keep it: a lost key makes every stored secret useless).
const DEV_WEBHOOK_SECRET_PHRASE = 'hw-supervision development webhook secret key';

function webhookSecretKey(env: Env, production: boolean): Buffer {
  const raw = env.WEBHOOK_SECRET_KEY;
  if (!raw) {
    if (production) throw new ConfigError('WEBHOOK_SECRET_KEY must be set in production (at least 32 characters): it encrypts the webhook signing secrets');
    return createHash('sha256').update(DEV_WEBHOOK_SECRET_PHRASE).digest();
  }
  if (raw.length < 32) throw new ConfigError('WEBHOOK_SECRET_KEY must be at least 32 characters');
  return createHash('sha256').update(raw).digest();
}

function allowPrivate(raw: string | undefined): string[] {
  const list = (raw || '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!list.every((a) => /^[0-9a-z:.\-]+(\/\d{1,3})?$/.test(a))) {
    throw new ConfigError('WEBHOOK_ALLOW_PRIVATE must be host names or addresses/CIDRs separated by commas');
  }
  return list;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const clientId = env.BOOTSTRAP_ADMIN_CLIENT_ID;
  const clientSecret = env.BOOTSTRAP_ADMIN_CLIENT_SECRET;
  if (Boolean(clientId) !== Boolean(clientSecret)) {
    throw new ConfigError('BOOTSTRAP_ADMIN_CLIENT_ID and BOOTSTRAP_ADMIN_CLIENT_SECRET must be set together');
  }
  if (clientSecret && clientSecret.length < 12) {
    throw new ConfigError('BOOTSTRAP_ADMIN_CLIENT_SECRET must be at least 12 characters');
  }
  const bootstrapRegion = env.BOOTSTRAP_REGION || '140100';
  if (!/^\d{6}$/.test(bootstrapRegion)) throw new ConfigError('BOOTSTRAP_REGION must be a 6-digit region code');

  const privateJwks = env.JWT_PRIVATE_JWKS || undefined;
  if (privateJwks) {
    try {
      const parsed = JSON.parse(privateJwks);
      if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error();
    } catch {
      throw new ConfigError('JWT_PRIVATE_JWKS must be a JSON Web Key Set {"keys":[...]} of Ed25519 private keys');
    }
  }

  const production = env.NODE_ENV === 'production';
  const metricsToken = env.METRICS_TOKEN || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters');
  // In production /metrics leaves the public listener unless a token guards it there.
  const metricsPortDefault = production && !metricsToken ? 9464 : undefined;
  const metricsPort = env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 1, 65535) : metricsPortDefault;

  const headersTimeoutMs = int(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 1_000, 600_000);
  const requestTimeoutMs = int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS may not exceed HTTP_REQUEST_TIMEOUT_MS');

  const hostForUrl = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    port,
    host,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    publicBaseUrl: publicBaseUrl(env) ?? `http://${hostForUrl}:${port}`,
    logLevel,
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 1024 * 1024, 1024),
    corsOrigins: (env.CORS_ORIGINS || '').split(',').map((s) => s.trim()).filter(Boolean),
    trustProxy: trustProxy(env.TRUST_PROXY),
    jwt: {
      issuer: env.JWT_ISSUER || 'hw-supervision',
      audience: env.JWT_AUDIENCE || 'hw-supervision-api',
      ttlSeconds: int(env, 'JWT_TTL_SECONDS', 3600, 60, 3600),
      privateJwks,
    },
    bootstrap: clientId && clientSecret ? { clientId, clientSecret, regionCode: bootstrapRegion } : undefined,
    weightTolerancePct: num(env, 'WEIGHT_TOLERANCE_PCT', 10, 0, 100),
    occurredAtWindowDays: int(env, 'OCCURRED_AT_WINDOW_DAYS', 30, 0, 3650),
    paperBackEntryWindowDays: int(env, 'PAPER_BACKENTRY_WINDOW_DAYS', 365, 1, 3650),
    paperScanMaxBytes: int(env, 'PAPER_SCAN_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    receiptWorkingDays: int(env, 'RECEIPT_WORKING_DAYS', 5, 1, 60),
    externalReceiptLinkHours: int(env, 'EXTERNAL_RECEIPT_LINK_HOURS', 240, 1, 24 * 366),
    handledByRequired: oneOf(env, 'HANDLED_BY_REQUIRED', HANDLED_BY_POLICIES, 'handsets'),
    alerts: {
      storageWarnDays: int(env, 'ALERT_STORAGE_WARN_DAYS', 300, 1, 3650),
      storageLimitDays: int(env, 'ALERT_STORAGE_LIMIT_DAYS', 365, 1, 3650),
      medicalHoldDays: int(env, 'ALERT_MEDICAL_HOLD_DAYS', 2, 1, 365),
      inTransitHours: int(env, 'ALERT_IN_TRANSIT_HOURS', 48, 1, 24 * 365),
      licenceExpiryDays: int(env, 'ALERT_LICENCE_EXPIRY_DAYS', 30, 1, 3650),
      capacityWarnPct: num(env, 'ALERT_CAPACITY_WARN_PCT', 90, 1, 100),
      calendarMissingDays: int(env, 'ALERT_CALENDAR_MISSING_DAYS', 60, 1, 365),
      // At least 1: the late-report indexes (migration 0013) hold steps recorded over an hour late.
      lateReportHours: int(env, 'LATE_REPORT_HOURS', 72, 1, 24 * 365),
      lateReportWindowDays: int(env, 'LATE_REPORT_WINDOW_DAYS', 30, 1, 3650),
      declarationLookbackDays: int(env, 'DECLARATION_ALERT_LOOKBACK_DAYS', 400, 1, 3650),
    },
    calendarRefreshIntervalS: int(env, 'CALENDAR_REFRESH_INTERVAL_S', 300, 0, 86_400),
    pressure: {
      maxEventLoopDelayMs: int(env, 'MAX_EVENT_LOOP_DELAY_MS', 1000, 0), // 0 turns the check off
      maxPoolWaiting: int(env, 'MAX_DB_POOL_WAITING', 200, 1),
    },
    verifyRateLimitPerMinute: int(env, 'VERIFY_RATE_LIMIT_PER_MINUTE', 60, 1),
    tokenRateLimitPerMinute: int(env, 'TOKEN_RATE_LIMIT_PER_MINUTE', 300, 1),
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 72, 1, 24 * 365),
    auditCheckpointIntervalS: int(env, 'AUDIT_CHECKPOINT_INTERVAL_S', 300, 0, 86_400),
    alertSweepIntervalS: int(env, 'ALERT_SWEEP_INTERVAL_S', 60, 0, 86_400),
    metrics: { port: metricsPort, host: env.METRICS_HOST || '127.0.0.1', token: metricsToken },
    http: {
      requestTimeoutMs,
      headersTimeoutMs,
      keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 600_000),
      shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 20_000, 0, 600_000),
    },
    tracks: {
      timeMarginMinutes: int(env, 'TRACK_TIME_MARGIN_MINUTES', 30, 0, 24 * 60),
      maxSpeedKmh: int(env, 'TRACK_MAX_SPEED_KMH', 150, 10, 1000),
      stopRadiusM: int(env, 'TRACK_STOP_RADIUS_M', 100, 10, 10_000),
      stopMinMinutes: int(env, 'TRACK_STOP_MIN_MINUTES', 5, 1, 24 * 60),
      alertStopMinutes: int(env, 'ROUTE_STOP_MINUTES', 30, 1, 7 * 24 * 60),
      stopPlaceRadiusM: int(env, 'ROUTE_STOP_PLACE_RADIUS_M', 500, 10, 100_000),
      corridorKm: num(env, 'ROUTE_CORRIDOR_KM', 5, 0.1, 1000),
      silenceMinutes: int(env, 'ROUTE_SILENCE_MINUTES', 60, 1, 7 * 24 * 60),
    },
    jobs: {
      enabled: oneOf(env, 'JOBS_ENABLED', ['true', 'false'], 'true') === 'true',
      concurrency: int(env, 'JOBS_CONCURRENCY', 4, 1, 100),
      pollIntervalMs: int(env, 'JOBS_POLL_INTERVAL_MS', 2_000, 50, 600_000),
    },
    webhooks: {
      secretKey: webhookSecretKey(env, production),
      allowPrivate: allowPrivate(env.WEBHOOK_ALLOW_PRIVATE),
      secretOverlapHours: num(env, 'WEBHOOK_SECRET_OVERLAP_HOURS', 24, 0, 24 * 30),
      maxAttempts: int(env, 'WEBHOOK_MAX_ATTEMPTS', 8, 1, 100),
      pauseAfterHours: num(env, 'WEBHOOK_PAUSE_AFTER_HOURS', 24, 0.0001, 24 * 365),
      pollMs: int(env, 'WEBHOOK_POLL_MS', 500, 50, 600_000),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryBaseMs: int(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 10, 86_400_000),
      retryMaxMs: int(env, 'WEBHOOK_RETRY_MAX_MS', 3_600_000, 10, 7 * 86_400_000),
    },
  };
}
