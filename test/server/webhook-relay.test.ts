// The webhook relay across real server processes on one database: a process killed (kill -9)
// while a delivery is in flight, after the event committed and before the attempt was recorded:
// the event is still delivered after a restart. Then two processes at once: every event delivered,
// none attempted twice.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, TEST_ADMIN } from '../support/test-app.js';
import { randomUscc } from '../support/factories.js';
import { BUILD_TIMEOUT_MS, ensureBuilt, freePort, startServer, stop, waitReady } from '../support/server-process.js';
import { eventually, WebhookReceiver } from '../support/webhook-receiver.js';

type Server = ReturnType<typeof startServer>;
const servers: Server[] = [];
const receiver = new WebhookReceiver();
let db: pg.Client | undefined;

afterAll(async () => {
  await Promise.all(servers.map((s) => stop(s)));
  await db?.end();
  await receiver.stop();
});
beforeAll(ensureBuilt, BUILD_TIMEOUT_MS);

async function start(url: string): Promise<{ server: Server; base: string }> {
  const port = await freePort();
  const server = startServer({
    ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'test', LOG_LEVEL: 'warn',
    MAX_EVENT_LOOP_DELAY_MS: '0', PUBLIC_BASE_URL: 'https://hw.test', AUDIT_CHECKPOINT_INTERVAL_S: '0',
    BOOTSTRAP_ADMIN_CLIENT_ID: TEST_ADMIN.clientId, BOOTSTRAP_ADMIN_CLIENT_SECRET: TEST_ADMIN.clientSecret,
    WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_POLL_MS: '100', JOBS_POLL_INTERVAL_MS: '200',
    WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_RETRY_MAX_MS: '1000', WEBHOOK_TIMEOUT_MS: '120000',
  });
  servers.push(server);
  try {
    await waitReady(port, server);
  } catch (e) {
    throw new Error(`server did not start: ${String(e)}\n${server.output()}`);
  }
  return { server, base: `http://127.0.0.1:${port}` };
}

async function call(base: string, token: string | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : {} };
}

async function registerOrg(base: string, token: string, n: number): Promise<string> {
  const r = await call(base, token, 'POST', '/api/v1/orgs', {
    uscc: randomUscc(), name: `webhook relay generator ${n}`, roles: ['generator'], regionCode: '140105', generatorClass: 'industrial',
    contact: { name: '张三', phone: '13800000000' }, address: '太原市',
  });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

it('delivers an event committed before a kill -9 after a restart, and two processes never attempt one twice', async () => {
  const { url } = await createTestDatabase();
  await receiver.start();
  db = new pg.Client({ connectionString: url });
  await db.connect();

  // --- kill -9 between the commit and the recorded attempt.
  const first = await start(url);
  const token = (await call(first.base, undefined, 'POST', '/api/v1/auth/token', TEST_ADMIN)).body.accessToken as string;
  const sub = await call(first.base, token, 'POST', '/api/v1/webhook-subscriptions', { url: receiver.url, eventTypes: ['organisation.create'] });
  expect(sub.status, sub.text).toBe(201);
  receiver.secrets = [sub.body.secret];
  receiver.hang = true; // the first delivery is in flight, unanswered, when the process dies
  const orgId = await registerOrg(first.base, token, 0);
  await eventually(() => receiver.received.some((d) => d.event.aggregate.id === orgId), 20_000, 'the attempt in flight');
  const exited = new Promise((r) => first.server.once('exit', r));
  first.server.kill('SIGKILL');
  await exited;
  servers.splice(servers.indexOf(first.server), 1); // gone: nothing to stop
  const eventId = receiver.received.find((d) => d.event.aggregate.id === orgId)!.id;
  expect((await db.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = $1', [eventId])).rows[0].n).toBe(0);

  receiver.hang = false;
  const second = await start(url);
  await eventually(() => receiver.accepted().some((d) => d.id === eventId), 30_000, 'delivered after the restart');
  expect(receiver.accepted().find((d) => d.id === eventId)!.verifiedWith).toEqual([true]);
  const token2 = (await call(second.base, undefined, 'POST', '/api/v1/auth/token', TEST_ADMIN)).body.accessToken as string;
  const logOf = () => call(second.base, token2, 'GET', `/api/v1/webhook-subscriptions/${sub.body.id}/deliveries`);
  await eventually(async () => (await logOf()).body.items.some((d: { eventId: string }) => d.eventId === eventId), 10_000, 'the log');
  const log = await logOf();
  expect(log.body.items.filter((d: { eventId: string }) => d.eventId === eventId)).toMatchObject([{ status: 'succeeded', attempt: 1 }]);

  // --- Two processes on one database, changes made through both.
  const third = await start(url);
  const before = receiver.received.length;
  const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => registerOrg(i % 2 ? second.base : third.base, token2, i + 1)));
  await eventually(() => ids.every((id) => receiver.accepted().some((d) => d.event.aggregate.id === id)), 60_000, 'every event delivered');
  await new Promise((r) => setTimeout(r, 1000)); // room for a duplicate to show up
  const fresh = receiver.received.slice(before);
  expect(fresh.every((d) => d.answered === 204 && d.verifiedWith[0])).toBe(true);
  expect(new Set(fresh.map((d) => d.id)).size).toBe(fresh.length); // no attempt made twice
  const { rows } = await db.query(`SELECT event_id, attempt, count(*)::int AS n FROM webhook_deliveries GROUP BY 1, 2 HAVING count(*) > 1`);
  expect(rows).toEqual([]);
}, 240_000);
