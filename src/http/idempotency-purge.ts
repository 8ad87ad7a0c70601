// Idempotency records are kept IDEMPOTENCY_TTL_HOURS (a retry after that acts anew) and then
// deleted, in small batches so the purge never holds many row locks or a long transaction.
import type { Db } from '../db/database.js';
import { run, statement } from '../db/statements.js';

const BATCH = 5_000;

const PURGE_EXPIRED = statement('idempotency_purge', `
  DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) LIMIT ${BATCH}))
  RETURNING 1`);

/** Deletes every expired record; returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Db, ttlHours: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = (await run(db, PURGE_EXPIRED, [ttlHours])).length;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}
