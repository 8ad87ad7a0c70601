// Routes a regulator approved for a generator–receiver pair (docs/regulations.md#route-alerts).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { Cursor, DateString, Limit, Page, responses, Uuid } from '../http/schemas.js';
import { listApprovedRoutes, registerApprovedRoute } from './route-approvals.js';

const Point = Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false });

const NewApprovedRoute = Type.Object({
  generatorId: Uuid,
  receiverId: Uuid,
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '^\\S(.*\\S)?$' }),
  path: Type.Array(Point, { minItems: 2, maxItems: 5000, description: 'The approved road, from the generator to the receiver' }),
  validFrom: DateString,
  validTo: Type.Optional(DateString),
}, { additionalProperties: false });

const ApprovedRoute = Type.Object({
  id: Type.String(), generatorId: Type.String(), receiverId: Type.String(), regionCode: Type.String(), name: Type.String(),
  path: Type.Array(Type.Object({ lat: Type.Number(), lng: Type.Number() })), lengthKm: Type.Number(),
  validFrom: Type.String({ format: 'date' }), validTo: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const approvedRouteRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/approved-routes', {
    schema: {
      operationId: 'registerApprovedRoute', tags: ['supervision'],
      summary: 'Register the route approved for a generator–receiver pair (a registrar over the generator): their transfers\' corridor is measured from it',
      body: NewApprovedRoute, response: responses({ 201: ApprovedRoute }, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({ status: 201, body: await registerApprovedRoute(cmd, request.body) })));

  app.get('/api/v1/approved-routes', {
    schema: {
      operationId: 'listApprovedRoutes', tags: ['supervision'],
      summary: 'Approved routes: a regulator, of generators in its jurisdiction; a party, those it is generator or receiver of',
      querystring: Type.Object({ generatorId: Type.Optional(Uuid), receiverId: Type.Optional(Uuid), limit: Limit, cursor: Cursor }),
      response: responses({ 200: Page(ApprovedRoute) }, 401),
    },
  }, async (request) => listApprovedRoutes(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 }));
};
