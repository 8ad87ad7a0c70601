// A fresh, empty database on the benchmark's PostgreSQL server for one service under measurement,
// dropped afterwards: every benchmark starts from the same empty state.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl } from '../support/database-url.js';

export const BENCH_SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freshDatabase(serverUrl = BENCH_SERVER_URL): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `hw_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: databaseUrl(serverUrl, name),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
