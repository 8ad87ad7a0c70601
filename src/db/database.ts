import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema>;
/** A drizzle handle inside a transaction; the same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

// Numeric and bigint columns come back as numbers: weights fit well inside a double.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// Dates stay as 'YYYY-MM-DD' strings: calendar dates, never shifted by a time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

/** Where connection losses are reported (the app's logger in the server; nowhere by default). */
export type ConnectionErrorSink = (err: Error) => void;

type ConnectCallback = Parameters<pg.Pool['connect']>[0];

/**
 * A pool that takes back a checked-out client whose connection ends. drizzle-orm 0.45 sends BEGIN
 * before its try/finally (node-postgres/session.js), so a connection cut while BEGIN is in flight
 * is never released: its slot is lost for good, and once `max` slots are lost every request waits
 * for a connection until it times out, long after the database is back. Here such a client is
 * released as broken (the pool drops it and opens a new one) as soon as its connection ends, and a
 * later release by its holder is a no-op instead of pg-pool's double-release error.
 */
class HealingPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // pool.query checks out with a callback and releases on a connection error itself.
    if (callback) return super.connect(callback);
    return super.connect().then(releasedWhenItsConnectionEnds);
  }
}

function releasedWhenItsConnectionEnds(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let released = false;
  const onEnd = () => client.release(new Error('Connection terminated while checked out'));
  client.release = (err?: Error | boolean) => {
    if (released) return;
    released = true;
    client.removeListener('end', onEnd);
    release(err);
  };
  client.once('end', onEnd);
  return client;
}

export function connect(url: string, max = 10, onConnectionError: ConnectionErrorSink = () => {}): Database {
  // JIT off: the service runs short queries, and JIT compiling the occasional big plan (alerts over
  // ten years of records) cost more than it saved (bench:reads: +0.5 s on the capacity alert).
  const pool = new HealingPool({ connectionString: url, max, connectionTimeoutMillis: 5_000, options: '-c jit=off' });
  // A client losing its server (a restart, a failover, pg_terminate_backend) emits 'error'. The pool
  // listens only while a client is idle; a checked-out client with no listener would crash the
  // process. With this one the query in flight fails (503 to its caller), the client is released
  // as not queryable (by its holder, or by HealingPool when the holder never does) and the pool
  // replaces it with a new connection on the next checkout.
  pool.on('connect', (client) => client.on('error', onConnectionError));
  pool.on('error', onConnectionError);
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return { pool, db, close: () => pool.end() };
}
