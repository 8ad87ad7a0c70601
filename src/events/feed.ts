// The pull feed (docs/events.md#feed): events in commit order, resumable from any cursor.
//
// Order and visibility: events are listed by (txid, position) and only those written by
// transactions older than the oldest transaction of this database still running (events_horizon(),
// migrations/0027_events_horizon.sql). Every transaction below that horizon has ended, so nothing
// can later appear before a cursor already handed out: an event committed late by a long
// transaction has a txid at or above the horizon and is listed once that transaction ends, after
// the events already read.
import { and, asc, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { afterCursor, encodeCursor } from '../db/keyset.js';
import { events } from '../db/schema.js';
import { inRegion } from '../supervision/jurisdiction.js';
import type { EventRow } from './render.js';

export interface FeedQuery {
  /** Region prefix the caller may read (already narrowed to its jurisdiction). */
  prefix: string;
  types?: string[];
  after?: string;
  limit: number;
}

/** Before every event of a transaction still running: the feed's horizon. */
export const committedBeforeHorizon: SQL = sql`${events.txid} < events_horizon()`;

/** Where a reader left off: the cursor of the last event it was given. */
export const eventCursor = (e: Pick<EventRow, 'txid' | 'position'>) => encodeCursor([e.txid, e.position]);

/** The commit-order condition "after this cursor" for any query over events. */
export const afterEventCursor = (cursor: string) => afterCursor([events.txid, events.position], cursor);

export async function readFeed(db: DbOrTx, q: FeedQuery): Promise<{ rows: EventRow[]; next: string | null; more: boolean }> {
  const rows = await db.select().from(events).where(and(
    committedBeforeHorizon,
    q.after ? afterEventCursor(q.after) : undefined,
    or(inRegion(events.regionCode, q.prefix), inRegion(events.otherRegionCode, q.prefix)),
    q.types?.length ? inArray(events.type, q.types) : undefined,
  )).orderBy(asc(events.txid), asc(events.position)).limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { rows: page, next: last ? eventCursor(last) : (q.after ?? null), more: rows.length > q.limit };
}
