import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { Cursor, IdParams, Limit, Page, responses, OneOf } from '../http/schemas.js';
import { ORG_ROLES, CLIENT_ROLES } from '../auth/roles.js';
import { createOrg, GENERATOR_CLASSES, listOrgs, MEDICAL_TIERS, readOrg } from './organisations.js';
import { createClient, disableClient, listClients, rotateSecret } from './clients.js';
import { USCC_PATTERN } from './uscc.js';

const RegionCode = Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code' });

const NewOrg = Type.Object({
  uscc: Type.String({ minLength: 18, maxLength: 18, description: 'Unified social credit code; the check character is verified' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  roles: Type.Array(OneOf(ORG_ROLES), { minItems: 1, uniqueItems: true }),
  regionCode: RegionCode,
  generatorClass: Type.Optional(OneOf(GENERATOR_CLASSES)),
  medicalTier: Type.Optional(OneOf(MEDICAL_TIERS)),
  contact: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), phone: Type.String({ minLength: 3, maxLength: 40 }) }, { additionalProperties: false }),
  address: Type.String({ minLength: 1, maxLength: 300 }),
}, { additionalProperties: false });

const PublicOrg = Type.Object({
  id: Type.String({ format: 'uuid' }),
  uscc: Type.String({ pattern: USCC_PATTERN }),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  regionCode: Type.String(),
  generatorClass: Type.Union([Type.String(), Type.Null()]),
  medicalTier: Type.Union([Type.String(), Type.Null()]),
  contact: Type.Optional(Type.Object({ name: Type.String(), phone: Type.String() })),
  address: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String({ format: 'date-time' })),
  version: Type.Optional(Type.Integer()),
}, { description: 'Contact, address and version appear only to the organisation itself and its regulators' });

const ClientView = Type.Object({
  clientId: Type.String(),
  orgId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  roles: Type.Array(Type.String()),
  kind: Type.String({ description: 'system | handset' }),
  disabled: Type.Boolean(),
  rotatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the secret was last rotated' }),
  createdAt: Type.String({ format: 'date-time' }),
});
const NewSecretResult = Type.Object({
  ...ClientView.properties,
  clientSecret: Type.Optional(Type.String({ description: 'Shown once, in this response only; stored only as a hash. Absent when an Idempotency-Key retry replays the response' })),
  credentialNote: Type.Optional(Type.String({ description: 'On a replay: the secret is not repeated; the Link header (rel="rotate") names the rotation' })),
});

const ClientIdParams = Type.Object({ clientId: Type.String({ minLength: 1, maxLength: 100 }) });

export const orgRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/orgs', {
    schema: {
      operationId: 'createOrganisation', tags: ['parties'], summary: 'Register an organisation (registrar)',
      body: NewOrg, response: responses({ 201: PublicOrg }, 401, 403, 409),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({ status: 201, body: await createOrg(cmd, request.body) })));

  app.get('/api/v1/orgs', {
    schema: {
      operationId: 'listOrganisations', tags: ['parties'], summary: 'Organisations: a regulator sees its jurisdiction, others a public directory',
      querystring: Type.Object({ role: Type.Optional(OneOf(ORG_ROLES)), regionCode: Type.Optional(Type.String({ pattern: '^\\d{1,6}$' })), limit: Limit, cursor: Cursor }),
      response: responses({ 200: Page(PublicOrg) }, 401),
    },
  }, (request) => listOrgs(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 50 }));

  app.get('/api/v1/orgs/:id', {
    schema: {
      operationId: 'getOrganisation', tags: ['parties'], summary: 'One organisation',
      params: IdParams, response: responses({ 200: PublicOrg }, 401, 404),
    },
  }, (request) => readOrg(ctx.db, request.caller, request.params.id));

  app.post('/api/v1/orgs/:id/clients', {
    schema: {
      operationId: 'createClient', tags: ['parties'], summary: 'Create a client (machine credential); its secret is shown once',
      params: IdParams,
      body: Type.Object({
        name: Type.String({ minLength: 1, maxLength: 100 }),
        roles: Type.Array(OneOf(CLIENT_ROLES), { minItems: 1, uniqueItems: true }),
        // handset: a device in the field, whose custody steps must name the person handling them (HANDLED_BY_REQUIRED).
        kind: Type.Optional(OneOf(['system', 'handset'] as const)),
      }, { additionalProperties: false }),
      response: responses({ 201: NewSecretResult }, 401, 403, 404),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => {
    const { shown, replayed, headers } = await createClient(cmd, request.params.id, request.body);
    return { status: 201, body: shown, replayBody: replayed, headers };
  }));

  app.get('/api/v1/orgs/:id/clients', {
    schema: {
      operationId: 'listClients', tags: ['parties'], summary: 'The organisation\'s clients (its admin, or its regulator)',
      params: IdParams, response: responses({ 200: Type.Object({ items: Type.Array(ClientView) }) }, 401, 403, 404),
    },
  }, (request) => listClients(ctx.db, request.caller, request.params.id));

  app.post('/api/v1/clients/:clientId/rotate-secret', {
    schema: {
      operationId: 'rotateClientSecret', tags: ['parties'],
      summary: 'Give a client a new secret (shown once); the old secret and tokens issued before now stop working',
      params: ClientIdParams,
      response: responses({ 200: NewSecretResult }, 401, 403, 404, 409),
    },
  }, async (request, reply) => {
    const sent = await runCommand(ctx, request, reply, async (cmd) => {
      const { shown, replayed, headers } = await rotateSecret(cmd, request.params.clientId);
      return { status: 200, body: shown, replayBody: replayed, headers };
    });
    ctx.clientStatus.forget(request.params.clientId); // after the commit: old tokens refused at once here
    return sent;
  });

  app.post('/api/v1/clients/:clientId/disable', {
    schema: {
      operationId: 'disableClient', tags: ['parties'], summary: 'Disable a client; its tokens stop working',
      params: ClientIdParams,
      response: responses({ 200: ClientView }, 401, 403, 404),
    },
  }, async (request, reply) => {
    const sent = await runCommand(ctx, request, reply, async (cmd) => ({ status: 200, body: await disableClient(cmd, request.params.clientId) }));
    ctx.clientStatus.forget(request.params.clientId); // after the commit, so no stale "enabled" is cached
    return sent;
  });
};
