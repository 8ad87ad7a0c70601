// The order of the alerts page and its pages. Every alert is computed on each request (alerts.ts),
// so a page is cut from the sorted list after the key the cursor holds: deadline, entity, type, a
// key no two open alerts share. Compared by code unit, as the cursor is, so that the cut falls where
// the sort put it.
import { decodeCursor, keysetPage } from '../db/keyset.js';
import type { Alert } from './alerts.js';

const keyOf = (a: Alert): string[] => [a.deadline, a.entityId, a.type];

function compareKeys(x: Array<string | number>, y: Array<string | number>): number {
  for (let i = 0; i < x.length; i += 1) {
    if (x[i] !== y[i]) return String(x[i]) < String(y[i]) ? -1 : 1;
  }
  return 0;
}

const compare = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

/** Earliest deadline first; the page's order (keyOf's, without building the keys: it sorts thousands). */
export const alertOrder = (x: Alert, y: Alert): number =>
  compare(x.deadline, y.deadline) || compare(x.entityId, y.entityId) || compare(x.type, y.type);

/** The key a page's cursor holds; a 400 for a cursor the API did not issue (read before any alert is computed). */
export const alertCursor = (cursor: string | undefined) => (cursor === undefined ? undefined : decodeCursor(cursor, 3));

/** The `limit` alerts after the cursor's key (all of them sorted by alertOrder), and the next page's cursor. */
export function alertPage(sorted: Alert[], limit: number, after?: Array<string | number>): { items: Alert[]; nextCursor: string | null } {
  const rest = after ? sorted.slice(firstAfter(sorted, after)) : sorted;
  return keysetPage(rest, limit, keyOf, (a) => a);
}

/** Index of the first alert whose key is above `key` (binary search: the list is sorted). */
function firstAfter(sorted: Alert[], key: Array<string | number>): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(keyOf(sorted[mid]), key) <= 0) lo = mid + 1; else hi = mid;
  }
  return lo;
}
