// A table row from its jsonb image (to_jsonb(row) in SQL: column names as keys, values as JSON),
// converted as the driver's values would be, so the API's views render it like a row they selected.
import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';
import { toSnakeCase } from 'drizzle-orm/casing';

export function rowFromJson<T extends Table>(table: T, json: Record<string, unknown>): InferSelectModel<T> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    // Columns declared without a name take it from their key, in the database's snake_case (db/database.ts).
    const value = json[column.keyAsName ? toSnakeCase(column.name) : column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as InferSelectModel<T>;
}
