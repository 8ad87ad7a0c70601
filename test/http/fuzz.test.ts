// Property-based fuzzing of every operation of openapi/openapi.json with a fixed seed: no 5xx, every
// error is problem+json, and a 4xx changes no row. `npm run fuzz` runs many more with a random seed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { formatSummary, prepareTargets, runFuzz } from '../fuzz/fuzz-run.js';
import type { FuzzTargets } from '../fuzz/request-arbitraries.js';

// Fixed, so a failure here is the same failure on every machine (`FUZZ_SEED=20261202 FUZZ_RUNS=3000
// npm run fuzz` replays it with the server's stack traces). About 20 s on two idle cores.
const SEED = 20261202;
const RUNS = 3_000;

let t: TestApp;
let targets: FuzzTargets;

beforeAll(async () => {
  t = await buildTestApp();
  targets = await prepareTargets(t.app);
});
afterAll(() => t.close());

it(`answers ${RUNS} generated requests without a 5xx, with problem+json errors and 4xx that change nothing`, async () => {
  const summary = await runFuzz(t, targets, { numRuns: RUNS, seed: SEED });
  expect(summary.sent).toBe(RUNS);
  // The message carries each distinct finding with the shortest request that shows it.
  expect(summary.findings.map((f) => f.signature), formatSummary(summary)).toEqual([]);
}, 300_000);
