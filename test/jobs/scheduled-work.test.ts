// Scheduled work runs as recurring graphile-worker jobs (src/jobs/recurring.ts): two replicas on one
// database keep one queued run per task, the alert sweep opens an alert's event once without anyone
// asking, and the audit checkpoint is signed on its schedule.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { connect, type Database } from '../../src/db/database.js';
import type { App } from '../../src/context.js';
import { buildTestApp, testConfig, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction,
} from '../support/world.js';
import { feedSettled } from '../support/feed-settled.js';

const SCHEDULE = { ALERT_SWEEP_INTERVAL_S: '1', AUDIT_CHECKPOINT_INTERVAL_S: '1' };
let t: TestApp;
let replica: { app: App; database: Database };

beforeAll(async () => {
  t = await buildTestApp(SCHEDULE);
  const database = connect(t.dbUrl, 4);
  replica = { database, app: await buildApp({ config: testConfig(SCHEDULE), database, logger: false }) };
});
afterAll(async () => {
  await replica.app.close();
  await replica.database.close();
  await t.close();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('two replicas keep one queued run per scheduled task', async () => {
  // Sampled while both replicas run them every second: a run may be in progress (locked) and, just
  // before it ends, have queued its successor; never two queued runs of one task.
  const seen = new Set<string>();
  for (let i = 0; i < 15; i++) {
    const { rows } = await t.database.pool.query<{ task: string; queued: number }>(
      `SELECT t.identifier AS task, count(*) FILTER (WHERE j.locked_at IS NULL)::int AS queued FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id
        WHERE t.identifier IN ('audit_checkpoint', 'alert_sweep') GROUP BY 1`);
    for (const r of rows) {
      expect(r.queued, r.task).toBeLessThanOrEqual(1);
      seen.add(r.task);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  expect([...seen].sort()).toEqual(['alert_sweep', 'audit_checkpoint']);
});

it('the alert sweep opens a refusal\'s alert event once, without anyone asking; checkpoints are signed on schedule', async () => {
  const admin = await loginAdmin(t.app);
  const regulator = await createRegulator(t.app, admin, '140100');
  const generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  const receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140108' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id);
  const carrier = await createCarrier(t.app, admin);
  const label = await issueLabel(generator.client);
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds: [label.id], plannedAt: new Date().toISOString(),
    intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const manifestId = res.json().id;
  await manifestAction(generator.client, manifestId, { action: 'submit' });
  await manifestAction(carrier.client, manifestId, { action: 'pickup', labelIds: [label.id], vehiclePlate: carrier.plate, driver: DRIVER });
  await manifestAction(carrier.client, manifestId, { action: 'deliver' });
  await manifestAction(receiver.client, manifestId, { action: 'receive', items: [{ labelId: label.id, accepted: false, refusalReason: '包装破损', measuredQuantity: { value: 10, unit: 'kg' } }] });

  const opened = await waitFor('the refusal alert event', async () => {
    await feedSettled(t.database.pool);
    const items = (await regulator.client.get('/api/v1/events?types=alert.opened&limit=500')).json().items as Array<{ data: { alertType: string; entityId: string } }>;
    const mine = items.filter((e) => e.data.alertType === 'refusal' && e.data.entityId === manifestId);
    return mine.length > 0 ? mine : undefined;
  });
  await new Promise((r) => setTimeout(r, 2500)); // more sweeps by both replicas
  await feedSettled(t.database.pool);
  const again = (await regulator.client.get('/api/v1/events?types=alert.opened&limit=500')).json().items as Array<{ data: { alertType: string; entityId: string } }>;
  expect(again.filter((e) => e.data.alertType === 'refusal' && e.data.entityId === manifestId)).toHaveLength(opened.length);
  expect(opened).toHaveLength(1);

  await waitFor('a scheduled checkpoint', async () => {
    const { rows: [{ n }] } = await t.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_checkpoints');
    return n > 0 ? n : undefined;
  });
});
