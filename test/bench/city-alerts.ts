// The alerts page alone over the generated city (npm run bench:data first), as bench:reads measures
// it but with the city's and a district's pages timed apart, and each type on its own city-wide:
//   npx tsx test/bench/city-alerts.ts
//   BENCH_DATA_DB   the generated database (default hw_city10y)
//   BENCH_READS     pages measured per kind (default 50)
//   DATABASE_URL    the server holding it (default postgres://postgres@127.0.0.1:5432/postgres)
import pg from 'pg';
import { databaseUrl } from '../support/database-url.js';
import { startCityService } from './city/city-service.js';
import { json } from './http-json.js';
import { benchDbName, CITY_CLIENT } from './city/bench-clients.js';
import { percentile, timeGets } from './city/measure.js';
import { ALERT_TYPES } from '../../src/supervision/alerts.js';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = databaseUrl(SERVER_URL, benchDbName());
const N = Number(process.env.BENCH_READS ?? 50);
const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (x: number) => x.toFixed(1);

const db = new pg.Client({ connectionString: url });
await db.connect();
const districts = (await db.query("SELECT chain FROM audit_chains WHERE chain <> '140100' ORDER BY chain")).rows.map((r) => r.chain as string);
await db.end();

const service = await startCityService(url);
const { base, login } = service;
try {
  const city = await login(CITY_CLIENT);
  const line = (name: string, ms: number[]) => log(`${name.padEnd(40)} p50 ${fmt(percentile(ms, 0.5)).padStart(7)}  p95 ${fmt(percentile(ms, 0.95)).padStart(7)}  n ${ms.length}`);
  line('alerts page of 50, city', await timeGets(base, city, Array.from({ length: N + 5 }, () => '/api/v1/supervision/alerts'), 5));
  line('alerts page of 500, city', await timeGets(base, city, Array.from({ length: N + 5 }, () => '/api/v1/supervision/alerts?limit=500'), 5));
  line('alerts page of 50, districts in turn', await timeGets(base, city,
    Array.from({ length: N + 5 }, (_, i) => `/api/v1/supervision/alerts?regionCode=${districts[i % districts.length]}`), 5));
  const page = await json(base, 'GET', '/api/v1/supervision/alerts', city);
  log(`open city-wide: ${page.total}`);
  for (const type of ALERT_TYPES) line(`  ?type=${type}`, await timeGets(base, city, Array.from({ length: 12 }, () => `/api/v1/supervision/alerts?type=${type}`), 2));
} finally {
  await service.stop();
}
