// Start-up time and memory of the server, run from TypeScript (tsx) or compiled (node dist/), on
// one database; the figures in docs/runtime.md come from here. Linux only (reads /proc).
//
//   npm run build && DATABASE_URL=postgres://… node scripts/measure-runtime.mjs [rounds]
//
// Each variant is started `rounds` times (default 5), in turn with the others. For each start:
//   ready   wall time from spawn to the first 200 from /readyz (polled every 20 ms)
//   cpu     user+system CPU seconds the process tree used until then (less sensitive to a busy machine)
//   rss     resident memory of the whole process tree (tsx runs the server in a child process) when
//           ready, and again after a small load: 200 GET /healthz, a token, 50 authenticated GETs
// The database is migrated by a first, unmeasured start. NODE20 names the older node binary to
// compare with (default /usr/bin/node); the Node 24 binary is this process's own under npm.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 5);
const only = process.argv[3] ? new RegExp(process.argv[3]) : undefined; // a subset of the variants, by name
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write('DATABASE_URL must name the database to run the server on\n');
  process.exit(2);
}
const node20 = process.env.NODE20 ?? '/usr/bin/node';
const node24 = process.execPath;
const tsxCli = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const admin = { clientId: 'cl_measure_admin', clientSecret: 'measure-secret-123' };

const allVariants = [
  { name: 'tsx src/server.ts, Node 20 (before)', cmd: node20, args: [tsxCli, 'src/server.ts'] },
  { name: 'tsx src/server.ts, Node 24', cmd: node24, args: [tsxCli, 'src/server.ts'] },
  { name: 'node dist/server.js, Node 20', cmd: node20, args: ['dist/server.js'] },
  { name: 'node dist/server.js, Node 24', cmd: node24, args: ['dist/server.js'] },
  { name: 'node --enable-source-maps --max-semi-space-size=16 dist/server.js, Node 24', cmd: node24, args: ['--enable-source-maps', '--max-semi-space-size=16', 'dist/server.js'] },
  { name: 'node --enable-source-maps dist/server.js, Node 24, NODE_COMPILE_CACHE', cmd: node24, args: ['--enable-source-maps', 'dist/server.js'], env: { NODE_COMPILE_CACHE: path.join(root, 'node_modules/.cache/measure-compile-cache') } },
  // Last: the first, unmeasured start uses it.
  { name: 'node --enable-source-maps dist/server.js, Node 24 (after: npm start)', cmd: node24, args: ['--enable-source-maps', 'dist/server.js'] },
];

const variants = only ? allVariants.filter((v) => only.test(v.name)) : allVariants;

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** The process and its descendants (tsx starts the server as a child). */
function tree(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch { /* gone */ }
  }
  const out = [];
  const visit = (p) => { out.push(p); for (const c of children.get(p) ?? []) visit(c); };
  visit(pid);
  return out;
}

function rssKb(pids) {
  let kb = 0;
  for (const p of pids) {
    try { kb += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0); } catch { /* gone */ }
  }
  return kb;
}

const ticks = 100; // USER_HZ on Linux
function cpuSeconds(pids) {
  let t = 0;
  for (const p of pids) {
    try {
      const f = fs.readFileSync(`/proc/${p}/stat`, 'utf8').slice(0).split(') ')[1].split(' ');
      t += Number(f[11]) + Number(f[12]); // utime, stime
    } catch { /* gone */ }
  }
  return t / ticks;
}

async function run(variant) {
  const port = await freePort();
  const env = {
    ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
    NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'measure-runtime-webhook-secret-key-0123456789', METRICS_PORT: String(await freePort()), AUDIT_CHECKPOINT_INTERVAL_S: '0',
    BOOTSTRAP_ADMIN_CLIENT_ID: admin.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: admin.clientSecret,
  };
  const started = performance.now();
  const child = spawn(variant.cmd, variant.args, { cwd: root, env: { ...env, ...variant.env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${variant.name} exited with ${child.exitCode}`);
    try { if ((await fetch(`${base}/readyz`)).status === 200) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  const readyMs = performance.now() - started;
  const pids = tree(child.pid);
  const cpu = cpuSeconds(pids);
  const rssReady = rssKb(pids);
  for (let i = 0; i < 200; i++) await (await fetch(`${base}/healthz`)).arrayBuffer();
  const { accessToken } = await (await fetch(`${base}/api/v1/auth/token`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin),
  })).json();
  const auth = { authorization: `Bearer ${accessToken}` };
  for (let i = 0; i < 10; i++) {
    for (const p of ['/api/v1/catalog/categories', '/api/v1/catalog/waste-codes?limit=50', '/api/v1/orgs', '/api/v1/labels', '/api/v1/manifests']) {
      const res = await fetch(`${base}${p}`, { headers: auth });
      await res.arrayBuffer();
      if (i === 0 && res.status !== 200) process.stderr.write(`note: ${p} answered ${res.status}\n`);
    }
  }
  const rssLoaded = rssKb(tree(child.pid));
  await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
  return { readyMs, cpu, rssReady, rssLoaded };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await run(variants.at(-1)); // migrates the database and bootstraps the admin
const results = new Map(variants.map((v) => [v.name, []]));
for (let r = 0; r < rounds; r++) {
  for (const v of variants) results.get(v.name).push(await run(v));
  process.stderr.write(`round ${r + 1}/${rounds} done\n`);
}
console.log(`| variant | ready (ms) | CPU to ready (s) | RSS ready (MiB) | RSS after load (MiB) |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
for (const [name, rs] of results) {
  const m = (k) => median(rs.map((x) => x[k]));
  console.log(`| ${name} | ${m('readyMs').toFixed(0)} | ${m('cpu').toFixed(2)} | ${(m('rssReady') / 1024).toFixed(0)} | ${(m('rssLoaded') / 1024).toFixed(0)} |`);
}
console.log(`\n${rounds} rounds, medians; node ${node24} (${process.version}) and ${node20}.`);
