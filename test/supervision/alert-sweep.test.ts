// The alert sweep: an alert that appears becomes an `alert.opened` event in the feed of the
// regulators who see the alert, once; when the record is put right the next sweep writes
// `alert.closed`; an alert that comes back opens again; two processes sweeping at once write each
// event once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { createRegulator, loginAdmin, type Client, type Party } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction, type CarrierSite, type Site,
} from '../support/world.js';
import { connect } from '../../src/db/database.js';
import { AlertEventData } from '../../src/events/catalogue.js';
import { ALERT_SWEEP_LOCK_KEY, sweepAlerts } from '../../src/supervision/alert-sweep.js';
import { feedSettled } from '../support/feed-settled.js';

let t: TestApp;
let city: Client;
let xiaodian: Party; // district regulator 140105: the generator's
let yingze: Party; // district regulator 140106: the receiver's
let generator: Site;
let receiver: Site;
let carrier: CarrierSite;

const HOUR = 3_600_000;

interface Ev { id: string; type: string; aggregate: { type: string; id: string }; sequence: number; occurredAt: string; regionCode: string; data: Record<string, unknown> }

const settled = () => feedSettled(t.database.pool);

async function feed(client: Client, after: string | null, types = 'alert.opened,alert.closed'): Promise<{ items: Ev[]; next: string | null }> {
  await settled();
  const res = await client.get(`/api/v1/events?limit=500&types=${types}${after ? `&after=${after}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  const page = res.json();
  expect(page.more).toBe(false);
  return { items: page.items, next: page.next };
}

/** The cursor at the end of the feed now. */
const endOf = async (client: Client) => (await feed(client, null)).next;

async function sweep(now?: Date) {
  const r = await sweepAlerts(t.database.db, t.config, now);
  expect(r.outcome).toBe('swept');
  return r;
}

/** A manifest picked up now; delivered and received with these measured weights unless `stop` says where to stop. */
async function transfer(measuredKg: number[], stop?: 'pickup') {
  const labelIds = [];
  for (let i = 0; i < measuredKg.length; i++) labelIds.push((await issueLabel(generator.client)).id);
  const res = await generator.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: [{ orgId: carrier.org.id }], labelIds, plannedAt: new Date().toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const id = res.json().id as string;
  await manifestAction(generator.client, id, { action: 'submit' });
  await manifestAction(carrier.client, id, { action: 'pickup', labelIds, vehiclePlate: carrier.plate, driver: DRIVER });
  if (stop === 'pickup') return id;
  await manifestAction(carrier.client, id, { action: 'deliver' });
  await manifestAction(receiver.client, id, { action: 'receive', items: labelIds.map((labelId, i) => ({ labelId, accepted: true, measuredQuantity: { value: measuredKg[i], unit: 'kg' } })) });
  return id;
}

beforeAll(async () => {
  t = await buildTestApp();
  city = await loginAdmin(t.app);
  xiaodian = await createRegulator(t.app, city, '140105');
  yingze = await createRegulator(t.app, city, '140106');
  carrier = await createCarrier(t.app, city);
  generator = await createSite(t.app, city, { roles: ['generator'], regionCode: '140105' });
  receiver = await createSite(t.app, city, { roles: ['receiver'], regionCode: '140106' }, ['D10']);
  await addOperatingLicence(city, receiver.org.id);
  await sweep(); // whatever the world opened so far (the calendar, say) is behind us
});
afterAll(() => t.close());

describe('alert events', () => {
  it('a weight discrepancy opens once, for the receiving region; the regulator\'s review closes it', async () => {
    const [startYz, startXd] = [await endOf(yingze.client), await endOf(xiaodian.client)];
    const m = await transfer([150]); // far off the declared weight
    const key = `weight_discrepancy:manifest:${m}`;

    const before = new Date();
    expect(await sweep()).toMatchObject({ opened: 1, closed: 0 });
    const { items: opened, next } = await feed(yingze.client, startYz);
    expect(opened.map((e) => [e.type, e.aggregate])).toEqual([['alert.opened', { type: 'alert', id: key }]]);
    const [e] = opened;
    expect(e.regionCode).toBe('140106');
    expect(new Date(e.occurredAt).getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(Value.Check(AlertEventData, e.data), JSON.stringify([...Value.Errors(AlertEventData, e.data)])).toBe(true);
    // The alert as the regulator's alert list shows it (less how late it is).
    const listed = (await yingze.client.get('/api/v1/supervision/alerts?type=weight_discrepancy')).json().items
      .find((a: { entityId: string }) => a.entityId === m);
    const { type, lateBy: _lateBy, ...rest } = listed;
    expect(e.data).toEqual({ alertType: type, ...rest });
    // The generator's district does not supervise the receiver: its regulator is not told (as in its alert list).
    expect((await feed(xiaodian.client, startXd)).items).toEqual([]);

    // Nothing changed: nothing written.
    expect(await sweep()).toMatchObject({ opened: 0, closed: 0 });
    expect((await feed(yingze.client, next)).items).toEqual([]);

    const review = await yingze.client.post(`/api/v1/supervision/manifests/${m}/discrepancy-review`, { note: '已核实：称重设备误差' });
    expect(review.statusCode, review.body).toBe(200);
    expect(await sweep()).toMatchObject({ opened: 0, closed: 1 });
    const { items: closed } = await feed(yingze.client, next);
    expect(closed.map((x) => [x.type, x.aggregate.id])).toEqual([['alert.closed', key]]);
    expect(closed[0].data).toEqual(e.data); // the alert as it last showed
    expect(closed[0].sequence).toBeGreaterThan(e.sequence);
    // The city sees both, in order.
    const cityEvents = (await feed(city, null)).items.filter((x) => x.aggregate.id === key);
    expect(cityEvents.map((x) => x.type)).toEqual(['alert.opened', 'alert.closed']);
    // Closed stays closed.
    expect(await sweep()).toMatchObject({ opened: 0, closed: 0 });
  });

  it('an alert that closes and comes back opens again', async () => {
    const m = await transfer([10], 'pickup');
    const key = `in_transit_too_long:manifest:${m}`;
    const start = await endOf(xiaodian.client);
    const later = new Date(Date.now() + (t.config.alerts.inTransitHours + 1) * HOUR);

    await sweep(later); // past the in-transit limit
    await sweep(); // back to now: within it
    await sweep(later); // past it again
    await sweep(later); // nothing new

    const ofIt = (await feed(xiaodian.client, start)).items.filter((x) => x.aggregate.id === key);
    expect(ofIt.map((x) => x.type)).toEqual(['alert.opened', 'alert.closed', 'alert.opened']);
    expect([ofIt[0].occurredAt, ofIt[2].occurredAt]).toEqual([later.toISOString(), later.toISOString()]);
    expect(ofIt[0].data).toMatchObject({ alertType: 'in_transit_too_long', entityType: 'manifest', entityId: m, regionCode: '140105' });
    await sweep(); // leave the world at now for the next test
  });

  it('two processes sweeping at once write each event once; a sweep that finds the lock taken skips', async () => {
    const start = await endOf(yingze.client);
    const m = await transfer([200]);
    const key = `weight_discrepancy:manifest:${m}`;

    const other = connect(t.dbUrl, 3); // a second process on the same database
    try {
      const outcomes = await Promise.all([
        sweepAlerts(t.database.db, t.config), sweepAlerts(other.db, t.config),
        sweepAlerts(t.database.db, t.config), sweepAlerts(other.db, t.config),
      ]);
      expect(outcomes.some((o) => o.outcome === 'swept')).toBe(true);
      expect(outcomes.reduce((n, o) => n + (o.outcome === 'swept' ? o.opened : 0), 0)).toBe(1);
      const ofIt = (await feed(yingze.client, start)).items.filter((x) => x.aggregate.id === key);
      expect(ofIt.map((x) => x.type)).toEqual(['alert.opened']);

      // While another process holds the sweep's lock, a sweep skips its turn and writes nothing.
      const holder = await other.pool.connect();
      try {
        await holder.query('BEGIN');
        await holder.query(`SELECT pg_advisory_xact_lock(${ALERT_SWEEP_LOCK_KEY}::bigint)`);
        const review = await yingze.client.post(`/api/v1/supervision/manifests/${m}/discrepancy-review`, { note: '复核' });
        expect(review.statusCode, review.body).toBe(200);
        expect(await sweepAlerts(t.database.db, t.config)).toEqual({ outcome: 'busy' });
        await holder.query('COMMIT');
      } finally {
        holder.release();
      }
      expect(await sweep()).toMatchObject({ closed: 1 });
      const after = (await feed(yingze.client, start)).items.filter((x) => x.aggregate.id === key);
      expect(after.map((x) => x.type)).toEqual(['alert.opened', 'alert.closed']);
    } finally {
      await other.close();
    }
  });
});
