// The demo city (docs/demo-city.md): built on an empty database through the API, it holds every
// label and manifest state and raises every alert the page promises; then the page's curl
// walkthrough runs as written, each command through app.inject.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoCity, DEMO_ALERT_TYPES, DEMO_LATE_FILER, findDemoData, type DemoResult } from '../../src/demo/demo-city.js';
import { LABEL_STATES } from '../../src/labels/label-lifecycle.js';
import { MANIFEST_STATES } from '../../src/manifests/manifest-lifecycle.js';
import { buildTestApp, TEST_ADMIN, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import { entryHash } from '../../src/audit/trail.js';
import { EVENT_TYPES } from '../../src/events/catalogue.js';

const DEMO_DOC = fs.readFileSync(fileURLToPath(new URL('../../docs/demo-city.md', import.meta.url)), 'utf8');

let t: TestApp;
let city: Client;
let demo: DemoResult;

beforeAll(async () => {
  t = await buildTestApp({ OCCURRED_AT_WINDOW_DAYS: '400' });
  expect(await findDemoData(t.database.pool)).toBeUndefined();
  demo = await buildDemoCity({ app: t.app, config: t.config, pool: t.database.pool, admin: TEST_ADMIN });
  city = await loginAdmin(t.app);
}, 300_000);
afterAll(() => t?.close());

function demoSection(): string {
  const m = /<!-- demo:start -->([\s\S]*?)<!-- demo:end -->/.exec(DEMO_DOC);
  expect(m, 'docs/demo-city.md lacks the <!-- demo:start --> / <!-- demo:end --> markers').toBeTruthy();
  return m![1];
}

/** Every open alert the query matches, walking the pages. */
async function allAlerts(query = ''): Promise<Array<{ type: string; orgId: string }>> {
  const items: Array<{ type: string; orgId: string }> = [];
  let cursor: string | null = null;
  do {
    const res = await city.get(`/api/v1/supervision/alerts?limit=500&${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    items.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return items;
}

describe('the demo city', () => {
  it('holds at least one label in every label state and one manifest in every manifest state', async () => {
    for (const state of LABEL_STATES) {
      const res = await city.get(`/api/v1/supervision/labels?state=${state}&limit=1`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items, `labels ${state}`).toHaveLength(1);
    }
    for (const state of MANIFEST_STATES) {
      const res = await city.get(`/api/v1/supervision/manifests?state=${state}&limit=1`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().items, `manifests ${state}`).toHaveLength(1);
    }
    expect(Object.values(demo.counts.labels).reduce((s, n) => s + n, 0)).toBeGreaterThan(300);
    expect(Object.values(demo.counts.manifests).reduce((s, n) => s + n, 0)).toBeGreaterThan(100);
  });

  it('raises every alert type docs/demo-city.md promises', async () => {
    const promised = [...demoSection().matchAll(/^\|\s*`([a-z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect([...promised].sort()).toEqual([...DEMO_ALERT_TYPES].sort());
    const seen = new Set((await allAlerts()).map((a) => a.type));
    for (const type of promised) expect(seen.has(type), `alert ${type}`).toBe(true);
  });

  it('writes only catalogued event types, one per applied audit entry but client credentials and webhook subscriptions', async () => {
    const { rows: types } = await t.database.pool.query<{ type: string }>('SELECT DISTINCT type FROM events');
    expect(types.length).toBeGreaterThan(10);
    for (const { type } of types) expect(EVENT_TYPES, `${type} is not in src/events/catalogue.ts`).toContain(type);
    const { rows: [counts] } = await t.database.pool.query(`SELECT
      (SELECT count(*) FROM audit_entries WHERE outcome = 'applied' AND entity_type NOT IN ('client', 'webhook_subscription'))::int AS audited,
      (SELECT count(*) FROM events WHERE audit_seq IS NOT NULL)::int AS events`);
    expect(counts.events).toBe(counts.audited);
    // Every event renders (the feed would answer 500 otherwise).
    const feed = await city.get('/api/v1/events?limit=500');
    expect(feed.statusCode, feed.body).toBe(200);
  });

  it('files plans and declarations for every unit but one, whose alerts show; declarations reconcile month to month', async () => {
    const late = demo.credentials.orgs.find((o) => o.key === DEMO_LATE_FILER)!;
    for (const type of ['management_plan_missing', 'declaration_overdue']) {
      const items = await allAlerts(`type=${type}`);
      expect(items.length, type).toBeGreaterThan(0);
      expect(new Set(items.map((a) => a.orgId)), type).toEqual(new Set([late.orgId]));
    }
    const year = Number(demo.credentials.createdAt.slice(0, 4));
    const plans = (await city.get(`/api/v1/supervision/management-plans?year=${year - 1}`)).json().items;
    expect(plans.length).toBeGreaterThan(3);
    // Declarations reconcile (opening + in − out = closing), and each month opens with the last one's close.
    const month = (offset: number) => {
      const d = new Date(Date.UTC(year, Number(demo.credentials.createdAt.slice(5, 7)) - 1 - offset, 1));
      return d.toISOString().slice(0, 7);
    };
    for (const key of ['cp', 'incin', 'chem', 'coke']) {
      const org = demo.credentials.orgs.find((o) => o.key === key)!;
      const site = (await city.get(`/api/v1/orgs/${org.orgId}/sites`)).json().items.find((x: { isDefault: boolean }) => x.isDefault);
      let previous: Map<string, number> | undefined;
      let moved = 0;
      for (let offset = 6; offset >= 0; offset -= 1) {
        const res = await city.get(`/api/v1/orgs/${org.orgId}/sites/${site.id}/declarations/draft?period=${month(offset)}`);
        expect(res.statusCode, res.body).toBe(200);
        const rows = res.json().rows as Array<Record<string, number> & { wasteCode: string }>;
        for (const r of rows) {
          expect(r.openingStockT + r.generatedT + r.receivedT - r.transferredOutT - r.utilisedInHouseT - r.disposedInHouseT, `${key} ${r.wasteCode}`)
            .toBeCloseTo(r.closingStockT, 6);
          if (previous) expect(r.openingStockT, `${key} ${r.wasteCode} ${month(offset)}`).toBeCloseTo(previous.get(r.wasteCode) ?? 0, 6);
          moved += r.generatedT + r.receivedT + r.transferredOutT;
        }
        previous = new Map(rows.map((r) => [r.wasteCode, r.closingStockT]));
      }
      expect(moved, key).toBeGreaterThan(0);
    }
  });

  it('posts a GPS track for every leg picked up; the route alerts come from the two stories built for them', async () => {
    const { rows: [n] } = await t.database.pool.query(`SELECT
      (SELECT count(*) FROM manifests WHERE picked_up_at IS NOT NULL)::int AS picked,
      (SELECT count(DISTINCT manifest_id) FROM track_fixes)::int AS tracked,
      (SELECT count(*) FROM track_fixes)::int AS fixes,
      (SELECT count(*) FROM track_fixes WHERE implausible)::int AS implausible`);
    expect(n.tracked).toBe(n.picked);
    expect(n.fixes).toBeGreaterThan(100 * n.picked);
    expect(n.implausible).toBe(0);
    const of = async (type: string) => (await city.get(`/api/v1/supervision/alerts?type=${type}`)).json().items;
    const [stop] = await of('route_stop');
    const [stray] = await of('route_off_corridor');
    expect(await of('route_stop')).toHaveLength(1);
    expect(await of('route_off_corridor')).toHaveLength(1);
    expect(stop.entityId).not.toBe(stray.entityId);
    expect(stop.details.stops[0].minutes).toBeGreaterThanOrEqual(180);
    expect(stray.details.legs[0]).toMatchObject({ position: 0 });
    expect(stray.details.legs[0].maxDeviationKm).toBeGreaterThan(10);
    for (const id of [stop.entityId, stray.entityId]) {
      expect((await city.get(`/api/v1/manifests/${id}`)).json().state).toBe('in_transit');
      const svg = await city.get(`/api/v1/manifests/${id}/route.svg`);
      expect(svg.statusCode).toBe(200);
    }
  });

  it('refuses to be built twice on the same database', async () => {
    expect(await findDemoData(t.database.pool)).toBeTruthy();
  });

  it('leaves an intact audit trail', async () => {
    const res = await city.get('/api/v1/audit/verify');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().ok).toBe(true);
  });

  it('hashes every audit entry, of every type, to the same bytes in the database and in the verifier', async () => {
    // The database computed each hash as it appended the entry (audit_append); entryHash is the
    // verifier's TypeScript (docs/architecture.md#audit-hash).
    const { rows } = await t.database.pool.query(`
      SELECT chain, chain_seq, prev_hash, hash, recorded_at, org_id, client_id, request_id, entity_type, entity_id,
             action, outcome, before, after, hash_scheme FROM audit_entries ORDER BY seq`);
    const kinds = new Set<string>();
    for (const r of rows) {
      const recomputed = entryHash({
        chain: r.chain, chainSeq: Number(r.chain_seq), prevHash: r.prev_hash, recordedAt: new Date(r.recorded_at).toISOString(),
        orgId: r.org_id, clientId: r.client_id, requestId: r.request_id, entityType: r.entity_type, entityId: r.entity_id,
        action: r.action, outcome: r.outcome, before: r.before, after: r.after,
      });
      expect(recomputed, `${r.entity_type} ${r.action} ${r.outcome} #${r.chain_seq} of ${r.chain}`).toBe(r.hash);
      expect(r.hash_scheme).toBe(1);
      kinds.add(`${r.entity_type} ${r.action} ${r.outcome}`);
    }
    for (const kind of ['label issue applied', 'label store applied', 'label treat applied', 'manifest submit applied',
      'manifest pickup applied', 'manifest receive applied', 'manifest complete applied', 'organisation create applied']) {
      expect(kinds, kind).toContain(kind);
    }
  });

  it('runs the walkthrough of docs/demo-city.md as written', async () => {
    const commands = walkthrough(demoSection());
    expect(commands.filter((c) => c.includes('curl ')).length).toBeGreaterThanOrEqual(15);
    const vars = new Map<string, string>();
    const credentials = { api: 'http://localhost:3000', ...demo.credentials };
    for (const command of commands) await runLine(command, vars, credentials);
    expect(vars.get('TOKEN')).toBeTruthy();
    expect(vars.get('NUMBER')).toMatch(/^\d{14}$/);
  }, 120_000);
});

// ---- a small reader of the page's shell: assignments, curl commands and jq paths --------------------

/** The logical lines of the section's sh blocks (continuations joined), without comments or blanks. */
function walkthrough(section: string): string[] {
  const blocks = [...section.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.join('\n').replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

interface Word { text: string; quoted: boolean }

/** Splits a command into words, expanding $VAR / ${VAR} outside single quotes; `|` at top level splits pipes. */
function shellWords(line: string, vars: Map<string, string>): Word[][] {
  const pipes: Word[][] = [[]];
  let word: Word | undefined;
  const push = (s: string, quoted = false) => {
    word ??= { text: '', quoted: false };
    word.text += s;
    word.quoted ||= quoted;
  };
  const end = () => { if (word) pipes[pipes.length - 1].push(word); word = undefined; };
  const expand = (s: string, i: number): [string, number] => {
    const m = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(s.slice(i));
    if (!m) return ['$', i + 1];
    const name = m[1] ?? m[2];
    if (!vars.has(name)) throw new Error(`walkthrough uses $${name} before setting it: ${line}`);
    return [vars.get(name)!, i + m[0].length];
  };
  for (let i = 0; i < line.length;) {
    const ch = line[i];
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new Error(`unclosed ' in: ${line}`);
      push(line.slice(i + 1, close), true);
      i = close + 1;
    } else if (ch === '"') {
      push('', true);
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && '"\\$`'.includes(line[i + 1])) { push(line[i + 1]); i += 2; } else if (line[i] === '$') {
          const [value, next] = expand(line, i);
          push(value);
          i = next;
        } else { push(line[i]); i++; }
      }
      if (line[i] !== '"') throw new Error(`unclosed " in: ${line}`);
      i++;
    } else if (ch === '$') {
      const [value, next] = expand(line, i);
      push(value);
      i = next;
    } else if (ch === '|') {
      end();
      pipes.push([]);
      i++;
    } else if (/\s/.test(ch)) {
      end();
      i++;
    } else {
      push(ch);
      i++;
    }
  }
  end();
  return pipes;
}

/** `.a.b[0].c` on a parsed JSON value (the subset of jq the walkthrough uses to pick values). */
function jqPath(value: unknown, path: string): unknown {
  if (!/^(\.[A-Za-z_]\w*|\[\d+\])+$/.test(path)) throw new Error(`the test reads only simple jq paths, not ${path}`);
  let v = value;
  for (const m of path.matchAll(/\.([A-Za-z_]\w*)|\[(\d+)\]/g)) {
    v = m[1] !== undefined ? (v as Record<string, unknown>)?.[m[1]] : (v as unknown[])?.[Number(m[2])];
  }
  return v;
}

/** Runs one curl command through app.inject; expects 2xx and returns the parsed body (or text). */
async function curl(words: Word[]): Promise<unknown> {
  let method: string | undefined;
  let url: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const w = words[i].text;
    if (['-s', '-S', '-f', '-L', '--silent', '--fail'].includes(w)) continue;
    if (w === '-X' || w === '--request') method = words[++i].text;
    else if (w === '-H' || w === '--header') {
      const h = words[++i].text;
      const colon = h.indexOf(':');
      headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
    } else if (w === '-d' || w === '--data' || w === '--data-raw') body = words[++i].text;
    else if (w === '-o' || w === '--output') i++;
    else if (w.startsWith('-')) throw new Error(`the test does not know the curl option ${w}`);
    else if (url) throw new Error(`two URLs in one curl command: ${url} and ${w}`);
    else url = w;
  }
  if (!url) throw new Error('curl without a URL');
  const u = new URL(url);
  const res = await t.app.inject({
    method: (method ?? (body !== undefined ? 'POST' : 'GET')) as 'GET' | 'POST',
    url: `${u.pathname}${u.search}`,
    headers,
    ...(body !== undefined ? { payload: body } : {}),
  });
  expect(res.statusCode, `${method ?? 'GET'} ${u.pathname}${u.search}: ${res.body.slice(0, 500)}`).toBeGreaterThanOrEqual(200);
  expect(res.statusCode, `${method ?? 'GET'} ${u.pathname}${u.search}: ${res.body.slice(0, 500)}`).toBeLessThan(300);
  return String(res.headers['content-type']).includes('json') ? res.json() : res.body;
}

async function runLine(line: string, vars: Map<string, string>, credentials: object): Promise<void> {
  if (/^npm /.test(line)) return;
  const assignment = /^([A-Za-z_]\w*)=(.*)$/.exec(line);
  if (assignment) {
    const [, name, value] = assignment;
    const sub = /^\$\((.*)\)$/.exec(value);
    if (!sub) {
      const words = shellWords(value, vars).flat();
      expect(words.length, line).toBe(1);
      vars.set(name, words[0].text);
      return;
    }
    const pipes = shellWords(sub[1], vars);
    const last = pipes[pipes.length - 1].map((w) => w.text);
    let picked: unknown;
    if (pipes.length === 1 && last[0] === 'jq' && last[1] === '-r') {
      picked = jqPath(credentials, last[2]); // jq -r PATH "$CREDS": the seed's credentials file
    } else if (pipes.length === 2 && pipes[0][0].text === 'curl' && last[0] === 'jq' && last[1] === '-r' && last.length === 3) {
      picked = jqPath(await curl(pipes[0]), last[2]);
    } else {
      throw new Error(`the test cannot run this assignment: ${line}`);
    }
    expect(typeof picked === 'string' || typeof picked === 'number', `${line} → ${JSON.stringify(picked)}`).toBe(true);
    expect(String(picked), line).not.toBe('');
    vars.set(name, String(picked));
    return;
  }
  const pipes = shellWords(line, vars);
  if (pipes[0][0]?.text !== 'curl') throw new Error(`the walkthrough should hold only assignments and curl commands: ${line}`);
  if (pipes.slice(1).some((p) => p[0]?.text !== 'jq')) throw new Error(`only jq may follow curl in a pipe: ${line}`);
  await curl(pipes[0]);
}
