// Running the real server process from a test: the compiled build (node dist/server.js, what
// `npm start` runs), built once when src/ is newer; a free port, readiness, stop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const root = new URL('../..', import.meta.url).pathname;
export const tsx = path.join(root, 'node_modules/.bin/tsx');
/** The command line of the compiled server: this Node (24 under npm), as `npm start` runs it. */
export const compiledServer = [process.execPath, ['--enable-source-maps', 'dist/server.js']] as const;

/**
 * Builds dist/ unless it is up to date (scripts/build.mjs --if-stale). Parallel callers take turns
 * on the build's lock, so one builds and the others find it done. Give the hook ~5 minutes: tsc
 * takes 15–60 s on two busy cores.
 */
export function ensureBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the build failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
}
export const BUILD_TIMEOUT_MS = 300_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function waitReady(port: number, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server not ready in time');
}

/** Sends SIGTERM and resolves with the exit code. */
export function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/**
 * Starts the compiled server (call ensureBuilt() first) with the given environment; stdout and
 * stderr are kept for failure messages.
 */
export function startServer(env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
  const child = spawn(compiledServer[0], compiledServer[1], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d) => { output += d; });
  child.stderr?.on('data', (d) => { output += d; });
  return Object.assign(child, { output: () => output });
}
