// One way to page every list: keyset pagination over a sort key that ends in a unique column, and
// one opaque cursor format for all of them: base64url of the JSON array of the last item's key.
// A list selects `limit + 1` rows ordered by the key, adds `afterCursor(...)` to its conditions
// when the client sent a cursor, and turns the rows into a page with `keysetPage(...)`.
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { invalid } from '../core/errors.js';

type KeyValue = string | number | Date;

const badCursor = () => invalid('cursor is not one this API returned', [{ path: 'query.cursor', message: 'invalid cursor' }]);

export function encodeCursor(key: KeyValue[]): string {
  return Buffer.from(JSON.stringify(key.map((v) => (v instanceof Date ? v.toISOString() : v)))).toString('base64url');
}

/** The key a cursor holds, `length` strings or safe integers; a 400 for a cursor we did not issue. */
export function decodeCursor(cursor: string, length: number): Array<string | number> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  const ok = Array.isArray(key) && key.length === length
    && key.every((v) => (typeof v === 'string' && v.length <= 100) || (typeof v === 'number' && Number.isSafeInteger(v)));
  if (!ok) throw badCursor();
  return key as Array<string | number>;
}

/** `(columns) > (cursor's values)`, compared as a row value; a 400 for a cursor we did not issue. */
export function afterCursor(columns: AnyColumn[], cursor: string): SQL {
  const key = decodeCursor(cursor, columns.length);
  // A value of the wrong type for its column (a cursor of another list) is refused by PostgreSQL
  // with 22P02/22007, which the error handler answers as 400.
  return sql`(${sql.join(columns, sql`, `)}) > (${sql.join(key.map((v) => sql`${v}`), sql`, `)})`;
}

/** The first `limit` rows, shown with `view`, and the cursor of the next page (null on the last). */
export function keysetPage<R, V>(rows: R[], limit: number, keyOf: (row: R) => KeyValue[], view: (row: R) => V) {
  const page = rows.slice(0, limit);
  return { items: page.map(view), nextCursor: rows.length > limit ? encodeCursor(keyOf(page[page.length - 1])) : null };
}
