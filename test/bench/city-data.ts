// npm run bench:data: ten years of a city (2016-12 .. 2026-11) in a fresh database, for the read
// benchmark (npm run bench:reads) and for looking at query plans on realistic volumes.
//
//   BENCH_DATA_SCALE  1 = the full city: ~200 k manifests, ~2 M labels, ~10 M custody steps (0.01 for a quick run)
//   BENCH_DATA_DB     database to (re)create (default hw_city10y); dropped first if it exists
//   DATABASE_URL      the PostgreSQL server to create it on (default postgres://postgres@127.0.0.1:5432/postgres)
//
// The schema is the migrations' (runMigrations); indexes and keys are dropped for the load and
// rebuilt from their own definitions afterwards. Audit entries carry the service's hashes, and
// labels, counters and chain heads agree with the rows, so the service can go on writing on top.
// The event stream is written from the audit entries after the load (city/events.ts).
import pg from 'pg';
import { connect } from '../../src/db/database.js';
import { runMigrations } from '../../src/db/migrate.js';
import { loadKeyRing } from '../../src/auth/keys.js';
import { hashSecret } from '../../src/auth/secrets.js';
import { signLabelToken } from '../../src/labels/qr-token.js';
import { databaseUrl } from '../support/database-url.js';
import { AuditLog } from './city/audit-log.js';
import { BENCH_SECRET, benchDbName } from './city/bench-clients.js';
import { pauseEventTrigger, writeEvents } from './city/events.js';
import { dropIndexes, restoreIndexes, schemaFingerprint } from './city/indexes.js';
import { pauseFactTriggers, writeManifestFacts } from './city/manifest-facts.js';
import { buildCity } from './city/parties.js';
import { Rng } from './city/rng.js';
import { simulate } from './city/simulation.js';
import { openTables } from './city/tables.js';

const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SCALE = Number(process.env.BENCH_DATA_SCALE ?? 1);
const DB = benchDbName();
if (!(SCALE > 0) || !/^[a-z_][a-z0-9_]*$/.test(DB)) throw new Error('BENCH_DATA_SCALE must be > 0 and BENCH_DATA_DB a plain lower-case name');
const START = Date.parse('2016-12-01T00:00:00+08:00');
const DAYS = Math.round((Date.parse('2026-12-01T00:00:00+08:00') - START) / 86_400_000);

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s`;
const log = (s: string) => process.stdout.write(`${elapsed()}  ${s}\n`);

const admin = new pg.Client({ connectionString: SERVER_URL });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DB}`);
await admin.end();
const url = databaseUrl(SERVER_URL, DB);
const database = connect(url, 2);
await runMigrations(database.db);
const keys = await loadKeyRing(database.db); // stored in signing_keys: the service signs and verifies with the same key
const ddl = new pg.Client({ connectionString: url });
await ddl.connect();
const migrated = await schemaFingerprint(ddl);
const saved = await dropIndexes(ddl);
await pauseEventTrigger(ddl); // events are written in bulk after the load (city/events.ts)
await pauseFactTriggers(ddl); // the manifests' facts are computed after the load (city/manifest-facts.ts)
log(`database ${DB} migrated; ${saved.constraints.length} constraints and ${saved.indexes.length} indexes dropped for the load; scale ${SCALE}`);

const out = await openTables(url);
const audit = new AuditLog(out.audit_entries);
const rng = new Rng(20161201);
const city = buildCity(rng, SCALE, out, audit, await hashSecret(BENCH_SECRET), new Date('2016-11-01T09:00:00+08:00'));
log(`${city.generators.length} generators, ${city.carriers.length} carriers, ${city.receivers.length} receivers, ${city.regulators.length + 1} regulators`);

const tables = Object.values(out);
const sim = await simulate({
  start: START, days: DAYS, manifests: Math.round(200_000 * SCALE), rng, city, audit,
  out: {
    labels: out.labels, labelSteps: out.label_steps, ledger: out.ledger_records, manifests: out.manifests, manifestLabels: out.manifest_labels,
    manifestCarriers: out.manifest_carriers, manifestSteps: out.manifest_steps, ledgerSerials: out.ledger_serials, labelSequences: out.label_sequences,
  },
  sign: (ls) => Promise.all(ls.map((l) => signLabelToken(keys, { lid: l.id, dc: l.digitalCode }))),
  drained: async () => { await Promise.all(tables.map((t) => t.drained())); },
  progress: (d, c) => log(`${new Date(START + d * 86_400_000 + 43_200_000).toISOString().slice(0, 7)}  ${c.manifests} manifests, ${c.labels} labels, ${c.steps} steps, ${audit.lastSeq} audit entries`),
});
await Promise.all(tables.map((t) => t.end()));
log(`loaded: ${tables.map((t) => `${t.table} ${t.rows}`).join(', ')}`);

// Counters that are not per day, and the chain heads the next append continues from.
await ddl.query(`INSERT INTO manifest_serials (city_code, year, last) SELECT '1401', y, n FROM unnest($1::int[], $2::int[]) AS s(y, n)`,
  [[...sim.manifestSerials.keys()], [...sim.manifestSerials.values()]]);
const heads = [...audit.heads];
await ddl.query('INSERT INTO audit_chains (chain, head_seq, head_hash) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])',
  [heads.map(([c]) => c), heads.map(([, h]) => h.seq), heads.map(([, h]) => h.hash)]);
for (const [table, column] of [['label_steps', 'id'], ['ledger_records', 'id'], ['manifest_steps', 'id'], ['audit_entries', 'seq']]) {
  await ddl.query(`SELECT setval(pg_get_serial_sequence('${table}', '${column}'), (SELECT coalesce(max(${column}), 0) + 1 FROM ${table}), false)`);
}

// Before the indexes come back: one pass over bare tables, no index entries to maintain row by row.
log(`facts of ${await writeManifestFacts(ddl)} manifests with containers`);

const second = new pg.Client({ connectionString: url });
await second.connect();
for (const c of [ddl, second]) await c.query("SET maintenance_work_mem = '2GB'");
log('rebuilding keys and indexes');
await restoreIndexes([ddl, second], saved, log);
await second.end();
log('events from the audit entries');
log(`${await writeEvents(ddl)} events written`);
log('vacuum analyze');
await ddl.query('VACUUM (ANALYZE)');
const rebuilt = await schemaFingerprint(ddl);
if (rebuilt !== migrated) throw new Error('the rebuilt schema differs from the migrated one');

const { rows } = await ddl.query<{ t: string; n: string; size: string }>(`
  SELECT c.relname AS t, c.reltuples::bigint AS n, pg_size_pretty(pg_total_relation_size(c.oid)) AS size
  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.reltuples > 0 ORDER BY pg_total_relation_size(c.oid) DESC`);
const { rows: [db] } = await ddl.query<{ size: string }>('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
await ddl.end();
await database.close();
log(`done: schema identical to the migrations'; database ${DB} ${db.size}`);
for (const r of rows) process.stdout.write(`  ${r.t.padEnd(22)} ${String(Math.max(0, Number(r.n))).padStart(12)} rows  ${r.size}\n`);
