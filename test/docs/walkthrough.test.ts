// The walk-through of docs/walkthrough.md (labels, manifests, supervision), run as written: every
// `sh` block of the page, in order, goes to bash against a real server process, with curl and jq as a
// newcomer has them.
import { compiledServer, ensureBuilt } from '../support/server-process.js';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/test-app.js';

const root = new URL('../..', import.meta.url).pathname;
const WALKTHROUGH = 'docs/walkthrough.md';
const walkthrough = fs.readFileSync(path.join(root, WALKTHROUGH), 'utf8');
let stopServer: (() => void) | undefined;
afterAll(() => stopServer?.());

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function walkthroughScript(port: number): string {
  const blocks = [...walkthrough.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  expect(blocks.length, `${WALKTHROUGH} should hold the walk-through's sh blocks`).toBeGreaterThanOrEqual(3);
  const script = blocks.join('\n');
  expect(script, `${WALKTHROUGH} should set API=http://localhost:3000 on a line of its own`).toMatch(/^API=http:\/\/localhost:3000$/m);
  return script.replace(/^API=http:\/\/localhost:3000$/m, `API=http://127.0.0.1:${port}`);
}

it('runs as written against npm start\'s server', async () => {
  for (const tool of ['bash', 'curl', 'jq']) expect(spawnSync('which', [tool]).status, `${tool} is needed`).toBe(0);
  const { url } = await createTestDatabase();
  const port = await freePort();
  ensureBuilt(); // what npm start runs: the compiled server
  const server = spawn(compiledServer[0], [...compiledServer[1]], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      BOOTSTRAP_ADMIN_CLIENT_ID: 'cl_admin', BOOTSTRAP_ADMIN_CLIENT_SECRET: 'change-me-please-123',
    },
  });
  stopServer = () => server.kill('SIGTERM');
  for (let i = 0; i < 120; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hw-walkthrough-'));
  const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', walkthroughScript(port)], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  // The story the commands tell: the drum was stored, shipped, received and incinerated.
  expect(run.stdout).toContain('"state": "stored"');
  expect(run.stdout).toMatch(/"number": "\d{4}1401\d{6}"/);
  expect(run.stdout).toContain('"treated"');
  expect(run.stdout).toMatch(/"action": "complete"/);
  expect(run.stdout.match(/^%PDF-1\.\d/gm) ?? []).toHaveLength(2); // the label's and the manifest's PDF
  expect(run.stdout).not.toMatch(/"code": "[A-Z_]+"/); // no problem+json anywhere
}, 180_000);
