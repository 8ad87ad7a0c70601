// npm run bench:reads: the read paths of the service over ten years of a city (npm run bench:data
// first). Starts the compiled service on that database, logs in as the city's and a district's
// regulator (clients the generator registered), and measures one request at a time: label and
// manifest traces, supervision search and alert pages (every alert type, and each type on its own),
// the event feed (first pages, and pages resumed from cursors deep in the history), a CSV export of
// about a million rows (with the service's peak memory) and the audit verification of one district's chain.
//
//   BENCH_DATA_DB        the generated database (default hw_city10y)
//   BENCH_READS          requests measured per kind (default 300)
//   BENCH_VERIFY_REGION  the district whose chain is verified (default 140106)
//   BENCH_EXPORT_ROWS    rows the CSV export should hold (default 1 000 000)
//   DATABASE_URL         the server holding it (default postgres://postgres@127.0.0.1:5432/postgres)
import pg from 'pg';
import { databaseUrl } from '../support/database-url.js';
import { startCityService } from './city/city-service.js';
import { json } from './http-json.js';
import { benchDbName, CITY_CLIENT, districtClient } from './city/bench-clients.js';
import { percentile, timeGets, withPeakRss, type Timing } from './city/measure.js';
import { ALERT_TYPES } from '../../src/supervision/alerts.js';
import { eventCursor } from '../../src/events/feed.js';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = databaseUrl(SERVER_URL, benchDbName());
const N = Number(process.env.BENCH_READS ?? 300);
const REGION = process.env.BENCH_VERIFY_REGION ?? '140106';
const EXPORT_ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (x: number) => (x >= 1000 ? x.toFixed(0) : x.toFixed(1));

// Samples straight from the database: random labels and manifests, busy generators and codes.
const db = new pg.Client({ connectionString: url });
await db.connect();
const sample = async (q: string) => (await db.query(q)).rows.map((r) => Object.values(r)[0] as string);
const labelIds = await sample(`SELECT id FROM labels TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT ${N + 10}`);
const manifestIds = await sample(`SELECT id FROM manifests TABLESAMPLE SYSTEM (5) WHERE state <> 'draft' ORDER BY random() LIMIT ${N + 10}`);
const generators = await sample('SELECT generator_id FROM labels TABLESAMPLE SYSTEM (1) GROUP BY 1 ORDER BY count(*) DESC LIMIT 20');
const wasteCodes = await sample('SELECT DISTINCT waste_code FROM labels TABLESAMPLE SYSTEM (1)');
const districts = await sample("SELECT chain FROM audit_chains WHERE chain <> '140100' ORDER BY chain");
// Cursors of events at random depths of the stream (where a poller back from a long outage resumes).
const { rows: deepEvents } = await db.query<{ txid: string; position: number }>(
  `SELECT txid::text AS txid, position::int AS position FROM events TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT ${N + 10}`);
// The export's date range: the latest days holding EXPORT_ROWS labels.
const exportFrom = async (rows: number) => (await db.query(`SELECT to_char((generated_at AT TIME ZONE 'Asia/Shanghai')::date, 'YYYY-MM-DD') AS from
  FROM labels ORDER BY generated_at DESC OFFSET $1 LIMIT 1`, [rows - 1])).rows[0].from as string;
const from = await exportFrom(EXPORT_ROWS);
const smallFrom = await exportFrom(Math.round(EXPORT_ROWS / 20));
await db.end();

const service = await startCityService(url);
const { child, base, login } = service;
const timings: Timing[] = [];
const extra: string[] = [];
try {
  const city = await login(CITY_CLIENT);
  const district = await login(districtClient(REGION));
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length];
  const under = (limit: number) => (_p50: number, p95: number) => p95 <= limit;

  timings.push({ name: 'label trace', target: 'p95 ≤ 10 ms', ok: under(10), ms: await timeGets(base, city, labelIds.map((id) => `/api/v1/labels/${id}/trace`)) });
  log('label traces done');
  timings.push({ name: 'manifest trace', target: 'p95 ≤ 15 ms', ok: under(15), ms: await timeGets(base, city, manifestIds.map((id) => `/api/v1/manifests/${id}/trace`)) });
  log('manifest traces done');

  // Search pages as a regulator browses: first pages under various filters, then the next pages.
  const filters = (kind: 'labels' | 'manifests', i: number) => [
    '', `regionCode=${pick(districts, i)}`, `wasteCode=${pick(wasteCodes, i)}`, `generatorId=${pick(generators, i)}`,
    `state=${kind === 'labels' ? 'stored' : 'received'}`, `category=HW08&from=2025-01-01&to=2025-12-31`, `regionCode=${pick(districts, i)}&from=2026-${String(1 + (i % 11)).padStart(2, '0')}-01`,
  ][i % 7];
  const searchPaths = async (kind: 'labels' | 'manifests') => {
    const paths: string[] = [];
    for (let i = 0; paths.length < N + 10; i++) {
      const f = filters(kind, i);
      const first = `/api/v1/supervision/${kind}?limit=50${f ? `&${f}` : ''}`;
      paths.push(first);
      const page = await json(base, 'GET', first, city);
      if (page.nextCursor) paths.push(`${first}&cursor=${page.nextCursor}`);
    }
    return paths;
  };
  timings.push({ name: 'supervision label search page', target: 'p95 ≤ 50 ms', ok: under(50), ms: await timeGets(base, city, await searchPaths('labels')) });
  timings.push({ name: 'supervision manifest search page', target: 'p95 ≤ 50 ms', ok: under(50), ms: await timeGets(base, city, await searchPaths('manifests')) });
  log('searches done');
  const alertPaths = Array.from({ length: Math.min(N, 100) + 5 }, (_, i) => (i % 2 ? `/api/v1/supervision/alerts?regionCode=${pick(districts, i)}` : '/api/v1/supervision/alerts'));
  timings.push({ name: 'supervision alerts page (city / district)', target: 'p95 ≤ 50 ms', ok: under(50), ms: await timeGets(base, city, alertPaths, 5) });
  const total = async (query: string) => (await json(base, 'GET', `/api/v1/supervision/alerts?limit=1${query}`, city)).total as number;
  const byType = new Map<string, number>();
  for (const type of ALERT_TYPES) byType.set(type, await total(`&type=${type}`));
  extra.push(`alerts open city-wide: ${await total('')} (${ALERT_TYPES.map((t) => `${t} ${byType.get(t)}`).join(', ')})`);
  // Each type on its own (?type=), city-wide: where the time of the whole page goes.
  const perType: string[] = [];
  for (const type of ALERT_TYPES) {
    const ms = await timeGets(base, city, Array.from({ length: 7 }, () => `/api/v1/supervision/alerts?type=${type}`), 2);
    perType.push(`${type} ${fmt(percentile(ms, 0.5))}`);
  }
  extra.push(`alerts by type, city-wide, p50 ms of 5: ${perType.join(', ')}`);
  log('alerts done');

  // The event feed as regulators' systems poll it: first pages, and pages resumed deep in the history.
  const feed = (i: number) => (i % 2 ? `/api/v1/events?limit=50&regionCode=${pick(districts, i)}` : '/api/v1/events?limit=50');
  timings.push({ name: 'event feed first page (city / district)', target: 'p95 ≤ 50 ms', ok: under(50),
    ms: await timeGets(base, city, Array.from({ length: N + 10 }, (_, i) => feed(i))) });
  if (deepEvents.length) {
    timings.push({ name: 'event feed page resumed deep in history', target: 'p95 ≤ 50 ms', ok: under(50),
      ms: await timeGets(base, city, Array.from({ length: N + 10 }, (_, i) => `${feed(i)}&after=${eventCursor(pick(deepEvents, i))}`)) });
  }
  const feedHead = await json(base, 'GET', '/api/v1/events?limit=50', city);
  extra.push(`event feed: first page ${feedHead.items.length} events, more=${feedHead.more}; ${deepEvents.length} cursors sampled at random depths`);
  log('event feed done');

  // A CSV export of about EXPORT_ROWS labels, streamed, with the service's memory sampled meanwhile.
  // A first export of a twentieth of the rows lets the heap reach its working size: flat memory
  // means the big export then peaks no higher, whatever its size.
  const exportCsv = (from: string) => withPeakRss(child.pid!, async () => {
    const res = await fetch(`${base}/api/v1/supervision/labels?format=csv&from=${from}`, { headers: { authorization: `Bearer ${city}` } });
    if (res.status !== 200 || !res.body) throw new Error(`export: ${res.status}`);
    let bytes = 0; let lines = 0;
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines++;
    }
    return { bytes, rows: lines - 1 };
  });
  const small = await exportCsv(smallFrom);
  const t = performance.now();
  const exp = await exportCsv(from);
  const s = (performance.now() - t) / 1000;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  const grewMb = (exp.peakKb - small.peakKb) / 1024;
  extra.push(`CSV export /api/v1/supervision/labels?format=csv&from=${from}: ${exp.result.rows} rows, ${(exp.result.bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s `
    + `(${(exp.result.rows / s).toFixed(0)} rows/s); service RSS: ${mb(small.beforeKb)} before a ${small.result.rows}-row export, which peaked at ${mb(small.peakKb)}; `
    + `the big export peaked at ${mb(exp.peakKb)}`);
  timings.push({ name: `CSV export, ${exp.result.rows} rows: peak RSS − small export's (MB)`, target: 'flat (≤ 50 MB)', ok: () => grewMb <= 50, ms: [grewMb] });
  log('export done');

  const v0 = performance.now();
  const verify = await json(base, 'GET', '/api/v1/audit/verify', district);
  const vs = (performance.now() - v0) / 1000;
  const rate = verify.checked / vs;
  extra.push(`audit verify ${REGION}: ok=${verify.ok}, ${verify.checked} entries in ${verify.chains} chain(s), ${vs.toFixed(1)} s`);
  timings.push({ name: `audit verify ${REGION}: entries/s`, target: '≥ 50000 /s', ok: () => rate >= 50_000, ms: [rate] });
} finally {
  await service.stop();
}

log(`\n${'measure'.padEnd(44)} ${'target'.padEnd(18)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'n'.padStart(5)}  result`);
for (const tm of timings) {
  const p50 = percentile(tm.ms, 0.5); const p95 = percentile(tm.ms, 0.95);
  log(`${tm.name.padEnd(44)} ${tm.target.padEnd(18)} ${fmt(p50).padStart(8)} ${(tm.ms.length > 1 ? fmt(p95) : '').padStart(8)} ${String(tm.ms.length).padStart(5)}  ${tm.ok(p50, p95) ? 'ok' : 'MISSED'}`);
}
for (const e of extra) log(e);
