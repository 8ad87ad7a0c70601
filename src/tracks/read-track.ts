// Reading the stored fixes and the step locations of manifests, for their routes. Every read names
// the time span of the legs, so that only the months it covers are scanned (the table is
// partitioned by month on the fix time).
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { readTogether } from '../db/read-together.js';
import type { LoadedManifest } from '../manifests/manifest-view.js';
import { legsOf, legWindow, type Leg } from './legs.js';
import { buildRoute, type Route, type StepPlace, type TrackPoint } from './route.js';
import type { TrackSettings } from './track-settings.js';
import { approvedRoutesFor, pairKey, pathOf, pickApproved } from './route-approvals.js';
import type { approvedRoutes } from '../db/schema.js';
import { shanghaiDate } from '../calendar/working-days.js';

const E6 = 1e6;

interface Span { manifestId: string; from: Date; to: Date }

function spanOf(manifestId: string, legs: Leg[], marginMs: number, now: Date): Span | undefined {
  if (legs.length === 0) return undefined;
  const windows = legs.map((l) => legWindow(l, marginMs, now));
  return { manifestId, from: windows[0].from, to: new Date(windows.reduce((max, w) => Math.max(max, w.to.getTime()), 0)) };
}

/** Plausible fixes by manifest and leg position, in time order. */
async function readFixes(db: DbOrTx, spans: Span[]): Promise<Map<string, Map<number, TrackPoint[]>>> {
  const out = new Map<string, Map<number, TrackPoint[]>>();
  if (spans.length === 0) return out;
  const from = new Date(spans.reduce((min, s) => Math.min(min, s.from.getTime()), Infinity));
  const to = new Date(spans.reduce((max, s) => Math.max(max, s.to.getTime()), 0));
  const { rows } = await db.execute<{ manifest_id: string; position: number; at: string; lat_e6: number; lng_e6: number }>(sql`
    SELECT manifest_id, position, at, lat_e6, lng_e6 FROM track_fixes
     WHERE manifest_id = ANY(${sql.param(spans.map((s) => s.manifestId))}::uuid[]) AND at >= ${from} AND at <= ${to} AND NOT implausible
     ORDER BY manifest_id, position, at`);
  for (const r of rows) {
    let byLeg = out.get(r.manifest_id);
    if (!byLeg) out.set(r.manifest_id, (byLeg = new Map()));
    let points = byLeg.get(r.position);
    if (!points) byLeg.set(r.position, (points = []));
    points.push({ at: new Date(r.at), lat: r.lat_e6 / E6, lng: r.lng_e6 / E6 });
  }
  return out;
}

/** Locations recorded with the manifest's container steps (pickup and receipt), by manifest. */
async function readStepPlaces(db: DbOrTx, ids: string[]): Promise<Map<string, StepPlace[]>> {
  const out = new Map<string, StepPlace[]>();
  if (ids.length === 0) return out;
  const { rows } = await db.execute<{ manifest_id: string; action: string; lat: number; lng: number; occurred_at: string }>(sql`
    SELECT manifest_id, action, lat, lng, occurred_at FROM label_steps
     WHERE manifest_id = ANY(${sql.param(ids)}::uuid[]) AND lat IS NOT NULL AND lng IS NOT NULL ORDER BY manifest_id, id`);
  for (const r of rows) {
    const list = out.get(r.manifest_id) ?? [];
    list.push({ action: r.action, lat: Number(r.lat), lng: Number(r.lng), at: new Date(r.occurred_at) });
    out.set(r.manifest_id, list);
  }
  return out;
}

/** What a route is built from: the manifest and its carriers (their takeovers make the legs). */
type RouteSource = Pick<LoadedManifest, 'm' | 'carriers'>;

/** The generator–receiver pair and day whose approved route applies to a manifest. */
const pairOf = (m: { generatorId: string; receiverId: string; pickedUpAt: Date | null; plannedAt: Date }) =>
  ({ generatorId: m.generatorId, receiverId: m.receiverId, day: shanghaiDate(m.pickedUpAt ?? m.plannedAt) });
const routeToFollow = (a: ApprovedRouteParts | undefined) => (a ? { id: a.id, name: a.name, points: pathOf(a) } : null);

/** The routes of several manifests in two queries. */
export async function routesOf(db: DbOrTx, loaded: RouteSource[], settings: TrackSettings, now = new Date()): Promise<Map<string, Route>> {
  return buildRoutes(db, loaded, settings, now, false);
}

/**
 * The routes of those manifests that have a fix in their legs' time span, the others left out: the
 * fixes are read first, and the step places and approved routes only for the manifests that have
 * some (the route alerts ask this of every transfer under way, most of which may have no fixes).
 */
export async function routesWithFixesOf(db: DbOrTx, loaded: RouteSource[], settings: TrackSettings, now = new Date()): Promise<Map<string, Route>> {
  return buildRoutes(db, loaded, settings, now, true);
}

async function buildRoutes(db: DbOrTx, loaded: RouteSource[], settings: TrackSettings, now: Date, withFixesOnly: boolean): Promise<Map<string, Route>> {
  const margin = settings.timeMarginMinutes * 60_000;
  const legs = new Map(loaded.map((l) => [l.m.id, legsOf(l)]));
  const spans = loaded.map((l) => spanOf(l.m.id, legs.get(l.m.id)!, margin, now)).filter((s): s is Span => Boolean(s));
  let fixes: Map<string, Map<number, TrackPoint[]>>;
  if (withFixesOnly) {
    fixes = await readFixes(db, spans);
    loaded = loaded.filter((l) => fixes.has(l.m.id));
    if (loaded.length === 0) return new Map();
  }
  const pairs = new Map(loaded.map((l) => [l.m.id, pairOf(l.m)]));
  const [read, steps, approved] = await readTogether(db,
    async () => (withFixesOnly ? fixes! : readFixes(db, spans)),
    () => readStepPlaces(db, loaded.map((l) => l.m.id)),
    () => approvedRoutesFor(db, [...pairs.values()]),
  );
  return new Map(loaded.map((l) => {
    const a = approved.get(pairKey(pairs.get(l.m.id)!));
    return [l.m.id, buildRoute(
      legs.get(l.m.id)!, read.get(l.m.id) ?? new Map(), steps.get(l.m.id) ?? [], l.m.deliveredAt !== null, settings,
      routeToFollow(a),
    )];
  }));
}

export async function routeOf(db: DbOrTx, loaded: LoadedManifest, settings: TrackSettings, now = new Date()): Promise<Route> {
  return (await routesOf(db, [loaded], settings, now)).get(loaded.m.id)!;
}

/**
 * What a route is built from, read by the caller (a label's trace reads them in its one statement):
 * the manifest's times and parties, its carriers, the locations its container steps recorded, and
 * its fixes over at least the span routesOf would read (they are cut to that span here).
 */
export interface RouteParts {
  id: string; generatorId: string; receiverId: string; plannedAt: Date; pickedUpAt: Date | null; deliveredAt: Date | null;
  carriers: Array<{ position: number; orgId: string; tookOverAt: Date | null }>;
  places: StepPlace[];
  fixes: Array<{ position: number; at: Date; latE6: number; lngE6: number }>;
}
export type ApprovedRouteParts = Pick<typeof approvedRoutes.$inferSelect, 'id' | 'generatorId' | 'receiverId' | 'name' | 'path' | 'validFrom' | 'validTo'>;

/** routesOf over parts already read: the same legs, fixes window, stops, places and approved route. */
export function routesFromParts(parts: RouteParts[], approvedNewestFirst: ApprovedRouteParts[], settings: TrackSettings, now: Date): Map<string, Route> {
  const margin = settings.timeMarginMinutes * 60_000;
  const legs = new Map(parts.map((p) => [p.id, legsOf({ m: p, carriers: p.carriers })]));
  const spans = parts.map((p) => spanOf(p.id, legs.get(p.id)!, margin, now)).filter((s): s is Span => Boolean(s));
  // readFixes' window: one span over every manifest's legs, fixes of manifests with legs only.
  const from = spans.reduce((min, s) => Math.min(min, s.from.getTime()), Infinity);
  const to = spans.reduce((max, s) => Math.max(max, s.to.getTime()), 0);
  const withLegs = new Set(spans.map((s) => s.manifestId));
  const pairs = new Map(parts.map((p) => [p.id, pairOf(p)]));
  const approved = pickApproved(approvedNewestFirst, [...pairs.values()]);
  return new Map(parts.map((p) => {
    const byLeg = new Map<number, TrackPoint[]>();
    if (withLegs.has(p.id)) {
      for (const f of p.fixes) {
        const t = f.at.getTime();
        if (t < from || t > to) continue;
        let points = byLeg.get(f.position);
        if (!points) byLeg.set(f.position, (points = []));
        points.push({ at: f.at, lat: f.latE6 / E6, lng: f.lngE6 / E6 });
      }
    }
    const a = approved.get(pairKey(pairs.get(p.id)!));
    return [p.id, buildRoute(legs.get(p.id)!, byLeg, p.places, p.deliveredAt !== null, settings, routeToFollow(a))];
  }));
}
