// Route alerts (docs/regulations.md#route-alerts) from the carriers' GPS tracks (转移管理办法 Art. 11:
// the carrier records the route). The thresholds are our policy, configurable. Computed, like every
// alert, from the record at the moment of the request, for the transfers whose carriage is under way
// or just ended: in transit, or delivered and awaiting the receipt. Once the receiver confirms, the
// route stays on the trace and route.svg, and its alerts close.
//
// - route_stop: a stop of ROUTE_STOP_MINUTES or more, farther than ROUTE_STOP_PLACE_RADIUS_M from
//   every known place of the transfer (pickup, handovers, delivery: facilities carry no coordinates
//   here, so the locations recorded with the pickup and receipt steps stand for them, and a leg's end
//   fixes where none was recorded). Closes when the record no longer shows it (later or late fixes
//   show the vehicle moving on within the minutes, or a step records the place as the delivery).
// - route_off_corridor: a leg that ended (handed over or delivered) with a fix farther than
//   ROUTE_CORRIDOR_KM from the straight line between its ends. An open leg's end is not known yet.
// - route_silence: no fix for ROUTE_SILENCE_MINUTES while in transit, counted from the last fix or
//   the current carrier's takeover, whichever is later; only for transfers that have received at
//   least one fix (a carrier without a terminal would otherwise raise it on every transfer). Late
//   fixes that fill the silence close it.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import type { Config } from '../config.js';
import { manifests } from '../db/schema.js';
import { loadCarriersOf } from '../manifests/manifest-view.js';
import { routesWithFixesOf } from '../tracks/read-track.js';
import { distanceKm, distanceToPathKm, distanceToSegmentKm, type LatLng } from '../tracks/geo.js';
import type { Route, RouteLeg } from '../tracks/route.js';
import { inRegion } from './jurisdiction.js';
import type { Alert, AlertType } from './alerts.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const round = (v: number, digits = 3) => Math.round(v * 10 ** digits) / 10 ** digits;

interface Candidate { id: string; number: string | null; state: string; regionCode: string; carrierAt: (position: number) => string; route: Route }

function stopAlert(c: Candidate, config: Config): Alert | undefined {
  const t = config.tracks;
  const places = c.route.places;
  const far = c.route.stops.filter((s) => s.alerting);
  if (far.length === 0) return undefined;
  const first = far[0];
  return {
    type: 'route_stop', severity: 'medium', entityType: 'manifest', entityId: c.id, orgId: c.carrierAt(first.position),
    regionCode: c.regionCode, deadline: new Date(first.from.getTime() + t.alertStopMinutes * MINUTE).toISOString(), lateBy: null,
    summary: `Manifest ${c.number}: the vehicle stopped ${first.minutes} minutes away from any known place${far.length > 1 ? ` (${far.length} such stops)` : ''}`,
    details: {
      number: c.number, stopMinutes: t.alertStopMinutes, placeRadiusM: t.stopPlaceRadiusM,
      stops: far.map((s) => ({
        position: s.position, carrierOrgId: c.carrierAt(s.position), lat: round(s.lat, 6), lng: round(s.lng, 6),
        from: s.from.toISOString(), to: s.to.toISOString(), minutes: s.minutes,
        nearestPlaceKm: places.length ? round(Math.min(...places.map((p) => distanceKm(s, p)))) : null,
      })),
    },
  };
}

/** A leg's ends: the recorded pickup and delivery places where the leg starts or ends there, else its end fixes. */
function endsOf(leg: RouteLeg, route: Route, isFirst: boolean, isLast: boolean): [LatLng, LatLng] {
  const pickup = route.places.find((p) => p.kind === 'pickup');
  const delivery = route.places.find((p) => p.kind === 'delivery');
  return [isFirst && pickup ? pickup : leg.points[0], isLast && delivery ? delivery : leg.points.at(-1)!];
}

const offSegment = ([a, b]: [LatLng, LatLng]) => (p: LatLng) => distanceToSegmentKm(p, a, b);

function corridorAlert(c: Candidate, config: Config): Alert | undefined {
  const limit = config.tracks.corridorKm;
  const { legs, approved } = c.route;
  const strays = legs.flatMap((leg, i) => {
    // An approved route is known in advance, so an open leg is judged against it too.
    if (approved ? leg.points.length === 0 : leg.to === null || leg.points.length < 2) return [];
    const off = approved ? (p: LatLng) => distanceToPathKm(p, approved.points) : offSegment(endsOf(leg, c.route, i === 0, i === legs.length - 1));
    let worst = { km: 0, at: leg.points[0] };
    for (const p of leg.points) {
      const km = off(p);
      if (km > worst.km) worst = { km, at: p };
    }
    return worst.km > limit ? [{ leg, worst }] : [];
  });
  if (strays.length === 0) return undefined;
  const first = strays[0];
  return {
    type: 'route_off_corridor', severity: 'medium', entityType: 'manifest', entityId: c.id, orgId: first.leg.carrierOrgId,
    regionCode: c.regionCode, deadline: first.worst.at.at.toISOString(), lateBy: null,
    summary: `Manifest ${c.number}: leg ${first.leg.position + 1} strayed ${first.worst.km.toFixed(1)} km from ${approved ? `the approved route ${approved.name}` : 'the straight corridor between its ends'} (limit ${limit} km)`,
    details: {
      number: c.number, corridorKm: limit, approvedRouteId: approved?.id ?? null,
      legs: strays.map(({ leg, worst }) => ({
        position: leg.position, carrierOrgId: leg.carrierOrgId, maxDeviationKm: round(worst.km),
        at: worst.at.at.toISOString(), lat: worst.at.lat, lng: worst.at.lng,
      })),
    },
  };
}

function silenceAlert(c: Candidate, config: Config, now: Date): Alert | undefined {
  if (c.state !== 'in_transit') return undefined;
  // Each leg's points are in time order: its last is its latest.
  const lastFix = c.route.legs.reduce((max, l) => Math.max(max, l.points.at(-1)?.at.getTime() ?? -Infinity), -Infinity);
  if (lastFix === -Infinity) return undefined;
  const current = c.route.legs.at(-1)!;
  const since = Math.max(lastFix, current.from.getTime());
  const deadline = since + config.tracks.silenceMinutes * MINUTE;
  if (now.getTime() < deadline) return undefined;
  return {
    type: 'route_silence', severity: 'medium', entityType: 'manifest', entityId: c.id, orgId: current.carrierOrgId,
    regionCode: c.regionCode, deadline: new Date(deadline).toISOString(),
    lateBy: { value: Math.floor((now.getTime() - deadline) / HOUR), unit: 'hours' },
    summary: `Manifest ${c.number}: no GPS fix for ${Math.floor((now.getTime() - since) / MINUTE)} minutes while in transit`,
    details: {
      number: c.number, silenceMinutes: config.tracks.silenceMinutes, lastFixAt: new Date(lastFix).toISOString(),
      silentSince: new Date(since).toISOString(), position: current.position,
    },
  };
}

export async function routeAlerts(db: Db, config: Config, prefix: string, wanted: (t: AlertType) => boolean, now: Date): Promise<Alert[]> {
  const rows = await db.select().from(manifests).where(sql`${manifests.state} IN ('in_transit', 'delivered')
    AND ((${inRegion(manifests.regionCode, prefix)}) OR (${inRegion(manifests.receiverRegionCode, prefix)}))`);
  if (rows.length === 0) return [];
  // Only the carriers make the legs (the containers play no part); the fixes are read next, and the
  // rest of a route only for the transfers that have fixes: with none stored, three short queries.
  const carriers = await loadCarriersOf(db, rows.map((m) => m.id));
  const loaded = rows.map((m) => ({ m, carriers: carriers.filter((c) => c.manifestId === m.id) }));
  const routes = await routesWithFixesOf(db, loaded, config.tracks, now);
  const out: Alert[] = [];
  for (const l of loaded) {
    const route = routes.get(l.m.id);
    if (!route || route.legs.every((leg) => leg.points.length === 0)) continue;
    const c: Candidate = {
      id: l.m.id, number: l.m.number, state: l.m.state, regionCode: l.m.regionCode, route,
      carrierAt: (position) => l.carriers.find((x) => x.position === position)?.orgId ?? l.m.generatorId,
    };
    const found = [
      wanted('route_stop') ? stopAlert(c, config) : undefined,
      wanted('route_off_corridor') ? corridorAlert(c, config) : undefined,
      wanted('route_silence') ? silenceAlert(c, config, now) : undefined,
    ];
    out.push(...found.filter((a): a is Alert => a !== undefined));
  }
  return out;
}
