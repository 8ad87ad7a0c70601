// Replicas started together (a rollout, a scaled-up deployment) must not migrate the schema, create
// the signing key or bootstrap the admin at the same time: each would find nothing and create it,
// and the second would fail. The first to start holds this session-level advisory lock while it
// does all three; the others wait for it, then find everything done (docs/scaling.md).
import type pg from 'pg';

// An arbitrary constant naming this lock; other advisory locks of the service use other keys.
const STARTUP_LOCK_KEY = 7_231_908_415;

export async function withStartupLock<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
