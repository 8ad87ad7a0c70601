// GPS tracks for the demo's transfers, as a carrier's vehicle terminal would record them: a fix
// every 30–60 s along a plausible road between the leg's ends (the straight line bent a little
// sideways, or through the waypoints a story gives), at town speeds, then parked at the end until
// the custody changes. A story can add a stop on the way (a breakdown) or cut the track short (the
// terminal went quiet). Pure: the builder posts the fixes through the API (docs/demo-city.md).
import { distanceKm, KM_PER_DEGREE, pathKm, type LatLng } from '../tracks/geo.js';
import type { FixInput } from '../tracks/schemas.js';

const MINUTE = 60_000;
/** Average speed on the road, km/h (city and county roads, a loaded truck). */
const ROAD_KMH = 38;
/** Roads are longer than the straight line: the sideways bend, at most this many km. */
const BEND_KM = 1.2;
/** GPS noise, metres either way. */
const JITTER_M = 5;

/** A part of the leg's time: the vehicle moves to `toFraction` of the path (stays put when it is already there). */
export interface Phase { minutes: number; toFraction: number }

export interface LegTrack {
  /** Prefix of each fix id (the terminal's own ids): unique per leg. */
  idPrefix: string;
  start: Date;
  from: LatLng;
  to: LatLng;
  /** Points the road passes through (a detour); without them the straight line gets a gentle bend. */
  via?: LatLng[];
  phases: Phase[];
}

/** The usual phases of a leg that ended: drive there at road speed (within the leg's time), then wait. */
export function driveThenWait(from: LatLng, to: LatLng, start: Date, end: Date, via: LatLng[] = []): Phase[] {
  const minutes = (end.getTime() - start.getTime()) / MINUTE;
  const km = pathKm([from, ...via, to]) * 1.05;
  const drive = Math.min(minutes * 0.9, (km / ROAD_KMH) * 60);
  return [{ minutes: drive, toFraction: 1 }, { minutes: minutes - drive, toFraction: 1 }];
}

/** A point `east` and `north` km from p. */
export function offsetKm(p: LatLng, east: number, north: number): LatLng {
  return { lat: p.lat + north / KM_PER_DEGREE, lng: p.lng + east / (KM_PER_DEGREE * Math.cos((p.lat * Math.PI) / 180)) };
}

/** The point `sideKm` to the left of the midpoint of a–b (negative: to the right), for a detour. */
export function besideMidpoint(a: LatLng, b: LatLng, sideKm: number): LatLng {
  return offsetAlong({ lat: (a.lat + b.lat) / 2, lng: (a.lng + b.lng) / 2 }, a, b, sideKm);
}

/** The fixes of a leg, in time order, from a seeded random source. */
export function legFixes(leg: LegTrack, rnd: () => number): FixInput[] {
  const waypoints = [leg.from, ...(leg.via ?? []), leg.to];
  const cum = [0];
  for (let i = 1; i < waypoints.length; i++) cum.push(cum[i - 1] + distanceKm(waypoints[i - 1], waypoints[i]));
  const total = cum.at(-1)!;
  const bend = leg.via?.length ? 0 : (rnd() * 2 - 1) * BEND_KM;
  const along = (f: number): LatLng => {
    const d = f * total;
    let i = 1;
    while (i < cum.length - 1 && cum[i] < d) i++;
    const seg = cum[i] - cum[i - 1];
    const u = seg === 0 ? 0 : (d - cum[i - 1]) / seg;
    const a = waypoints[i - 1];
    const b = waypoints[i];
    const p = { lat: a.lat + (b.lat - a.lat) * u, lng: a.lng + (b.lng - a.lng) * u };
    // The road bends sideways most at the middle, not at all at the ends.
    return bend === 0 || total === 0 ? p : offsetAlong(p, leg.from, leg.to, bend * Math.sin(Math.PI * f));
  };
  const fixes: FixInput[] = [];
  let t = leg.start.getTime() + 20_000;
  let phaseStart = leg.start.getTime();
  let fraction = 0;
  for (const phase of leg.phases) {
    const end = phaseStart + phase.minutes * MINUTE;
    const from = fraction;
    for (; t < end - 20_000; t += 30_000 + Math.floor(rnd() * 30_000)) {
      const f = from + (phase.toFraction - from) * ((t - phaseStart) / (end - phaseStart));
      const p = offsetKm(along(f), ((rnd() * 2 - 1) * JITTER_M) / 1000, ((rnd() * 2 - 1) * JITTER_M) / 1000);
      fixes.push({ id: `${leg.idPrefix}-${fixes.length}`, at: new Date(t).toISOString(), lat: round6(p.lat), lng: round6(p.lng), accuracyM: 8 });
    }
    fraction = phase.toFraction;
    phaseStart = end;
  }
  return fixes;
}

/** p moved `sideKm` sideways, perpendicular to the direction a→b. */
function offsetAlong(p: LatLng, a: LatLng, b: LatLng, sideKm: number): LatLng {
  const cos = Math.cos((p.lat * Math.PI) / 180);
  const east = (b.lng - a.lng) * cos;
  const north = b.lat - a.lat;
  const len = Math.hypot(east, north) || 1;
  return offsetKm(p, (-north / len) * sideKm, (east / len) * sideKm);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
