// Plane geometry on the small areas a transfer covers: distances on the sphere, and a local
// equirectangular projection (x scaled by cos(latitude)) for distances to segments and drawing.

export interface LatLng { lat: number; lng: number }

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;
/** Kilometres per degree of latitude on the mean sphere. */
export const KM_PER_DEGREE = EARTH_RADIUS_KM * RAD;

/** Great-circle distance in km (haversine). */
export function distanceKm(a: LatLng, b: LatLng): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Length of a path in km. */
export function pathKm(points: LatLng[]): number {
  let km = 0;
  for (let i = 1; i < points.length; i++) km += distanceKm(points[i - 1], points[i]);
  return km;
}

/** Projects to km on a plane tangent at latitude lat0 (good to well under 1 % over a few hundred km). */
export function projector(lat0: number) {
  const kx = Math.cos(lat0 * RAD) * KM_PER_DEGREE;
  return (p: LatLng) => ({ x: p.lng * kx, y: p.lat * KM_PER_DEGREE });
}

/** Distance in km from p to the segment a–b. */
export function distanceToSegmentKm(p: LatLng, a: LatLng, b: LatLng): number {
  const project = projector((a.lat + b.lat) / 2);
  const P = project(p);
  const A = project(a);
  const B = project(b);
  const dx = B.x - A.x;
  const dy = B.y - A.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((P.x - A.x) * dx + (P.y - A.y) * dy) / len2));
  return Math.hypot(P.x - (A.x + t * dx), P.y - (A.y + t * dy));
}

/** Distance in km from p to the nearest segment of a path. */
export function distanceToPathKm(p: LatLng, path: LatLng[]): number {
  if (path.length === 1) return distanceKm(p, path[0]);
  let best = Infinity;
  for (let i = 1; i < path.length; i++) best = Math.min(best, distanceToSegmentKm(p, path[i - 1], path[i]));
  return best;
}

/**
 * Douglas–Peucker on plane points: the indexes of the points kept, so that no dropped point lies
 * farther than `tolerance` from the kept polyline. Iterative (a stack), so a long leg cannot
 * overflow the call stack.
 */
export function simplify(points: Array<{ x: number; y: number }>, tolerance: number): number[] {
  const n = points.length;
  if (n <= 2) return points.map((_, i) => i);
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const stack: Array<[number, number]> = [[0, n - 1]];
  const tol2 = tolerance * tolerance;
  while (stack.length) {
    const [first, last] = stack.pop()!;
    const a = points[first];
    const b = points[last];
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    let worst = -1;
    let worstD2 = tol2;
    for (let i = first + 1; i < last; i++) {
      const p = points[i];
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
      const ex = p.x - (a.x + t * dx);
      const ey = p.y - (a.y + t * dy);
      const d2 = ex * ex + ey * ey;
      if (d2 > worstD2) { worstD2 = d2; worst = i; }
    }
    if (worst > 0) {
      keep[worst] = 1;
      stack.push([first, worst], [worst, last]);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(i);
  return out;
}

/** A rough plausibility box around China's territory, islands of the South China Sea included. */
export const CHINA_BOX = { minLat: 3.5, maxLat: 53.6, minLng: 73.4, maxLng: 135.1 };

export const insideChina = (p: LatLng) =>
  p.lat >= CHINA_BOX.minLat && p.lat <= CHINA_BOX.maxLat && p.lng >= CHINA_BOX.minLng && p.lng <= CHINA_BOX.maxLng;
