// A carrier's GPS fixes for its leg, and the route drawn (docs/regulations.md#route-record).
import { inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { organisations } from '../db/schema.js';
import { IdParams, responses } from '../http/schemas.js';
import { loadVisibleManifest } from '../manifests/manifest-view.js';
import { recordFixes } from './record-fixes.js';
import { routeOf } from './read-track.js';
import { routeSvg } from './route-svg.js';
import { TrackAnswer, TrackBody } from './schemas.js';

export const trackRoutes: RouteModule = (app, ctx) => {
  const settings = ctx.config.tracks;

  app.post('/api/v1/manifests/:id/track', {
    schema: {
      operationId: 'postTrackFixes', tags: ['manifests'],
      summary: 'GPS fixes of the caller\'s leg (carrier driver or operator): up to 1,000, idempotent per fix, out of order and late',
      description: 'Each fix must lie in China and within the caller\'s leg (its takeover to the next takeover or the delivery) ± TRACK_TIME_MARGIN_MINUTES. '
        + 'A batch with any such fix is refused whole (400; `errors` names each fix and why; nothing stored). A fix faster than TRACK_MAX_SPEED_KMH from its predecessor is stored flagged implausible.',
      params: IdParams, body: TrackBody, response: responses({ 200: TrackAnswer }, 401, 403, 404, 422),
    },
  }, async (request) => recordFixes(ctx.db, ctx.database.pool, request.caller, settings, request.params.id, request.body.fixes));

  app.get('/api/v1/manifests/:id/route.svg', {
    schema: {
      operationId: 'getManifestRouteSvg', tags: ['manifests'], summary: 'The route drawn: legs, stops, pickup, handovers and delivery, with a scale bar',
      params: IdParams, response: responses({ 200: Type.String({ description: 'image/svg+xml' }) }, 401, 404),
    },
  }, async (request, reply) => {
    const loaded = await loadVisibleManifest(ctx.db, request.caller, request.params.id);
    const ids = [...new Set(loaded.carriers.map((c) => c.orgId))];
    const [route, names] = await Promise.all([
      routeOf(ctx.db, loaded, settings),
      ids.length ? ctx.db.select({ id: organisations.id, name: organisations.name }).from(organisations).where(inArray(organisations.id, ids)) : [],
    ]);
    const title = `Route of manifest ${loaded.m.number ?? loaded.m.id}`;
    return reply.type('image/svg+xml').send(routeSvg(route, title, new Map(names.map((n) => [n.id, n.name]))));
  });
};
