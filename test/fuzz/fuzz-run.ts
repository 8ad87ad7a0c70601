// The fuzz runner shared by the vitest test and `npm run fuzz`: it seeds a few real parties and
// rows, sends generated requests through app.inject and checks each answer:
//   - no status of 500 or above;
//   - every status of 400 or above is application/problem+json with a string `code` and `requestId`;
//   - a 4xx changed nothing: the row count of every write table is the same before and after (and,
//     a little stricter, no row of them was updated: the newest row version is the same).
// Audit tables are left out of the last check on purpose: a refused state change (403/409/412/422)
// appends a 'refused' audit entry by design, and checkpoints are signed on a schedule.
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/context.js';
import type { Database } from '../../src/db/database.js';
import { createParty, loginAdmin, randomUscc } from '../support/factories.js';
import { LABEL_BODY } from '../support/world.js';
import { loadOperations, requestArbitrary, type FuzzRequest, type FuzzTargets } from './request-arbitraries.js';

/** What the runner needs of a running app; test/support/test-app.ts's TestApp is one. */
export interface FuzzHost { app: App; database: Database }

export interface FuzzOptions {
  numRuns: number;
  seed: number;
  /** Stop at the first failure and let fast-check shrink it, instead of collecting every distinct one. */
  stopOnFirst?: boolean;
  /** Progress lines (every `progressEvery` requests). */
  log?: (line: string) => void;
  progressEvery?: number;
  /** What the server logged for a request id (its error and stack), when the host captures logs. */
  explain?: (requestId: string) => string | undefined;
}

export interface Finding {
  /** What kind of failure, on which operation: one entry per distinct signature. */
  signature: string;
  count: number;
  /** The shortest request seen with this signature, and its response. */
  report: string;
}

export interface FuzzSummary {
  seed: number;
  sent: number;
  statuses: Record<string, number>;
  /** Statuses per operation: which operations the run got past validation into (2xx) and which not. */
  byOperation: Record<string, Record<string, number>>;
  /** Milliseconds spent per operation (request and row counts): where a run's time goes. */
  msByOperation: Record<string, number>;
  findings: Finding[];
  ms: number;
}

// ---------------------------------------------------------------------------------------------
// Real rows for the requests to name
// ---------------------------------------------------------------------------------------------

async function created(res: LightMyRequestResponse, what: string): Promise<Record<string, unknown>> {
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`fuzz setup: ${what}: ${res.statusCode} ${res.body}`);
  return res.json();
}

// A year back to two years ahead of today: valid whenever the run happens, and not about to expire.
const day = (yearsFromNow: number) => new Date(Date.now() + yearsFromNow * 365 * 86_400_000).toISOString().slice(0, 10);

const licenceBody = (kind: 'comprehensive' | 'transport') => ({
  kind, number: `${kind}-FUZZ-${randomInt(1e9)}`, modes: kind === 'comprehensive' ? ['collection', 'storage', 'utilisation', 'disposal'] : [],
  wasteCodes: kind === 'comprehensive' ? ['HW08', 'HW49'] : [], annualCapacityKg: kind === 'comprehensive' ? 1_000_000 : undefined,
  validFrom: day(-1), validTo: day(2),
});

/**
 * A generator with a store and labels, a carrier with a licence and a vehicle, a receiver with a
 * licence and a treatment plant, two manifests (a draft and a submitted one) and a spare client:
 * ids in paths and bodies are then sometimes real, so requests get past the 404 into the rules
 * behind it. The spare client is the only real one a request may disable: the fuzzing callers
 * must stay.
 */
export async function prepareTargets(app: App): Promise<FuzzTargets> {
  const admin = await loginAdmin(app);
  const generator = await createParty(app, admin, { roles: ['generator'] });
  const carrier = await createParty(app, admin, { roles: ['carrier'] });
  const receiver = await createParty(app, admin, { roles: ['receiver'] });
  const licence = await created(await admin.post(`/api/v1/orgs/${receiver.org.id}/licences`, licenceBody('comprehensive')), 'licence');
  const transport = await created(await admin.post(`/api/v1/orgs/${carrier.org.id}/licences`, licenceBody('transport')), 'transport licence');
  const plate = `晋A${randomInt(10_000, 99_999)}`;
  const vehicle = await created(await carrier.client.post(`/api/v1/orgs/${carrier.org.id}/vehicles`, { plate, licenceId: transport.id }), 'vehicle');
  const store = await created(await generator.client.post(`/api/v1/orgs/${generator.org.id}/facilities`, {
    code: `FUZZ${randomInt(1e9)}`, name: 'fuzz store', kind: 'storage', storageType: 'warehouse', capacityKg: 100_000,
  }), 'facility');
  const plant = await created(await receiver.client.post(`/api/v1/orgs/${receiver.org.id}/facilities`, {
    code: `FUZZ${randomInt(1e9)}`, name: 'fuzz plant', kind: 'treatment', methods: ['D10', 'R2'],
  }), 'treatment facility');
  const labels = [];
  for (let i = 0; i < 5; i++) labels.push(await created(await generator.client.post('/api/v1/labels', LABEL_BODY), 'label'));
  const draft = (labelIds: unknown[]) => generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds,
    plannedAt: new Date(Date.now() + 3_600_000).toISOString(), intendedMethod: 'D10', emergencyMeasures: '泄漏时用吸附棉围堵',
  });
  const drafted = await created(await draft([labels[3].id]), 'manifest');
  const toSubmit = await created(await draft([labels[4].id]), 'manifest');
  const submitted = await created(await generator.client.post(`/api/v1/manifests/${toSubmit.id}/actions`, { action: 'submit' }), 'submit');
  const spare = await created(await admin.post(`/api/v1/orgs/${generator.org.id}/clients`, { name: 'fuzz spare', roles: ['operator'] }), 'client');

  const str = (rows: Array<Record<string, unknown>>, key = 'id') => rows.map((r) => String(r[key]));
  const orgIds = [generator.org.id, carrier.org.id, receiver.org.id];
  const labelIds = str(labels);
  const manifestIds = str([drafted, toSubmit]);
  const licenceIds = str([licence, transport]);
  const facilityIds = str([store, plant]);
  const qr = str(labels, 'qrContent');
  const ids = [...orgIds, ...labelIds, ...manifestIds, ...licenceIds, ...facilityIds, String(vehicle.id)];
  return {
    tokens: { registrar: admin.token, generator: generator.client.token, carrier: carrier.client.token, receiver: receiver.client.token },
    ids,
    known: {
      id: ids, 'orgs.id': orgIds, 'labels.id': labelIds, 'licences.id': licenceIds, 'manifests.id': manifestIds,
      orgId: orgIds, generatorId: [generator.org.id], receiverId: [receiver.org.id], carrierId: [carrier.org.id],
      labelId: labelIds, parentLabelId: labelIds, labelIds, facilityId: facilityIds, licenceId: licenceIds,
      clientId: [String(spare.clientId)], qr, token: qr.map((q) => q.slice(q.lastIndexOf('/') + 1)),
      number: [String(submitted.number)], vehiclePlate: [plate], plate: [`晋B${randomInt(10_000, 99_999)}`],
      digitalCode: str(labels, 'digitalCode'), wasteCode: ['900-214-08', '900-249-08', '900-041-49', 'HW08'],
      code: ['900-214-08', 'HW08'], regionCode: ['140100', '140105'], category: ['HW08', 'HW49'], method: ['D10', 'R2'],
      intendedMethod: ['D10'],
      // Valid check characters: a new organisation is created once, then refused as a duplicate.
      uscc: Array.from({ length: 5 }, randomUscc),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Row counts of the write tables, in one statement
// ---------------------------------------------------------------------------------------------

// Refusals are audited on purpose (entries and chain heads); checkpoints over the chain heads are
// also signed on a timer, whatever request happens to be in flight; drizzle's own bookkeeping is
// not the app's.
const NOT_CHECKED = new Set(['audit_entries', 'audit_chains', 'audit_checkpoints', '__drizzle_migrations']);

/** Per table: its row count, and the newest row version (max xmin), which an UPDATE also moves. */
type Counts = Record<string, { rows: number; newest: string }>;

async function rowCounter(database: Database): Promise<() => Promise<Counts>> {
  // A partitioned table counts its partitions' rows: the partitions themselves are left out.
  const { rows } = await database.pool.query<{ table_name: string }>(
    `SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`);
  const tables = rows.map((r) => r.table_name).filter((t) => !NOT_CHECKED.has(t));
  const ident = (t: string) => `"${t.replace(/"/g, '""')}"`;
  const perTable = tables.map((t) =>
    `'${t}', (SELECT json_build_object('rows', count(*), 'newest', coalesce(max(xmin::text::bigint), 0)::text) FROM ${ident(t)})`);
  const sql = `SELECT json_build_object(${perTable.join(', ')}) AS counts`;
  // Named, so PostgreSQL plans it once per connection: it runs after every request.
  return async () => (await database.pool.query<{ counts: Counts }>({ name: 'fuzz_row_counts', text: sql })).rows[0].counts;
}

function changedTables(before: Counts, after: Counts): string[] {
  return Object.keys(after).flatMap((t) => {
    const [b, a] = [before[t], after[t]];
    if (!b || b.rows !== a.rows) return [`${t} ${b?.rows}→${a.rows} rows`];
    return b.newest !== a.newest ? [`${t} rows updated`] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

interface Verdict { kind: string; detail: string }

/**
 * The one error that is not problem+json by design: the public verification page a phone camera
 * opens from a QR answers a browser (no Accept: application/json) with an HTML page saying the
 * label is not genuine (src/labels/public-routes.ts).
 */
function isVerifyPageForBrowser(req: FuzzRequest, res: LightMyRequestResponse, type: string): boolean {
  return req.operation === 'GET /v/{token}' && res.statusCode === 422 && type.startsWith('text/html')
    && !(req.headers.accept ?? '').includes('application/json');
}

function check(req: FuzzRequest, res: LightMyRequestResponse, changed: string[]): Verdict | undefined {
  const status = res.statusCode;
  if (status >= 500) return { kind: `${status}`, detail: `status ${status}` };
  if (status < 400) return undefined;
  const type = String(res.headers['content-type'] ?? '');
  if (isVerifyPageForBrowser(req, res, type)) return undefined;
  if (!type.startsWith('application/problem+json')) return { kind: `${status} not problem+json`, detail: `content-type "${type}"` };
  // A HEAD answer has the headers of the GET one and no body.
  if (req.method !== 'HEAD') {
    let body: unknown;
    try { body = JSON.parse(res.body); } catch { return { kind: `${status} body not JSON`, detail: 'body does not parse as JSON' }; }
    const b = body as { code?: unknown; requestId?: unknown } | null;
    if (typeof b?.code !== 'string' || typeof b?.requestId !== 'string') {
      return { kind: `${status} problem without code/requestId`, detail: 'code and requestId must be strings' };
    }
  }
  if (changed.length) return { kind: `${status} changed rows`, detail: `a ${status} changed rows: ${changed.join(', ')}` };
  return undefined;
}

const excerpt = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** Tokens by who they belong to: a report says "Bearer <generator token>", which anyone can replay. */
function tokenNames(t: FuzzTargets): (text: string) => string {
  return (text) => Object.entries(t.tokens).reduce((out, [who, token]) => out.split(token).join(`<${who} token>`), text);
}

function describeFailure(req: FuzzRequest, res: LightMyRequestResponse, verdict: Verdict, named: (text: string) => string, serverLog?: string): string {
  const headers = Object.entries(req.headers).map(([k, v]) => `    ${k}: ${excerpt(JSON.stringify(named(v)), 160)}`).join('\n');
  const payload = req.payload === undefined ? '(none)' : excerpt(JSON.stringify(req.payload.toString()), 400);
  return [
    `${verdict.detail}`,
    `  request: ${req.method} ${excerpt(req.url, 400)}`,
    headers || '    (no headers)',
    `  body: ${payload}`,
    `  response: ${res.statusCode} content-type "${String(res.headers['content-type'] ?? '')}"`,
    `    ${excerpt(res.body, 600)}`,
    ...(serverLog ? [`  server log: ${excerpt(serverLog, 1200)}`] : []),
  ].join('\n');
}

/**
 * One finding per kind of failure and operation (the route template, not the URL), and per error
 * the server logged when the host captures its log: two causes of a 500 on one route stay apart.
 */
const signatureOf = (req: FuzzRequest, verdict: Verdict, serverLog?: string) =>
  `${verdict.kind} on ${req.method} ${req.operation.replace(/^\S+ /, '')}${serverLog ? ` (${excerpt(serverLog.split('\n')[0], 120)})` : ''}`;

const sizeOf = (req: FuzzRequest) => req.url.length + (req.payload?.length ?? 0) + JSON.stringify(req.headers).length;

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

export async function runFuzz(host: FuzzHost, targets: FuzzTargets, options: FuzzOptions): Promise<FuzzSummary> {
  const started = Date.now();
  const ops = loadOperations();
  const countRows = await rowCounter(host.database);
  const statuses: Record<string, number> = {};
  const byOperation: Record<string, Record<string, number>> = {};
  const msByOperation: Record<string, number> = {};
  const findings = new Map<string, Finding & { size: number }>();
  const named = tokenNames(targets);
  let sent = 0;
  // Requests run one at a time, so the counts after one request are the counts before the next.
  let counts = await countRows();

  const property = fc.asyncProperty(requestArbitrary(ops, targets), async (req) => {
    const t0 = Date.now();
    const res = await host.app.inject({
      method: req.method as 'GET',
      url: req.url,
      headers: req.headers,
      ...(req.payload === undefined ? {} : { payload: req.payload }),
    });
    sent++;
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    const perOp = (byOperation[req.operation] ??= {});
    perOp[res.statusCode] = (perOp[res.statusCode] ?? 0) + 1;
    if (options.progressEvery && sent % options.progressEvery === 0) options.log?.(`  … ${sent} requests, ${findings.size} distinct findings, ${Math.round((Date.now() - started) / 1000)} s`);
    const before = counts;
    counts = await countRows();
    msByOperation[req.operation] = (msByOperation[req.operation] ?? 0) + Date.now() - t0;
    const changed = res.statusCode >= 400 && res.statusCode < 500 ? changedTables(before, counts) : [];
    const verdict = check(req, res, changed);
    if (!verdict) return;
    const requestId = String(res.headers['x-request-id'] ?? '');
    const serverLog = requestId ? options.explain?.(requestId) : undefined;
    const report = describeFailure(req, res, verdict, named, serverLog);
    if (options.stopOnFirst) throw new Error(report);
    const signature = signatureOf(req, verdict, serverLog);
    const seen = findings.get(signature);
    const size = sizeOf(req);
    if (!seen) findings.set(signature, { signature, count: 1, report, size });
    else {
      seen.count++;
      if (size < seen.size) Object.assign(seen, { report, size });
    }
  });
  await fc.assert(property, { numRuns: options.numRuns, seed: options.seed });

  return {
    seed: options.seed,
    sent,
    statuses,
    byOperation,
    msByOperation,
    findings: [...findings.values()].map(({ signature, count, report }) => ({ signature, count, report })),
    ms: Date.now() - started,
  };
}

const histogram = (statuses: Record<string, number>) =>
  Object.entries(statuses).sort(([a], [b]) => Number(a) - Number(b)).map(([k, v]) => `${k}×${v}`).join(' ');

export function formatSummary(s: FuzzSummary, { perOperation = false } = {}): string {
  const lines = [
    `fuzz: seed ${s.seed}, ${s.sent} requests in ${(s.ms / 1000).toFixed(1)} s`,
    `statuses: ${histogram(s.statuses)}`,
    ...(perOperation ? Object.entries(s.byOperation).sort(([a], [b]) => a.localeCompare(b))
      .map(([op, st]) => `  ${op}: ${histogram(st)} (${((s.msByOperation[op] ?? 0) / 1000).toFixed(1)} s)`) : []),
    `findings: ${s.findings.length} distinct`,
  ];
  s.findings.forEach((f, i) => lines.push('', `#${i + 1} ${f.signature} (seen ${f.count}×)`, f.report));
  return lines.join('\n');
}
