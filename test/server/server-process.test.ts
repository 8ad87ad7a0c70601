// The real process: `npm start` (build when stale, then node dist/server.js on Node 24) and the
// compiled server on the embedded PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-app.js';
import { BUILD_TIMEOUT_MS, compiledServer, ensureBuilt, freePort, root, stop, waitReady } from '../support/server-process.js';

const baseEnv = () => {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return env;
};

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });
beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

/** The process and its descendants, from /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = [];
  const visit = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); visit(c); } };
  visit(pid);
  return out;
}

const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

describe('server process', () => {
  it('refuses a bad configuration value with a one-line reason naming the variable', () => {
    const r = spawnSync(compiledServer[0], compiledServer[1], { cwd: root, env: { ...baseEnv(), PORT: 'abc' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PORT/);
  });

  it('builds when dist/ is missing or older than src/, and only then', () => {
    // A skeleton tree with a copy of the build script: --check decides from mtimes alone.
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-build-'));
    dirs.push(tree);
    fs.mkdirSync(path.join(tree, 'scripts'));
    fs.copyFileSync(path.join(root, 'scripts/build.mjs'), path.join(tree, 'scripts/build.mjs'));
    fs.mkdirSync(path.join(tree, 'src/data'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'src/a.ts'), 'export const a = 1;\n');
    fs.writeFileSync(path.join(tree, 'tsconfig.json'), '{}');
    const check = () => spawnSync(process.execPath, [path.join(tree, 'scripts/build.mjs'), '--check'], { encoding: 'utf8' });
    const past = new Date(Date.now() - 3_600_000);
    const age = (...rel: string[]) => { for (const r of rel) fs.utimesSync(path.join(tree, r), past, past); };
    age('scripts/build.mjs', 'src/a.ts', 'src/data', 'src', 'tsconfig.json');

    expect(check()).toMatchObject({ status: 1, stderr: expect.stringMatching(/dist\/ is missing/) });
    fs.mkdirSync(path.join(tree, 'dist'));
    fs.writeFileSync(path.join(tree, 'dist/.build-stamp'), 'built\n');
    const built = new Date(past.getTime() + 60_000);
    fs.utimesSync(path.join(tree, 'dist/.build-stamp'), built, built);
    expect(check()).toMatchObject({ status: 0, stderr: expect.stringMatching(/up to date/) });

    fs.writeFileSync(path.join(tree, 'src/a.ts'), 'export const a = 2;\n'); // an edit
    expect(check()).toMatchObject({ status: 1, stderr: expect.stringMatching(/src\/a\.ts is newer/) });
    age('src/a.ts');
    fs.writeFileSync(path.join(tree, 'src/data/new.tsv'), 'x\n'); // a new file, even one with an old mtime
    age('src/data/new.tsv');
    expect(check()).toMatchObject({ status: 1, stderr: expect.stringMatching(/src\/data is newer/) });
    age('src/data');
    fs.writeFileSync(path.join(tree, 'tsconfig.json'), '{ }'); // the compiler options
    expect(check()).toMatchObject({ status: 1, stderr: expect.stringMatching(/tsconfig\.json is newer/) });
  });

  it('the build carries the data files the code reads at run time', () => {
    for (const data of ['catalog/data/hw-catalog.tsv', 'catalog/data/taiyuan-regions.tsv', 'calendar/data/cn-work-calendar.json']) {
      expect(fs.existsSync(path.join(root, 'dist', data)), data).toBe(true);
    }
  });

  it('`npm start` runs the compiled JavaScript on Node 24, and passes SIGTERM on for a clean stop', async () => {
    const { url } = await createTestDatabase();
    const port = await freePort();
    const env = {
      ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info',
      MAX_EVENT_LOOP_DELAY_MS: '0', AUDIT_CHECKPOINT_INTERVAL_S: '0',
    };
    const npm = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (d) => { output += d; });
    npm.stderr.on('data', (d) => { output += d; });
    try {
      await waitReady(port, npm);
      const server = descendants(npm.pid!).filter((p) => { try { return cmdline(p).includes('dist/server.js'); } catch { return false; } });
      expect(server, output).toHaveLength(1);
      const argv = cmdline(server[0]);
      expect(argv.join(' ')).not.toMatch(/tsx|\.ts\b/);
      const version = spawnSync(fs.readlinkSync(`/proc/${server[0]}/exe`), ['--version'], { encoding: 'utf8' }).stdout.trim();
      expect(version).toMatch(/^v24\./);
      expect(output).toMatch(/> node scripts\/build\.mjs --if-stale/); // prestart: builds when stale
    } finally {
      // SIGTERM to npm, as `docker compose stop` sends it to the container's first process.
      expect(await stop(npm), output).toBe(0);
    }
    expect(output).toMatch(/"signal":"SIGTERM".*shutting down/);
  }, 120_000);

  it('runs on the embedded PostgreSQL and keeps data across a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-server-'));
    fs.chmodSync(dataDir, 0o755);
    dirs.push(dataDir);
    const port = await freePort();
    const env = {
      ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
      BOOTSTRAP_ADMIN_CLIENT_ID: 'cl_restart_admin', BOOTSTRAP_ADMIN_CLIENT_SECRET: 'restart-secret-123',
    };
    const start = () => spawn(compiledServer[0], compiledServer[1], { cwd: root, env, stdio: 'ignore' });
    const token = async () => (await fetch(`http://127.0.0.1:${port}/api/v1/auth/token`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'cl_restart_admin', clientSecret: 'restart-secret-123' }),
    })).json() as Promise<{ accessToken: string }>;

    const first = start();
    await waitReady(port, first);
    const before = await token();
    const jwksBefore = await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json();
    expect(await stop(first)).toBe(0);

    const second = start();
    try {
      await waitReady(port, second);
      // The signing key and the bootstrap client written before the restart are still there:
      // the old token still verifies and the client still logs in.
      const jwksAfter = await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).json();
      expect(jwksAfter).toEqual(jwksBefore);
      const orgs = await fetch(`http://127.0.0.1:${port}/api/v1/catalog/categories`, { headers: { authorization: `Bearer ${before.accessToken}` } });
      expect(orgs.status).toBe(200);
      expect((await token()).accessToken).toBeTruthy();
    } finally {
      expect(await stop(second)).toBe(0);
    }
  }, 180_000);
});
