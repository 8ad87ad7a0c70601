// The real process: `npm start` semantics (tsx src/server.ts) with the embedded PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, root, stop, tsx, waitReady } from '../support/server-process.js';

const baseEnv = () => {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return env;
};

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

describe('server process', () => {
  it('refuses a bad configuration value with a one-line reason naming the variable', () => {
    const r = spawnSync(tsx, ['src/server.ts'], { cwd: root, env: { ...baseEnv(), PORT: 'abc' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PORT/);
  });

  it('runs on the embedded PostgreSQL and keeps data across a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-server-'));
    fs.chmodSync(dataDir, 0o755);
    dirs.push(dataDir);
    const port = await freePort();
    const env = {
      ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn',
      BOOTSTRAP_ADMIN_CLIENT_ID: 'cl_restart_admin', BOOTSTRAP_ADMIN_CLIENT_SECRET: 'restart-secret-123',
    };
    const start = () => spawn(tsx, ['src/server.ts'], { cwd: root, env, stdio: 'ignore' });
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
