// A route as GeoJSON (RFC 7946): a LineString per leg (geometry null below two fixes, which a
// LineString cannot hold), then the stops and the known places as Points. Coordinates are
// [longitude, latitude], WGS 84 as the terminals report them.
import { Type } from 'typebox';
import type { Route } from './route.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function routeGeoJson(route: Route) {
  return {
    type: 'FeatureCollection' as const,
    features: [
      ...route.legs.map((l) => ({
        type: 'Feature' as const,
        geometry: l.points.length >= 2 ? { type: 'LineString', coordinates: l.points.map((p) => [p.lng, p.lat]) } : null,
        properties: {
          kind: 'leg', position: l.position, carrierOrgId: l.carrierOrgId, from: iso(l.from), to: iso(l.to),
          fixCount: l.points.length, distanceKm: round(l.distanceKm, 3),
        },
      })),
      ...route.stops.map((s) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point', coordinates: [round(s.lng, 6), round(s.lat, 6)] },
        properties: { kind: 'stop', position: s.position, from: iso(s.from), to: iso(s.to), durationMinutes: s.minutes, fixCount: s.fixCount, awayFromKnownPlaces: s.remote, alert: s.alerting },
      })),
      ...(route.approved ? [{
        type: 'Feature' as const,
        geometry: { type: 'LineString', coordinates: route.approved.points.map((p) => [p.lng, p.lat]) },
        properties: { kind: 'approved_route', approvedRouteId: route.approved.id, name: route.approved.name },
      }] : []),
      ...route.places.map((p) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point', coordinates: [p.lng, p.lat] },
        properties: { kind: p.kind, at: iso(p.at), source: p.source },
      })),
    ],
  };
}

export const RouteSchema = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Type.Object({
    type: Type.Literal('Feature'),
    geometry: Type.Union([
      Type.Object({
        type: Type.String({ description: 'LineString (a leg) or Point (a stop or a place)' }),
        coordinates: Type.Array(Type.Unknown(), { description: '[lng, lat] for a Point; a list of them for a LineString' }),
      }),
      Type.Null(),
    ], { description: 'null for a leg with fewer than two fixes' }),
    properties: Type.Record(Type.String(), Type.Unknown(), {
      description: 'kind leg: position, carrierOrgId, from, to, fixCount, distanceKm; kind stop: position, from, to, durationMinutes, fixCount, awayFromKnownPlaces, alert (it raises route_stop); kind pickup | handover | delivery: at, source (step: a recorded step location; fix: a leg\'s end fix); kind approved_route (a LineString): approvedRouteId, name',
    }),
  })),
}, { description: 'The route on the road (GeoJSON FeatureCollection, docs/regulations.md#route-record): a LineString per carrier leg, stops and known places as Points' });
