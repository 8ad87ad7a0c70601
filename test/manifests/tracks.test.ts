// GPS tracks of the carriers' legs, the route on the traces and route.svg, and the route alerts
// (docs/regulations.md#route-record), through HTTP against PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';
import { loginAdmin, type Client } from '../support/factories.js';
import {
  addOperatingLicence, createCarrier, createSite, DRIVER, EMERGENCY_MEASURES, issueLabel, manifestAction, type CarrierSite, type Site,
} from '../support/world.js';

let t: TestApp;
let admin: Client;
let generator: Site;
let carrierA: CarrierSite;
let carrierB: CarrierSite;
let receiver: Site;

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The generator's yard and the receiver's plant, ~22 km apart near Taiyuan. */
const PICKUP = { lat: 37.80, lng: 112.50 };
const PLANT = { lat: 38.00, lng: 112.56 };

beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAdmin(t.app);
  generator = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
  carrierA = await createCarrier(t.app, admin);
  carrierB = await createCarrier(t.app, admin);
  receiver = await createSite(t.app, admin, { roles: ['receiver'], regionCode: '140121' }, ['D10']);
  await addOperatingLicence(admin, receiver.org.id, { wasteCodes: ['HW08'] });
});
afterAll(() => t.close());

interface Fix { id: string; at: string; lat: number; lng: number; speedKmh?: number }

/** Fixes every minute on the straight line from a to b, from `from` for `minutes` minutes. */
function line(prefix: string, a: { lat: number; lng: number }, b: { lat: number; lng: number }, from: number, minutes: number): Fix[] {
  return Array.from({ length: minutes + 1 }, (_, i) => {
    const k = i / minutes;
    return { id: `${prefix}-${i}`, at: new Date(from + i * MIN).toISOString(), lat: a.lat + (b.lat - a.lat) * k, lng: a.lng + (b.lng - a.lng) * k };
  });
}

/** Fixes every minute at one place (a few metres of jitter), from `from` for `minutes` minutes. */
function standStill(prefix: string, p: { lat: number; lng: number }, from: number, minutes: number): Fix[] {
  return Array.from({ length: minutes + 1 }, (_, i) => ({
    id: `${prefix}-${i}`, at: new Date(from + i * MIN).toISOString(), lat: p.lat + ((i % 3) - 1) * 0.00002, lng: p.lng + ((i % 2) - 0.5) * 0.00002,
  }));
}

const shuffled = <T>(xs: T[]) => xs.map((x, i) => [((i * 7919) % 101), x] as const).sort((a, b) => a[0] - b[0]).map(([, x]) => x);

const post = (c: Client, id: string, fixes: unknown[]) => c.post(`/api/v1/manifests/${id}/track`, { fixes });

async function storedCount(manifestId: string): Promise<number> {
  const { rows } = await t.database.pool.query('SELECT count(*)::int AS n FROM track_fixes WHERE manifest_id = $1', [manifestId]);
  return rows[0].n;
}

/**
 * A submitted manifest whose creation is moved `hoursAgo` back (steps may not precede it), picked up
 * at `pickupAt` at PICKUP by the first carrier.
 */
async function pickedUp(carriers: CarrierSite[], hoursAgo: number, pickupAt: number, from: Site = generator) {
  // Generated before the (backdated) manifest: a step may not precede the container's last one.
  const label = await issueLabel(from.client, { generatedAt: new Date(Date.now() - (hoursAgo + 1) * HOUR).toISOString() });
  const res = await from.client.post('/api/v1/manifests', {
    receiverId: receiver.org.id, carriers: carriers.map((c) => ({ orgId: c.org.id })), labelIds: [label.id],
    plannedAt: new Date(Date.now() + HOUR).toISOString(), intendedMethod: 'D10', emergencyMeasures: EMERGENCY_MEASURES,
  });
  expect(res.statusCode, res.body).toBe(201);
  const m = res.json();
  await manifestAction(from.client, m.id, { action: 'submit' });
  await t.database.pool.query(`UPDATE manifests SET created_at = now() - make_interval(hours => $2), submitted_at = now() - make_interval(hours => $2) WHERE id = $1`, [m.id, hoursAgo]);
  await manifestAction(carriers[0].client, m.id, {
    action: 'pickup', labelIds: [label.id], vehiclePlate: carriers[0].plate, driver: DRIVER, location: PICKUP, occurredAt: new Date(pickupAt).toISOString(),
  });
  return { id: m.id as string, labelId: label.id as string };
}

async function alerts(type: string, manifestId: string) {
  const res = await admin.get(`/api/v1/supervision/alerts?type=${type}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items.filter((a: { entityId: string }) => a.entityId === manifestId);
}

/** Well-formed XML, checked by a tag stack (no XML library in the tree): every element closes in order. */
function wellFormedTags(xml: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop(), `</${name}>`).toBe(name);
    else {
      seen.push(name);
      if (!selfClosing) stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  return seen;
}

describe('track fixes and the route', () => {
  const now = Date.now();
  const pickupAt = now - 6 * HOUR;
  const handoverAt = now - 3 * HOUR;
  const HANDOVER = { lat: 37.90, lng: 112.53 };
  let journey: { id: string; labelId: string };
  const legA = line('a', PICKUP, HANDOVER, pickupAt + 5 * MIN, 120);
  const legB = line('b', HANDOVER, PLANT, handoverAt + 5 * MIN, 100);

  beforeAll(async () => {
    journey = await pickedUp([carrierA, carrierB], 10, pickupAt);
  });

  it('a batch posted twice and out of order gives one track', async () => {
    const mixed = shuffled(legA);
    const first = await post(carrierA.client, journey.id, mixed.slice(0, 80));
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ accepted: 80, duplicate: 0, implausible: 0, refused: 0 });
    // The whole leg again, in another order: the 80 already stored are duplicates.
    const again = await post(carrierA.client, journey.id, [...legA].reverse());
    expect(again.json()).toEqual({ accepted: legA.length - 80, duplicate: 80, implausible: 0, refused: 0 });
    const third = await post(carrierA.client, journey.id, mixed);
    expect(third.json()).toMatchObject({ accepted: 0, duplicate: legA.length });
    expect(await storedCount(journey.id)).toBe(legA.length);

    const trace = (await generator.client.get(`/api/v1/manifests/${journey.id}/trace`)).json();
    const [leg] = trace.route.features.filter((f: { properties: { kind: string } }) => f.properties.kind === 'leg');
    expect(leg.properties).toMatchObject({ position: 0, carrierOrgId: carrierA.org.id, fixCount: legA.length, to: null });
    // In time order, whatever the order of arrival.
    expect(leg.geometry.coordinates[0]).toEqual([legA[0].lng, legA[0].lat]);
    expect(leg.geometry.coordinates.at(-1)).toEqual([legA.at(-1)!.lng, legA.at(-1)!.lat]);
  });

  it('bad input is refused whole with a problem, and nothing is stored', async () => {
    const before = await storedCount(journey.id);
    const at = new Date(pickupAt + 30 * MIN).toISOString();
    const tooMany = Array.from({ length: 1001 }, (_, i) => ({ id: `x${i}`, at, ...PICKUP }));
    const big = await post(carrierA.client, journey.id, tooMany);
    expect(big.statusCode).toBe(400);
    expect(big.headers['content-type']).toMatch(/application\/problem\+json/);

    expect((await post(carrierA.client, journey.id, [{ id: 'x', at, lat: 95, lng: 112 }])).statusCode).toBe(400);
    // In range, but in the Atlantic: not a plausible position; one bad fix refuses the batch.
    const atlantic = await post(carrierA.client, journey.id, [{ id: 'ok', at, ...PICKUP }, { id: 'x', at, lat: 10, lng: -30 }]);
    expect(atlantic.statusCode).toBe(400);
    expect(atlantic.json()).toMatchObject({ code: 'VALIDATION_FAILED', refused: 1, errors: [{ path: 'body.fixes.1' }] });
    // Before the leg began, beyond the 30-minute margin; and in the future.
    const early = await post(carrierA.client, journey.id, [{ id: 'e', at: new Date(pickupAt - 45 * MIN).toISOString(), ...PICKUP }]);
    expect(early.statusCode).toBe(400);
    expect(early.json().errors[0].path).toBe('body.fixes.0.at');
    expect((await post(carrierA.client, journey.id, [{ id: 'f', at: new Date(now + 2 * HOUR).toISOString(), ...PICKUP }])).statusCode).toBe(400);
    // The second carrier has not taken over yet; the generator carries nothing.
    const notYet = await post(carrierB.client, journey.id, [{ id: 'b', at, ...PICKUP }]);
    expect(notYet.statusCode).toBe(422);
    expect(notYet.json().rule).toBe('track_leg');
    expect((await post(generator.client, journey.id, [{ id: 'g', at, ...PICKUP }])).json().rule).toBe('track_leg');
    // A stranger does not see the manifest.
    const stranger = await createCarrier(t.app, admin);
    expect((await post(stranger.client, journey.id, [{ id: 's', at, ...PICKUP }])).statusCode).toBe(404);
    expect(await storedCount(journey.id)).toBe(before);
  });

  it('a fix too fast from its predecessor is stored flagged and left out of the route', async () => {
    const jump = { id: 'jump', at: new Date(pickupAt + 5 * MIN + 30_000).toISOString(), lat: 38.8, lng: 113.5 };
    const res = await post(carrierA.client, journey.id, [jump]);
    expect(res.json()).toEqual({ accepted: 1, duplicate: 0, implausible: 1, refused: 0 });
    const trace = (await generator.client.get(`/api/v1/manifests/${journey.id}/trace`)).json();
    expect(trace.route.features[0].properties.fixCount).toBe(legA.length);
  });

  it('a two-carrier journey has two legs on the manifest trace and the label trace', async () => {
    await manifestAction(carrierB.client, journey.id, { action: 'handover', vehiclePlate: carrierB.plate, driver: DRIVER, occurredAt: new Date(handoverAt).toISOString() });
    expect((await post(carrierB.client, journey.id, legB)).json().accepted).toBe(legB.length);
    await manifestAction(carrierB.client, journey.id, { action: 'deliver', occurredAt: new Date(now - HOUR).toISOString() });
    // The first carrier's leg ended at the handover: a fix after it (beyond the margin) is no longer its.
    expect((await post(carrierA.client, journey.id, [{ id: 'late', at: new Date(handoverAt + 45 * MIN).toISOString(), ...HANDOVER }])).statusCode).toBe(400);

    const trace = (await generator.client.get(`/api/v1/manifests/${journey.id}/trace`)).json();
    expect(trace.route.type).toBe('FeatureCollection');
    const legs = trace.route.features.filter((f: { properties: { kind: string } }) => f.properties.kind === 'leg');
    expect(legs.map((l: { geometry: { type: string } }) => l.geometry.type)).toEqual(['LineString', 'LineString']);
    expect(legs.map((l: { properties: Record<string, unknown> }) => [l.properties.position, l.properties.carrierOrgId, l.properties.fixCount]))
      .toEqual([[0, carrierA.org.id, legA.length], [1, carrierB.org.id, legB.length]]);
    expect(legs[0].properties.to).toBe(new Date(handoverAt).toISOString());
    // ~11 km and ~11 km on the straight lines drawn.
    for (const l of legs) expect(l.properties.distanceKm).toBeGreaterThan(10);
    const kinds = trace.route.features.map((f: { properties: { kind: string } }) => f.properties.kind);
    expect(kinds.filter((k: string) => k === 'pickup')).toHaveLength(1);
    expect(kinds.filter((k: string) => k === 'handover')).toHaveLength(2);
    expect(kinds.filter((k: string) => k === 'delivery')).toHaveLength(1);
    const pickup = trace.route.features.find((f: { properties: { kind: string } }) => f.properties.kind === 'pickup');
    expect(pickup).toMatchObject({ geometry: { coordinates: [PICKUP.lng, PICKUP.lat] }, properties: { source: 'step' } });

    const labelTrace = (await generator.client.get(`/api/v1/labels/${journey.labelId}/trace`)).json();
    expect(labelTrace.manifests[0].route.features.filter((f: { properties: { kind: string } }) => f.properties.kind === 'leg')).toHaveLength(2);
  });

  it('route.svg is an SVG drawing both legs, the places and a scale bar', async () => {
    const res = await generator.client.get(`/api/v1/manifests/${journey.id}/route.svg`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = res.body;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const tags = wellFormedTags(svg);
    expect(tags[0]).toBe('svg');
    const legs = [...svg.matchAll(/<polyline class="leg" data-position="(\d)" data-fixes="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(legs).toEqual([[0, legA.length], [1, legB.length]]);
    expect(svg).toContain('class="place pickup"');
    expect(svg).toContain('class="place delivery"');
    expect(svg).toContain('class="scale-bar"');
    expect(svg).toContain(`Leg 2: ${carrierB.org.name}`);
  });
});

describe('route alerts', () => {
  it('route_stop: a long stop away from any known place, closed by the receipt', async () => {
    const now = Date.now();
    const m = await pickedUp([carrierA], 5, now - 4 * HOUR);
    const lay = { lat: 37.95, lng: 112.30 }; // ~20 km from the pickup, nowhere known
    const fixes = [
      ...line('go', PICKUP, lay, now - 4 * HOUR + MIN, 30),
      ...standStill('wait', lay, now - 4 * HOUR + 32 * MIN, 50),
      ...line('on', lay, PLANT, now - 4 * HOUR + 84 * MIN, 40),
      // A short pause (10 min) is a stop on the route but not an alert.
      ...standStill('pause', PLANT, now - 4 * HOUR + 125 * MIN, 10),
    ];
    expect((await post(carrierA.client, m.id, fixes)).json().accepted).toBe(fixes.length);
    const [alert] = await alerts('route_stop', m.id);
    expect(alert).toMatchObject({ type: 'route_stop', entityType: 'manifest', orgId: carrierA.org.id, regionCode: '140105' });
    expect(alert.details.stops).toHaveLength(1);
    expect(alert.details.stops[0].minutes).toBeGreaterThanOrEqual(49);
    expect(alert.details.stops[0].nearestPlaceKm).toBeGreaterThan(10);
    const trace = (await generator.client.get(`/api/v1/manifests/${m.id}/trace`)).json();
    const stops = trace.route.features.filter((f: { properties: { kind: string } }) => f.properties.kind === 'stop');
    // The stand-stills, with the moving fixes either side that are still within 100 m of them.
    const minutes = stops.map((s: { properties: { durationMinutes: number } }) => s.properties.durationMinutes);
    expect(minutes).toHaveLength(2);
    expect(minutes[0]).toBeGreaterThanOrEqual(50);
    expect(minutes[0]).toBeLessThan(56);
    expect(minutes[1]).toBeGreaterThanOrEqual(10);
    expect(minutes[1]).toBeLessThan(14);
    expect((await generator.client.get(`/api/v1/manifests/${m.id}/route.svg`)).body).toContain(`${minutes[0]} min`);

    await manifestAction(carrierA.client, m.id, { action: 'deliver' });
    expect(await alerts('route_stop', m.id)).toHaveLength(1); // still open until the receipt
    await manifestAction(receiver.client, m.id, {
      action: 'receive', location: PLANT, items: [{ labelId: m.labelId, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }],
    });
    expect(await alerts('route_stop', m.id)).toEqual([]);
  });

  it('a long stop at the pickup is no alert', async () => {
    const now = Date.now();
    const m = await pickedUp([carrierA], 3, now - 2 * HOUR);
    const fixes = [...standStill('yard', PICKUP, now - 2 * HOUR, 45), ...line('go', PICKUP, PLANT, now - 2 * HOUR + 46 * MIN, 30)];
    expect((await post(carrierA.client, m.id, fixes)).statusCode).toBe(200);
    expect(await alerts('route_stop', m.id)).toEqual([]);
  });

  it('route_off_corridor: a delivered leg that strayed from the straight line, closed by the receipt', async () => {
    const now = Date.now();
    const m = await pickedUp([carrierA], 5, now - 4 * HOUR);
    const detour = { lat: 37.90, lng: 112.80 }; // ~25 km east of the line
    const fixes = [...line('out', PICKUP, detour, now - 4 * HOUR + MIN, 40), ...line('back', detour, PLANT, now - 4 * HOUR + 42 * MIN, 40)];
    expect((await post(carrierA.client, m.id, fixes)).json().accepted).toBe(fixes.length);
    // The leg is open: its end is not known yet.
    expect(await alerts('route_off_corridor', m.id)).toEqual([]);
    await manifestAction(carrierA.client, m.id, { action: 'deliver', occurredAt: new Date(now - 2 * HOUR).toISOString() });
    const [alert] = await alerts('route_off_corridor', m.id);
    expect(alert).toMatchObject({ orgId: carrierA.org.id, details: { corridorKm: 5, legs: [{ position: 0 }] } });
    expect(alert.details.legs[0].maxDeviationKm).toBeGreaterThan(15);
    await manifestAction(receiver.client, m.id, { action: 'receive', items: [{ labelId: m.labelId, accepted: true, measuredQuantity: { value: 180, unit: 'kg' } }] });
    expect(await alerts('route_off_corridor', m.id)).toEqual([]);
  });

  it('a leg inside the corridor raises nothing', async () => {
    const now = Date.now();
    const m = await pickedUp([carrierA], 3, now - 2 * HOUR);
    expect((await post(carrierA.client, m.id, line('s', PICKUP, PLANT, now - 2 * HOUR + MIN, 60))).statusCode).toBe(200);
    await manifestAction(carrierA.client, m.id, { action: 'deliver' });
    expect(await alerts('route_off_corridor', m.id)).toEqual([]);
    expect(await alerts('route_stop', m.id)).toEqual([]);
  });

  it('route_silence: no fix for an hour in transit, closed by late fixes that fill the gap', async () => {
    const now = Date.now();
    const m = await pickedUp([carrierA], 4, now - 3 * HOUR);
    const all = line('s', PICKUP, PLANT, now - 3 * HOUR + MIN, 170);
    // A manifest without any fix raises nothing.
    expect(await alerts('route_silence', m.id)).toEqual([]);
    expect((await post(carrierA.client, m.id, all.slice(0, 60))).statusCode).toBe(200); // up to 2 h ago
    const [alert] = await alerts('route_silence', m.id);
    expect(alert).toMatchObject({ orgId: carrierA.org.id, details: { silenceMinutes: 60, lastFixAt: all[59].at } });
    // The terminal's offline buffer arrives: the silence was a dead zone, not a dark truck.
    expect((await post(carrierA.client, m.id, all.slice(60))).json().accepted).toBe(all.length - 60);
    expect(await alerts('route_silence', m.id)).toEqual([]);
  });

  it('a transfer with fixes beside one without and one whose only fixes fall outside its leg: only the first is routed and alerts', async () => {
    const now = Date.now();
    const tracked = await pickedUp([carrierA], 4, now - 3 * HOUR);
    const dark = await pickedUp([carrierA], 4, now - 3 * HOUR);
    const stray = await pickedUp([carrierA], 4, now - 3 * HOUR);
    expect((await post(carrierA.client, tracked.id, line('t', PICKUP, PLANT, now - 3 * HOUR + MIN, 60))).statusCode).toBe(200);
    // Fixes of the stray transfer a day before its pickup, written straight into the record (outside
    // the leg and its margin: no part of the route).
    await t.database.pool.query(`INSERT INTO track_fixes (manifest_id, at, lat_e6, lng_e6, position, fix_id)
      SELECT $1, now() - interval '27 hours' + make_interval(mins => i), 37800000, 112500000, 0, 'early-' || i FROM generate_series(0, 90) i`, [stray.id]);
    for (const type of ['route_stop', 'route_off_corridor', 'route_silence']) {
      expect(await alerts(type, dark.id), type).toEqual([]);
      expect(await alerts(type, stray.id), type).toEqual([]);
    }
    expect(await alerts('route_silence', tracked.id)).toMatchObject([{ orgId: carrierA.org.id, details: { silenceMinutes: 60 } }]);
  });

  it('route_off_corridor against the route approved for the pair: the approved detour is no alert, the straight road is', async () => {
    const now = Date.now();
    const own = await createSite(t.app, admin, { roles: ['generator'], regionCode: '140105' });
    const detour = { lat: 37.90, lng: 112.80 };
    const today = new Date(now).toISOString().slice(0, 10);
    const bad = await admin.post('/api/v1/approved-routes', { generatorId: own.org.id, receiverId: receiver.org.id, name: '绕行', path: [PICKUP, { lat: 10, lng: -30 }], validFrom: today });
    expect(bad.statusCode).toBe(400);
    expect((await own.client.post('/api/v1/approved-routes', { generatorId: own.org.id, receiverId: receiver.org.id, name: 'x', path: [PICKUP, PLANT], validFrom: today })).statusCode).toBe(403);
    const registered = await admin.post('/api/v1/approved-routes', {
      generatorId: own.org.id, receiverId: receiver.org.id, name: '东线 (避开市区)', path: [PICKUP, detour, PLANT], validFrom: '2020-01-01',
    });
    expect(registered.statusCode, registered.body).toBe(201);
    const route = registered.json();
    expect(route.lengthKm).toBeGreaterThan(40);
    expect((await own.client.get(`/api/v1/approved-routes?receiverId=${receiver.org.id}`)).json().items.map((r: { id: string }) => r.id)).toEqual([route.id]);
    expect((await carrierA.client.get('/api/v1/approved-routes')).json().items).toEqual([]);

    // Along the approved detour, delivered: nothing, though it strays far from the straight line.
    const along = await pickedUp([carrierA], 5, now - 4 * HOUR, own);
    const detourFixes = [...line('out', PICKUP, detour, now - 4 * HOUR + MIN, 40), ...line('back', detour, PLANT, now - 4 * HOUR + 42 * MIN, 40)];
    expect((await post(carrierA.client, along.id, detourFixes)).statusCode).toBe(200);
    await manifestAction(carrierA.client, along.id, { action: 'deliver', occurredAt: new Date(now - 2 * HOUR).toISOString() });
    expect(await alerts('route_off_corridor', along.id)).toEqual([]);
    const trace = (await own.client.get(`/api/v1/manifests/${along.id}/trace`)).json();
    expect(trace.route.features.find((f: { properties: { kind: string } }) => f.properties.kind === 'approved_route'))
      .toMatchObject({ geometry: { type: 'LineString', coordinates: [[PICKUP.lng, PICKUP.lat], [detour.lng, detour.lat], [PLANT.lng, PLANT.lat]] }, properties: { approvedRouteId: route.id } });
    expect((await own.client.get(`/api/v1/manifests/${along.id}/route.svg`)).body).toContain('class="approved-route"');

    // The straight road, still in transit: off the approved route at once (its path is known in advance).
    const straight = await pickedUp([carrierA], 3, now - 2 * HOUR, own);
    expect((await post(carrierA.client, straight.id, line('s', PICKUP, PLANT, now - 2 * HOUR + MIN, 60))).statusCode).toBe(200);
    const [alert] = await alerts('route_off_corridor', straight.id);
    expect(alert).toMatchObject({ orgId: carrierA.org.id, details: { approvedRouteId: route.id, legs: [{ position: 0 }] } });
    expect(alert.details.legs[0].maxDeviationKm).toBeGreaterThan(5);
  });
});
