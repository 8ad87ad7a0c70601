// The README and docs/ must not drift from the code: generated diagrams, commands, configuration,
// links between the documents, and the files and regulation anchors they and the code cite.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it, expect } from 'vitest';
import {
  DIAGRAMS_PATH, EVENTS_END, EVENTS_PATH, EVENTS_START, lifecycleRegion, README_PATH, renderEventCatalogue, renderLifecycleSection,
} from '../../src/scripts/render-diagrams.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = fs.readFileSync(README_PATH, 'utf8');
const docsDir = path.join(root, 'docs');
const docFiles = fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).sort();
/** README.md and every docs/*.md, by path relative to the root. */
const documents = new Map<string, string>([
  ['README.md', readme],
  ...docFiles.map((f): [string, string] => [`docs/${f}`, fs.readFileSync(path.join(docsDir, f), 'utf8')]),
]);

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
  for (const m of config.matchAll(/\b(?:int|num|url|oneOf)\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g)) names.add(m[1]);
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

/** Text outside fenced code blocks (links and anchors in code are not links). */
const prose = (md: string) => md.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '').replace(/\s/g, '-');

/** The anchors a document offers: explicit `<a id="…">` and its headings' slugs. */
function anchorsOf(md: string): Set<string> {
  const ids = [...md.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]);
  const headings = [...prose(md).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]));
  return new Set([...ids, ...headings]);
}

it('the state diagrams in docs/architecture.md are generated from the lifecycle tables (run `npm run docs`)', () => {
  const region = lifecycleRegion(fs.readFileSync(DIAGRAMS_PATH, 'utf8'));
  expect(region, 'docs/architecture.md lacks the <!-- lifecycle:start --> / <!-- lifecycle:end --> markers').toBeDefined();
  expect(region, 'docs/architecture.md state diagrams are stale: run `npm run docs`').toBe(renderLifecycleSection().trim());
});

it('the event catalogue in docs/events.md is generated from src/events/catalogue.ts (run `npm run docs`)', () => {
  const region = lifecycleRegion(fs.readFileSync(EVENTS_PATH, 'utf8'), EVENTS_START, EVENTS_END);
  expect(region, 'docs/events.md event catalogue is stale: run `npm run docs`').toBe(renderEventCatalogue().trim());
});

it('keeps the README short (at most 200 lines) and links it to every document in docs/', () => {
  expect(readme.split('\n').length, 'README.md is for a newcomer: move detail to docs/').toBeLessThanOrEqual(200);
  expect(docFiles.length).toBeGreaterThanOrEqual(7);
  const targets = new Set([...prose(readme).matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]));
  const unlinked = docFiles.map((f) => `docs/${f}`).filter((f) => !targets.has(f));
  expect(unlinked, 'link these from the README').toEqual([]);
});

it('every relative link in the README and docs/ leads to a file, and its #anchor to a place in it', () => {
  const broken: string[] = [];
  for (const [file, md] of documents) {
    for (const m of prose(md).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [rel, anchor] = target.split('#');
      const resolved = rel === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), rel));
      if (!fs.existsSync(path.join(root, resolved))) {
        broken.push(`${file}: ${target} (no file ${resolved})`);
      } else if (anchor !== undefined) {
        const doc = documents.get(resolved);
        if (!doc || !anchorsOf(doc).has(anchor)) broken.push(`${file}: ${target} (no anchor #${anchor} in ${resolved})`);
      }
    }
  }
  expect(broken).toEqual([]);
});

it('every file the README and docs/ name exists', () => {
  const named = new Set<string>();
  for (const md of documents.values()) {
    for (const m of md.matchAll(/`((?:src|test|migrations|openapi)\/[^`\s]*)`/g)) named.add(m[1]);
  }
  expect(named.size).toBeGreaterThan(20);
  const missing = [...named].filter((p) => !fs.existsSync(path.join(root, p))).sort();
  expect(missing, 'moved or renamed? update the docs').toEqual([]);
});

it('every rule anchor of docs/regulations.md that src/ or test/ cites exists', () => {
  const anchors = anchorsOf(documents.get('docs/regulations.md')!);
  expect(anchors.has('receipt-deadline')).toBe(true);
  const broken: string[] = [];
  for (const dir of ['src', 'test']) {
    for (const file of sourceFiles(path.join(root, dir))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/docs\/regulations\.md#([A-Za-z0-9_-]+)/g)) {
        if (!anchors.has(m[1])) broken.push(`${path.relative(root, file)}: #${m[1]}`);
      }
    }
  }
  expect(broken, 'cite an anchor of docs/regulations.md, or add the rule there').toEqual([]);
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

it('docs/errors-and-retries.md lists every rule code with its meaning (src/core/rules.ts)', async () => {
  const { RULES } = await import('../../src/core/rules.js');
  const doc = fs.readFileSync(path.join(root, 'docs/errors-and-retries.md'), 'utf8');
  const missing = Object.entries(RULES).filter(([code, meaning]) => !doc.includes(`| \`${code}\` | ${meaning} |`)).map(([code]) => code);
  expect(missing, 'add or update these rows in the Rules table of docs/errors-and-retries.md').toEqual([]);
});
