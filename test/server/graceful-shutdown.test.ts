// SIGTERM under load: the real process stops accepting, finishes the requests it has begun, and
// only then closes its pool. Every acknowledged write is in the database, nothing else is, and the
// process exits 0. Run in production mode, which also moves /metrics to its own loopback port.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, TEST_ADMIN } from '../support/test-app.js';
import { randomUscc } from '../support/factories.js';
import { LABEL_BODY } from '../support/world.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, freePort, startServer, stop, waitReady } from '../support/server-process.js';

let db: pg.Client | undefined;
afterAll(async () => { await db?.end(); });
beforeAll(ensureBuilt, BUILD_TIMEOUT_MS); // the compiled server, as production runs it

it('drains in-flight requests on SIGTERM before the pool closes', async () => {
  const { url } = await createTestDatabase();
  const [port, metricsPort] = [await freePort(), await freePort()];
  const server = startServer({
    ...process.env, DATABASE_URL: url, NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'test-webhook-secret-key-0123456789abcdef', PORT: String(port), HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0',
    BOOTSTRAP_ADMIN_CLIENT_ID: TEST_ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: TEST_ADMIN.clientSecret,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(port, server);

  // Production: no /metrics on the public listener; the loopback one serves it.
  expect((await fetch(`${base}/metrics`)).status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);

  const call = async (token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  const login = async (clientId: string, clientSecret: string) =>
    (await call(undefined, 'POST', '/api/v1/auth/token', { clientId, clientSecret })).body.accessToken as string;

  const admin = await login(TEST_ADMIN.clientId, TEST_ADMIN.clientSecret);
  const org = await call(admin, 'POST', '/api/v1/orgs', {
    uscc: randomUscc(), name: '停机测试化工厂', roles: ['generator'], regionCode: '140105', generatorClass: 'industrial',
    contact: { name: '张三', phone: '13800000000' }, address: '太原市',
  });
  expect(org.status).toBe(201);
  const client = await call(admin, 'POST', `/api/v1/orgs/${org.body.id}/clients`, { name: 'handset', roles: ['operator'] });
  const token = await login(client.body.clientId as string, client.body.clientSecret as string);

  // Eight handsets issue labels as fast as they can; SIGTERM arrives while they do.
  const outcomes: Array<number | string> = [];
  let stopping = false;
  const handset = async (n: number) => {
    for (let i = 0; ; i++) {
      try {
        const r = await call(token, 'POST', '/api/v1/labels', LABEL_BODY, { 'idempotency-key': `h${n}-${i}` });
        outcomes.push(r.status);
      } catch (e) {
        outcomes.push(String((e as { cause?: { code?: string } }).cause?.code ?? e));
        if (stopping) return; // the listener is gone: this handset is done
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, n) => handset(n)));
  await new Promise((r) => setTimeout(r, 1500));
  stopping = true;
  const exitCode = await stop(server);
  await load;
  expect(exitCode, server.output()).toBe(0);

  const created = outcomes.filter((o) => o === 201).length;
  expect(created).toBeGreaterThan(10);
  // Answers are successes, or 503 for requests that arrived on a kept-alive socket while closing;
  // anything else is a connection refused or closed before the request was read.
  expect(outcomes.filter((o) => typeof o === 'number' && o !== 201 && o !== 503)).toEqual([]);

  db = new pg.Client({ connectionString: url });
  await db.connect();
  const count = async (text: string) => Number((await db!.query(text, [org.body.id])).rows[0].n);
  expect(await count('SELECT count(*) AS n FROM labels WHERE generator_id = $1')).toBe(created);
  expect(await count(`SELECT count(*) AS n FROM idempotency_keys k JOIN clients c ON c.id = k.client_id WHERE c.org_id = $1 AND k.status_code = 201`)).toBe(created);
  // Every label has its issue step and its audit entry: nothing half-applied.
  expect(await count(`SELECT count(*) AS n FROM labels l WHERE l.generator_id = $1
    AND EXISTS (SELECT 1 FROM audit_entries a WHERE a.entity_type = 'label' AND a.entity_id = l.id::text AND a.action = 'issue')`)).toBe(created);
}, 120_000);
