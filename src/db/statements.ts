// Hot-path SQL as named prepared statements, run straight on pg.
//
// Why not drizzle's query builder here: building a query costs more CPU than PostgreSQL spends
// running it (profiled: drizzle's SQL assembly was the largest single cost of a custody step), and
// drizzle's `.prepare()` is bound to one connection, so it cannot be reused across transactions.
// A named statement is parsed and planned once per connection by PostgreSQL and never rebuilt by us.
// Everything else keeps using drizzle; these statements run inside the same drizzle transaction.
import type pg from 'pg';
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';
import type { DbOrTx } from './database.js';

export interface Statement { readonly name: string; readonly text: string }

/** A statement's name must be unique per text: pg refuses to re-prepare a name with other SQL. */
export function statement(name: string, text: string): Statement {
  return { name, text };
}

/**
 * The pg client behind a drizzle handle: the pool for `db`, the transaction's own connection for
 * `tx`. drizzle-orm 0.45 (pinned exactly in package.json) keeps it on the session; it offers no
 * public accessor for a transaction's connection.
 */
export function pgClientOf(db: DbOrTx): pg.Pool | pg.PoolClient {
  const client = (db as unknown as { session?: { client?: pg.Pool | pg.PoolClient } }).session?.client;
  if (!client || typeof client.query !== 'function') throw new Error('drizzle handle without a pg client: check the drizzle-orm version');
  return client;
}

/** Runs a named statement on the connection of `db` (so inside its transaction, if it is one). */
export async function run<R extends pg.QueryResultRow>(db: DbOrTx, s: Statement, values: unknown[]): Promise<R[]> {
  const result = await pgClientOf(db).query<R>({ name: s.name, text: s.text, values });
  return result.rows;
}

const columnName = (col: { name: string; keyAsName: boolean }) => (col.keyAsName ? toSnakeCase(col.name) : col.name);

/**
 * A named statement inserting many rows of `table` passed as one JSON array ($1), each row an
 * object keyed by column name (see jsonRecord): one short parameter to encode instead of one per
 * cell, and a statement PostgreSQL plans once per connection whatever the number of rows.
 */
export function insertJsonRows(name: string, table: Table, returning: string): Statement {
  const cols = columnNames(table).map(([, name]) => `"${name}"`).join(', ');
  const t = `"${getTableName(table)}"`;
  return statement(name, `INSERT INTO ${t} (${cols}) SELECT ${cols} FROM json_populate_recordset(null::${t}, $1::json) RETURNING ${returning}`);
}

/** A row of `table` (drizzle keys) as insertJsonRows takes it: keyed by column name, every column present. */
export function jsonRecord(table: Table, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, name] of columnNames(table)) {
    if (row[key] === undefined) throw new Error(`jsonRecord: ${key} is missing (a column default does not apply here)`);
    out[name] = row[key];
  }
  return out;
}

// (drizzle key, column name) pairs per table, worked out once: jsonRecord runs for every row.
const namesOf = new WeakMap<Table, Array<[string, string]>>();
function columnNames(table: Table): Array<[string, string]> {
  let names = namesOf.get(table);
  if (!names) namesOf.set(table, (names = Object.entries(getTableColumns(table)).map(([key, col]) => [key, columnName(col)])));
  return names;
}

/**
 * The select list that returns rows shaped like drizzle's `$inferSelect` for `table`:
 * `"t"."held_since" AS "heldSince", …`, derived from the schema so that it cannot drift from it.
 * Columns are named by the snake_case rule the database is set up with (see database.ts).
 * pg's type parsers (set in database.ts) give the same JS values drizzle would: numbers, Dates,
 * 'YYYY-MM-DD' strings, parsed jsonb and arrays.
 */
export function selectList(table: Table, alias?: string): string {
  const prefix = alias ? `"${alias}".` : '';
  return Object.entries(getTableColumns(table))
    .map(([key, col]) => {
      // drizzle hands such timestamps back as strings; pg would give a Date.
      if (col.columnType === 'PgTimestampString') throw new Error(`selectList: ${key} is a string-mode timestamp`);
      return `${prefix}"${columnName(col)}" AS "${key}"`;
    })
    .join(', ');
}
