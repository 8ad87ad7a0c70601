// A manifest's route from its fixes: the path of each leg, its stops, and the known places it runs
// between (pickup, handovers, delivery). Pure: the same figures feed the trace, route.svg and the
// route alerts.
import { distanceKm, pathKm, type LatLng } from './geo.js';
import type { Leg } from './legs.js';
import type { TrackSettings } from './track-settings.js';

export interface TrackPoint extends LatLng { at: Date }

export interface RouteLeg extends Leg { points: TrackPoint[]; distanceKm: number }

export interface Stop extends LatLng {
  position: number; from: Date; to: Date; minutes: number; fixCount: number;
  /** Farther than ROUTE_STOP_PLACE_RADIUS_M from every known place of the transfer. */
  remote: boolean;
  /** Remote and at least ROUTE_STOP_MINUTES long: what raises route_stop. */
  alerting: boolean;
}

/** Where a place's coordinates come from: a custody step's recorded location, or a leg's end fix. */
export type PlaceSource = 'step' | 'fix';
export interface Place extends LatLng { kind: 'pickup' | 'handover' | 'delivery'; at: Date | null; source: PlaceSource }

/** A location a container step of the manifest recorded (dispatch or return at pickup; accept or refuse at receipt). */
export interface StepPlace extends LatLng { action: string; at: Date }

/** The route a regulator approved for the manifest's generator and receiver, in force on the pickup day. */
export interface ApprovedPath { id: string; name: string; points: LatLng[] }

export interface Route { legs: RouteLeg[]; stops: Stop[]; places: Place[]; approved: ApprovedPath | null }

const PICKUP_ACTIONS = new Set(['dispatch', 'return']);
const DELIVERY_ACTIONS = new Set(['accept', 'refuse']);

/** Stops: runs of consecutive fixes within the radius of the run's first fix, lasting at least the minimum. */
export function stopsOf(position: number, points: TrackPoint[], radiusM: number, minMinutes: number): Array<Omit<Stop, 'remote' | 'alerting'>> {
  const stops: Array<Omit<Stop, 'remote' | 'alerting'>> = [];
  const radiusKm = radiusM / 1000;
  let i = 0;
  while (i < points.length) {
    let j = i;
    while (j + 1 < points.length && distanceKm(points[i], points[j + 1]) <= radiusKm) j++;
    const minutes = (points[j].at.getTime() - points[i].at.getTime()) / 60_000;
    if (j > i && minutes >= minMinutes) {
      const run = points.slice(i, j + 1);
      stops.push({
        position,
        lat: run.reduce((s, p) => s + p.lat, 0) / run.length,
        lng: run.reduce((s, p) => s + p.lng, 0) / run.length,
        from: points[i].at, to: points[j].at, minutes: Math.round(minutes), fixCount: run.length,
      });
    }
    i = j + 1;
  }
  return stops;
}

function placesOf(legs: RouteLeg[], steps: StepPlace[], delivered: boolean): Place[] {
  const places: Place[] = [];
  const fromStep = (kind: Place['kind'], actions: Set<string>) => {
    const s = steps.find((p) => actions.has(p.action));
    return s ? { kind, lat: s.lat, lng: s.lng, at: s.at, source: 'step' as const } : undefined;
  };
  const fromFix = (kind: Place['kind'], p: TrackPoint | undefined) => (p ? { kind, lat: p.lat, lng: p.lng, at: p.at, source: 'fix' as const } : undefined);
  const first = legs[0];
  const last = legs[legs.length - 1];
  const pickup = fromStep('pickup', PICKUP_ACTIONS) ?? fromFix('pickup', first?.points[0]);
  if (pickup) places.push(pickup);
  // Handovers record no location: the two carriers' fixes either side of the takeover stand for it.
  for (let i = 1; i < legs.length; i++) {
    for (const p of [fromFix('handover', legs[i - 1].points.at(-1)), fromFix('handover', legs[i].points[0])]) if (p) places.push(p);
  }
  const delivery = fromStep('delivery', DELIVERY_ACTIONS) ?? (delivered && last?.to ? fromFix('delivery', last.points.at(-1)) : undefined);
  if (delivery) places.push(delivery);
  return places;
}

export function buildRoute(
  legs: Leg[], fixes: Map<number, TrackPoint[]>, steps: StepPlace[], delivered: boolean, settings: TrackSettings, approved: ApprovedPath | null = null,
): Route {
  const routeLegs = legs.map((leg): RouteLeg => {
    const points = fixes.get(leg.position) ?? [];
    return { ...leg, points, distanceKm: pathKm(points) };
  });
  const places = placesOf(routeLegs, steps, delivered);
  const stops = routeLegs.flatMap((l) => stopsOf(l.position, l.points, settings.stopRadiusM, settings.stopMinMinutes)).map((s) => {
    const remote = places.every((p) => distanceKm(s, p) * 1000 > settings.stopPlaceRadiusM);
    return { ...s, remote, alerting: remote && s.minutes >= settings.alertStopMinutes };
  });
  return { legs: routeLegs, stops, places, approved };
}
