// Emergency plan filings of generators and operators (固废法 Art. 85, docs/regulations.md#emergency-plans).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { Cursor, DateString, IdParams, Limit, Page, responses } from '../http/schemas.js';
import { createFiling, listFilings } from './emergency-plans.js';

const Id = Type.String({ format: 'uuid' });
const Text = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^\\S(.*\\S)?$', description });

const NewEmergencyPlanFiling = Type.Object({
  number: Text(100, 'Filing number (备案编号) on the authority\'s receipt; unique'),
  authority: Text(200, 'The authority the plan is filed with (备案机关)'),
  /** Filing date: not after today. */
  filedOn: DateString,
  /** Last day the filed plan is valid: not before today nor filedOn. */
  validTo: DateString,
  siteId: Type.Optional(Type.String({ format: 'uuid', description: 'The organisation\'s site the plan is for; absent: the plan covers every site' })),
}, { additionalProperties: false });

const EmergencyPlanFiling = Type.Object({
  id: Id,
  orgId: Id,
  siteId: Type.Union([Id, Type.Null()]),
  number: Type.String(),
  authority: Type.String(),
  filedOn: DateString,
  validTo: DateString,
  regionCode: Type.String({ description: 'The site\'s region, or the organisation\'s for a whole-organisation filing' }),
  inForce: Type.Boolean({ description: 'filedOn ≤ today (Asia/Shanghai) ≤ validTo' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const emergencyPlanRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/orgs/:id/emergency-plans', {
    schema: {
      operationId: 'createEmergencyPlanFiling', tags: ['parties'],
      summary: 'Register the filing of an emergency plan (应急预案备案, 固废法 Art. 85) of a generator or operator (registrar)',
      params: IdParams, body: NewEmergencyPlanFiling, response: responses({ 201: EmergencyPlanFiling }, 401, 403, 404, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await createFiling(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/orgs/:id/emergency-plans', {
    schema: {
      operationId: 'listEmergencyPlanFilings', tags: ['parties'], summary: 'Emergency plan filings of an organisation (itself or its regulator)',
      params: IdParams, querystring: Type.Object({ limit: Limit, cursor: Cursor }),
      response: responses({ 200: Page(EmergencyPlanFiling) }, 401, 404),
    },
  }, (request) => listFilings(ctx.db, request.caller, request.params.id, { ...request.query, limit: request.query.limit ?? 50 }));
};
