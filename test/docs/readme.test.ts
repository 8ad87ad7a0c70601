// The README must not drift from the code: generated diagrams, commands, configuration.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it, expect } from 'vitest';
import { lifecycleRegion, README_PATH, renderLifecycleSection } from '../../src/scripts/render-diagrams.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = fs.readFileSync(README_PATH, 'utf8');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Every environment variable the code reads: config.ts's helpers and env.X, and process.env.X anywhere in src/. */
function variablesReadByCode(): string[] {
  const names = new Set<string>();
  const config = fs.readFileSync(path.join(root, 'src/config.ts'), 'utf8');
  for (const m of config.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
  for (const m of config.matchAll(/\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(m[1]);
  for (const m of config.matchAll(/\b(?:int|num|url)\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g)) names.add(m[1]);
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
    for (const m of text.matchAll(/process\.env\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(m[1]);
  }
  return [...names].sort();
}

/** Variable names in the first column of the table under the "## Configuration" heading. */
function documentedVariables(): Set<string> {
  const section = /^## Configuration\s*$([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  return new Set([...section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/gm)].map((m) => m[1]));
}

it('the state diagrams in README.md are generated from the lifecycle tables (run `npm run docs`)', () => {
  const region = lifecycleRegion(readme);
  expect(region, 'README.md lacks the <!-- lifecycle:start --> / <!-- lifecycle:end --> markers').toBeDefined();
  expect(region, 'README.md state diagrams are stale: run `npm run docs`').toBe(renderLifecycleSection().trim());
});

it('gives npm ci, npm start and npm test as the commands to run', () => {
  const commands = [...readme.matchAll(/```(?:sh|bash|shell)?\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
  for (const cmd of ['npm ci', 'npm start', 'npm test']) {
    expect(commands, `README.md should show \`${cmd}\` in a command block`).toMatch(new RegExp(`(^|\\s)${cmd}(\\s|$)`, 'm'));
  }
});

it('documents every environment variable the code reads in the configuration table', () => {
  const read = variablesReadByCode();
  // Guard against a regex that silently finds nothing.
  expect(read).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'BOOTSTRAP_ADMIN_CLIENT_ID', 'DB_POOL_SIZE', 'EMBEDDED_PG_PORT']));
  const documented = documentedVariables();
  const missing = read.filter((name) => !documented.has(name));
  expect(missing, `add these variables to the configuration table of README.md: ${missing.join(', ')}`).toEqual([]);
});

it('documents no variable the code no longer reads', () => {
  const read = new Set(variablesReadByCode());
  const stale = [...documentedVariables()].filter((name) => !read.has(name));
  expect(stale, `remove these from the configuration table of README.md: ${stale.join(', ')}`).toEqual([]);
});
