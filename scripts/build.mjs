// The compiled build: src/ → dist/ with tsc (tsconfig.build.json), plus the data files the code
// reads at run time (every file under src/ that is not TypeScript, e.g. catalog/data/*.tsv), then
// a stamp. Plain JavaScript so that it runs before anything is compiled.
//
//   node scripts/build.mjs             build (npm run build)
//   node scripts/build.mjs --if-stale  build only when dist/ is missing or older than src/ (prestart)
//   node scripts/build.mjs --check     no build: exit 0 when dist/ is up to date, 1 when it is stale
//
// dist/ is updated in place, never emptied first, so a server or a test already starting from it
// keeps its files; files whose source is gone are removed afterwards. Builds of one tree take turns
// (a lock directory), so parallel test files and `npm start` never write dist/ at the same time.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const lock = path.join(dist, '.build-lock');
/** Besides src/, what changes the output. */
const inputs = ['tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'].map((f) => path.join(root, f));

const log = (line) => process.stderr.write(`build: ${line}\n`);

/** Every file and directory under dir (a directory's mtime changes when an entry is added or removed). */
function* walk(dir) {
  yield dir;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else yield p;
  }
}

/** Why dist/ has to be built, or undefined when it is up to date. */
function staleReason() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return 'dist/ is missing or was never completed';
  }
  for (const p of [...walk(src), ...inputs.filter((f) => fs.existsSync(f))]) {
    if (fs.statSync(p).mtimeMs > built) return `${path.relative(root, p) || '.'} is newer than dist/`;
  }
  return undefined;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Takes the build lock, waiting while another live process holds it. */
function acquire() {
  fs.mkdirSync(dist, { recursive: true });
  for (let waited = false; ; ) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return waited;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    let holder = NaN;
    try { holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8')); } catch { /* being written or removed */ }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      fs.rmSync(lock, { recursive: true, force: true }); // left by a build that was killed
      continue;
    }
    if (!waited) log('another build of this tree is running: waiting for it');
    waited = true;
    sleep(200);
  }
}

function release() {
  fs.rmSync(lock, { recursive: true, force: true });
}

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
function copyAtomically(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  fs.copyFileSync(from, tmp);
  fs.renameSync(tmp, to);
}

const isTypeScript = (p) => /\.(c|m)?ts$/.test(p);
const outputName = (rel) => rel.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs');

function build() {
  const started = Date.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    log(`tsc failed (${r.status ?? r.signal}): dist/ is not up to date`);
    return false;
  }
  // Data files, and the set of outputs that should exist.
  const expected = new Set([stamp, lock]);
  for (const p of walk(src)) {
    if (fs.statSync(p).isDirectory()) continue;
    const rel = path.relative(src, p);
    if (isTypeScript(p)) {
      if (p.endsWith('.d.ts')) continue;
      const out = path.join(dist, outputName(rel));
      expected.add(out).add(`${out}.map`);
    } else {
      const out = path.join(dist, rel);
      expected.add(out);
      const s = fs.statSync(p);
      const d = fs.existsSync(out) ? fs.statSync(out) : undefined;
      if (!d || d.size !== s.size || d.mtimeMs < s.mtimeMs) copyAtomically(p, out);
    }
  }
  // Outputs whose source is gone (a file moved or deleted in src/).
  for (const p of walk(dist)) {
    if (p === dist || p.startsWith(lock)) continue;
    if (!fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() && !expected.has(p)) fs.rmSync(p, { force: true });
  }
  for (const p of [...walk(dist)].reverse()) {
    if (p !== dist && !p.startsWith(lock) && fs.statSync(p).isDirectory() && fs.readdirSync(p).length === 0) fs.rmdirSync(p);
  }
  // The stamp carries the time the build started: a source saved during the build stays newer.
  fs.writeFileSync(stamp, `built with ${process.version} in ${Date.now() - started} ms\n`);
  fs.utimesSync(stamp, new Date(started), new Date(started));
  log(`dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

function main(args) {
  const mode = args[0] ?? '--always';
  if (!['--always', '--if-stale', '--check'].includes(mode)) {
    log(`unknown option ${mode}; use --if-stale or --check, or nothing`);
    return 2;
  }
  if (mode === '--check') {
    const reason = staleReason();
    log(reason ? `stale: ${reason}` : 'dist/ is up to date');
    return reason ? 1 : 0;
  }
  const waited = acquire();
  try {
    if (mode === '--if-stale' || waited) {
      // After waiting, the other build may have done the work already.
      const reason = staleReason();
      if (!reason) {
        log('dist/ is up to date');
        return 0;
      }
      if (mode === '--if-stale') log(`building: ${reason}`);
    }
    return build() ? 0 : 1;
  } finally {
    release();
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
