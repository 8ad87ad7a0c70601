// Independent reads at once where there are connections for them. On the pool each read takes a
// connection of its own. A transaction has one connection, and a second query sent while the first
// runs is queued by pg 8 with a deprecation warning and refused by pg 9, so there they run in turn.
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx } from './database.js';

/** A transaction's handle, whose one connection runs one query at a time. */
export const isTransaction = (db: DbOrTx): boolean => db instanceof PgTransaction;

/** Runs the reads (each a function, so that none starts early) and gives their results in order. */
export async function readTogether<T extends unknown[]>(db: DbOrTx, ...reads: { [K in keyof T]: () => PromiseLike<T[K]> }): Promise<T> {
  if (!isTransaction(db)) return Promise.all(reads.map((read) => read())) as Promise<T>;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as T;
}
