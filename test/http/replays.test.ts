// An Idempotency-Key retry is cheap and quiet: one read, no transaction, nothing logged above info,
// and marked as a replay.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin } from '../support/factories.js';
import { createSite, issueLabel, act } from '../support/world.js';

const lines: string[] = [];
let t: TestApp;

beforeAll(async () => {
  // No background jobs: their polls (webhook wake-ups every 500 ms) use the same pool and would be counted.
  t = await buildTestApp({ JOBS_ENABLED: 'false' }, { write: (l) => { lines.push(l); } });
});
afterAll(() => t.close());

it('100 replays of a custody step: each one read, no transaction, no log line above info', async () => {
  const admin = await loginAdmin(t.app);
  const site = await createSite(t.app, admin, { roles: ['generator'] });
  const label = await issueLabel(site.client);
  const headers = { 'idempotency-key': `store-${label.id}` };
  const body = { action: 'store', facilityId: site.storageId };
  const first = await act(site.client, label.id, body, headers);
  expect(first.statusCode, first.body).toBe(200);

  const query = vi.spyOn(t.database.pool, 'query');
  const connect = vi.spyOn(t.database.pool, 'connect');
  lines.length = 0;
  for (let i = 0; i < 100; i++) {
    const again = await act(site.client, label.id, body, headers);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  }
  // The client-status check is cached; the replay's read is the only statement. pool.query checks
  // out a connection once per call, so a transaction (which checks out its own) would show here.
  expect(query.mock.calls.length).toBe(100);
  expect(connect.mock.calls.length).toBe(100);
  query.mockRestore();
  connect.mockRestore();

  const entries = lines.map((l) => JSON.parse(l) as { level: number; msg?: string });
  expect(entries.length).toBeGreaterThanOrEqual(200); // request in, request completed
  expect(entries.filter((e) => e.level > 30)).toEqual([]);

  // And the step was recorded once.
  const trace = await site.client.get(`/api/v1/labels/${label.id}/trace`);
  expect(trace.json().steps.filter((s: { action: string }) => s.action === 'store')).toHaveLength(1);
});
