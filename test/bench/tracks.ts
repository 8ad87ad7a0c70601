// npm run bench:tracks: GPS fixes accepted per second over real HTTP (batches of 1,000 from a few
// connections, one manifest leg each, as vehicle terminals flushing their buffers), and the time
// to draw route.svg for a leg of 2,000 fixes (over HTTP, and the drawing alone in this process).
// Not a test: it asserts nothing about speed; the figures go in docs/benchmark.md.
//
//   BENCH_FIXES        fixes posted in the timed run (default 100000; 10000 more warm up first)
//   BENCH_CONNECTIONS  connections, one manifest each (default 4)
//   BENCH_SERVICE      'compiled' (default: node dist/server.js, built when stale) or 'tsx'
//   DATABASE_URL       a PostgreSQL on this machine (default postgres://postgres@127.0.0.1:5432/postgres)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { withCheckCharacter } from '../../src/parties/uscc.js';
import { routeSvg } from '../../src/tracks/route-svg.js';
import { buildRoute, type TrackPoint } from '../../src/tracks/route.js';
import { loadConfig } from '../../src/config.js';
import { compiledServer, ensureBuilt, freePort, root, stop, tsx, waitReady } from '../support/server-process.js';
import { json } from './http-json.js';
import { freshDatabase } from './fresh-database.js';

const FIXES = Number(process.env.BENCH_FIXES ?? 100_000);
const WARMUP = 10_000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const BATCH = 1000;
const SVG_FIXES = 2000;
const ADMIN = { clientId: 'cl_bench_admin', clientSecret: 'bench-admin-secret-123' };
const HOUR = 3_600_000;
const PICKUP = { lat: 37.80, lng: 112.50 };
const PLANT = { lat: 38.00, lng: 112.56 };

async function startService() {
  const db = await freshDatabase();
  const port = await freePort();
  const compiled = (process.env.BENCH_SERVICE ?? 'compiled') === 'compiled';
  if (compiled) ensureBuilt();
  const [cmd, args] = compiled ? [compiledServer[0], [...compiledServer[1]]] : [tsx, ['src/server.ts']];
  const child = spawn(cmd, args, {
    cwd: root, stdio: 'ignore',
    env: {
      ...process.env, DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0',
      BOOTSTRAP_ADMIN_CLIENT_ID: ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
    },
  });
  await waitReady(port, child, 180_000);
  const base = `http://127.0.0.1:${port}`;
  const admin = (await json(base, 'POST', '/api/v1/auth/token', undefined, ADMIN)).accessToken as string;
  return { base, admin, dbUrl: db.url, stop: async () => { await stop(child); await db.drop(); } };
}

async function party(base: string, admin: string, roles: string[], n: number) {
  const org = await json(base, 'POST', '/api/v1/orgs', admin, {
    uscc: withCheckCharacter(`91140105${randomBytes(5).toString('hex').toUpperCase().slice(0, 9)}`),
    name: `轨迹基准单位 ${n}`, roles, regionCode: '140105', ...(roles.includes('generator') ? { generatorClass: 'industrial' } : {}),
    contact: { name: '张三', phone: '13800000000' }, address: '太原市',
  });
  const client = await json(base, 'POST', `/api/v1/orgs/${org.id}/clients`, admin, { name: 'terminal', roles: ['admin', 'operator', 'driver'] });
  const token = (await json(base, 'POST', '/api/v1/auth/token', undefined, { clientId: client.clientId, clientSecret: client.clientSecret })).accessToken as string;
  return { org, token };
}

const validity = () => ({ validFrom: new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10), validTo: new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10) });

/** Generator, carrier (licence and vehicle) and receiver (licence), as a registrar builds them. */
async function world(base: string, admin: string) {
  const generator = await party(base, admin, ['generator'], 1);
  const carrier = await party(base, admin, ['carrier'], 2);
  const receiver = await party(base, admin, ['receiver'], 3);
  const tr = await json(base, 'POST', `/api/v1/orgs/${carrier.org.id}/licences`, admin, { kind: 'transport', number: `TR-${randomBytes(4).toString('hex')}`, modes: [], wasteCodes: [], ...validity() });
  await json(base, 'POST', `/api/v1/orgs/${carrier.org.id}/vehicles`, carrier.token, { plate: '晋A12345', licenceId: tr.id });
  await json(base, 'POST', `/api/v1/orgs/${receiver.org.id}/facilities`, receiver.token, { code: 'T-01', name: '焚烧', kind: 'treatment', methods: ['D10'] });
  await json(base, 'POST', `/api/v1/orgs/${receiver.org.id}/licences`, admin, {
    kind: 'comprehensive', number: `OP-${randomBytes(4).toString('hex')}`, modes: ['collection', 'storage', 'utilisation', 'disposal'],
    wasteCodes: ['HW08'], annualCapacityKg: 1e9, ...validity(),
  });
  return { generator, carrier, receiver };
}

/** A manifest picked up `hoursAgo` hours back (its creation moved back in the database: steps may not precede it). */
async function pickedUp(base: string, pool: pg.Pool, w: Awaited<ReturnType<typeof world>>, hoursAgo: number): Promise<string> {
  const label = (await json(base, 'POST', '/api/v1/labels', w.generator.token, {
    wasteCode: '900-214-08', physicalForm: 'liquid', mainComponents: '废矿物油', harmfulComponents: '多环芳烃', precautions: '远离火源',
    quantity: { value: 180, unit: 'kg' }, packaging: { type: 'drum', volumeL: 200 }, generatedAt: new Date(Date.now() - (hoursAgo + 1) * HOUR).toISOString(),
  }));
  const m = await json(base, 'POST', '/api/v1/manifests', w.generator.token, {
    receiverId: w.receiver.org.id, carriers: [{ orgId: w.carrier.org.id }], labelIds: [label.id],
    plannedAt: new Date(Date.now() + HOUR).toISOString(), intendedMethod: 'D10', emergencyMeasures: '泄漏时用吸附棉围堵',
  });
  await json(base, 'POST', `/api/v1/manifests/${m.id}/actions`, w.generator.token, { action: 'submit' });
  await pool.query(`UPDATE manifests SET created_at = now() - $2 * interval '1 hour', submitted_at = now() - $2 * interval '1 hour' WHERE id = $1`, [m.id, hoursAgo + 0.5]);
  await json(base, 'POST', `/api/v1/manifests/${m.id}/actions`, w.carrier.token, {
    action: 'pickup', labelIds: [label.id], vehiclePlate: '晋A12345', driver: { name: '王师傅', qualificationNo: 'DG-1' }, location: PICKUP,
    occurredAt: new Date(Date.now() - hoursAgo * HOUR).toISOString(),
  });
  return m.id;
}

/** `n` fixes from `from`, `stepMs` apart, drifting from PICKUP to PLANT: batch bodies of 1,000. */
function batches(prefix: string, from: number, n: number, stepMs: number): string[] {
  const out: string[] = [];
  for (let b = 0; b < n / BATCH; b++) {
    const fixes = Array.from({ length: Math.min(BATCH, n - b * BATCH) }, (_, i) => {
      const k = b * BATCH + i;
      const f = k / n;
      return { id: `${prefix}-${k}`, at: new Date(from + k * stepMs).toISOString(), lat: PICKUP.lat + (PLANT.lat - PICKUP.lat) * f, lng: PICKUP.lng + (PLANT.lng - PICKUP.lng) * f + Math.sin(k / 50) * 0.01, speedKmh: 40 };
    });
    out.push(JSON.stringify({ fixes }));
  }
  return out;
}

async function postAll(base: string, token: string, manifestId: string, bodies: string[]): Promise<number> {
  let accepted = 0;
  for (const body of bodies) {
    const res = await fetch(`${base}/api/v1/manifests/${manifestId}/track`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    if (res.status !== 200) throw new Error(`track: ${res.status} ${await res.text()}`);
    accepted += (await res.json()).accepted;
  }
  return accepted;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  console.log(`bench:tracks on ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${FIXES} fixes in batches of ${BATCH} over ${CONNECTIONS} connections`);
  const s = await startService();
  const pool = new pg.Pool({ connectionString: s.dbUrl, max: 2 });
  try {
    const w = await world(s.base, s.admin);
    // One leg per connection, 9 hours back: room for its share of fixes one a second or closer.
    const perLeg = Math.ceil((FIXES + WARMUP) / CONNECTIONS / BATCH) * BATCH;
    const legs = [];
    for (let c = 0; c < CONNECTIONS; c++) legs.push(await pickedUp(s.base, pool, w, 9));
    const from = Date.now() - 9 * HOUR + 60_000;
    const stepMs = Math.min(1000, Math.floor((9 * HOUR - 120_000) / perLeg));
    const bodies = legs.map((id, c) => batches(`c${c}`, from, perLeg, stepMs));
    const warmBatches = Math.ceil(WARMUP / CONNECTIONS / BATCH);
    await Promise.all(legs.map((id, c) => postAll(s.base, w.carrier.token, id, bodies[c].slice(0, warmBatches))));
    const t0 = performance.now();
    const accepted = (await Promise.all(legs.map((id, c) => postAll(s.base, w.carrier.token, id, bodies[c].slice(warmBatches))))).reduce((a, b) => a + b, 0);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`fixes accepted: ${accepted} in ${seconds.toFixed(2)} s = ${Math.round(accepted / seconds)} fixes/s (${Math.round(accepted / BATCH / seconds)} requests/s)`);
    const again = (await Promise.all(legs.map((id, c) => postAll(s.base, w.carrier.token, id, bodies[c].slice(warmBatches, warmBatches + 2))))).reduce((a, b) => a + b, 0);
    console.log(`re-posting ${legs.length * 2} batches stored ${again} fixes twice`);

    // route.svg for a leg of 2,000 fixes (a minute apart over ~33 hours would exceed the window: 15 s apart).
    const svgLeg = await pickedUp(s.base, pool, w, 9);
    await postAll(s.base, w.carrier.token, svgLeg, batches('svg', from, SVG_FIXES, 15_000));
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      const res = await fetch(`${s.base}/api/v1/manifests/${svgLeg}/route.svg`, { headers: { authorization: `Bearer ${w.generator.token}` } });
      bytes = (await res.text()).length;
      if (i >= 5) times.push(performance.now() - t);
    }
    console.log(`route.svg over HTTP, ${SVG_FIXES}-fix leg: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (${bytes} bytes; read + route + draw)`);
  } finally {
    await pool.end();
    await s.stop();
  }

  // The drawing alone, in this process: a route of one 2,000-fix leg.
  const t0 = Date.now() - 9 * HOUR;
  const points: TrackPoint[] = Array.from({ length: SVG_FIXES }, (_, k) => ({
    at: new Date(t0 + k * 15_000), lat: PICKUP.lat + (PLANT.lat - PICKUP.lat) * (k / SVG_FIXES), lng: PICKUP.lng + Math.sin(k / 50) * 0.01,
  }));
  const settings = loadConfig({}).tracks;
  const draw = () => routeSvg(buildRoute([{ position: 0, carrierOrgId: 'c', from: points[0].at, to: null }], new Map([[0, points]]), [], false, settings), 'bench', new Map());
  for (let i = 0; i < 20; i++) draw();
  const inProcess: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    draw();
    inProcess.push(performance.now() - t);
  }
  console.log(`route + route.svg drawn in process, ${SVG_FIXES} fixes: median ${median(inProcess).toFixed(2)} ms`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
