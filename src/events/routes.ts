// The event feed for regulators and the exchange with the provincial and national systems.
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { invalid } from '../core/errors.js';
import { Cursor, Limit, responses } from '../http/schemas.js';
import { effectivePrefix } from '../supervision/jurisdiction.js';
import { EVENT_TYPES, EventSchema } from './catalogue.js';
import { readFeed } from './feed.js';
import { eventView } from './render.js';

/** `types=a.b,c.d` as a list of catalogued types; a 400 naming an unknown one. */
function typesOf(raw: string | undefined): string[] | undefined {
  if (!raw) return undefined;
  const types = raw.split(',').map((t) => t.trim()).filter(Boolean);
  const unknown = types.filter((t) => !EVENT_TYPES.includes(t));
  if (unknown.length) throw invalid(`Unknown event types: ${unknown.join(', ')}`, [{ path: 'query.types', message: `not in the event catalogue: ${unknown.join(', ')}` }]);
  return types;
}

export const eventRoutes: RouteModule = (app, ctx) => {
  app.get('/api/v1/events', {
    schema: {
      operationId: 'listEvents', tags: ['events'],
      summary: 'Events of your jurisdiction in commit order, from a cursor (resumable after any outage)',
      description: 'Poll with `after` set to the `next` of the previous page. `next` is returned even when the page is empty, '
        + 'so a poller always knows where to resume; `more` says whether another page is ready now. See docs/events.md.',
      querystring: Type.Object({
        after: Cursor,
        types: Type.Optional(Type.String({ maxLength: 2000, description: 'Comma-separated event types (docs/events.md)' })),
        regionCode: Type.Optional(Type.String({ pattern: '^\\d{2,6}$', description: 'Region code or prefix inside your jurisdiction' })),
        limit: Limit,
      }),
      response: responses({
        200: Type.Object({ items: Type.Array(EventSchema), next: Type.Union([Type.String(), Type.Null()]), more: Type.Boolean() }),
      }, 400, 401, 403, 404),
    },
  }, async (request) => {
    const prefix = effectivePrefix(request.caller, request.query.regionCode);
    const { rows, next, more } = await readFeed(ctx.db, {
      prefix, types: typesOf(request.query.types), after: request.query.after, limit: request.query.limit ?? 50,
    });
    return { items: rows.map((e) => eventView(e, ctx.config.publicBaseUrl)), next, more };
  });
};
