// Whether an error means "the database cannot be reached right now" rather than "this request is
// wrong": such requests answer 503 with Retry-After, and the pool heals by itself.

// SQLSTATE classes and codes of a server that is going away, starting up or refusing connections.
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend, fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction (a failover left us on a standby)
]);
const UNAVAILABLE_CLASSES = ['08']; // connection_exception

// Socket errors from the driver, and node's own.
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

// pg reports a lost or closed connection with these messages and no code.
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /is not queryable/i,
  /Cannot use a pool after calling end/i,
  /Query read timeout/i,
];

function matches(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

/** True for the error itself or anything it wraps (drizzle puts the driver's error in `cause`). */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (matches(e)) return true;
    const inner = (e as { errors?: unknown }).errors; // AggregateError of ECONNREFUSED on v4 and v6
    if (Array.isArray(inner) && inner.some(matches)) return true;
  }
  return false;
}
