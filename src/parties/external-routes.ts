// Parties beyond the jurisdiction and their cross-province approvals over HTTP
// (docs/regulations.md#external-parties).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { DateString, IdParams, OneOf, responses } from '../http/schemas.js';
import { createExternalParty, EXTERNAL_ROLES } from './external-parties.js';
import { createApproval, readApproval } from '../manifests/cross-province.js';

const Text = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^\\S(.*\\S)?$', ...(description ? { description } : {}) });
const Id = Type.String({ format: 'uuid' });

const NewExternalParty = Type.Object({
  uscc: Type.String({ minLength: 18, maxLength: 18, description: 'Unified social credit code; the check character is verified' }),
  name: Text(200),
  roles: Type.Array(OneOf(EXTERNAL_ROLES), { minItems: 1, uniqueItems: true }),
  regionCode: Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code, outside the registrar\'s jurisdiction (another city of Shanxi, or another province)' }),
  contact: Type.Object({
    name: Text(100), phone: Type.String({ minLength: 3, maxLength: 40 }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200, description: 'Where receipt links are addressed; the phone when absent' })),
  }, { additionalProperties: false }),
  address: Text(300),
  licence: Type.Object({
    number: Text(100, 'The licence number as the party declared it'),
    issuingAuthority: Text(200),
    validFrom: DateString,
    validTo: DateString,
  }, { additionalProperties: false, description: 'The licence (operating licence for a receiver, transport licence for a carrier) as declared: issued by another region, not checked by our registrar' }),
}, { additionalProperties: false });

const ExternalParty = Type.Object({
  id: Id, uscc: Type.String(), name: Type.String(), roles: Type.Array(Type.String()), regionCode: Type.String(),
  generatorClass: Type.Union([Type.String(), Type.Null()]), medicalTier: Type.Union([Type.String(), Type.Null()]),
  contact: Type.Object({ name: Type.String(), phone: Type.String() }), contactEmail: Type.Union([Type.String(), Type.Null()]),
  address: Type.String(), createdAt: Type.String({ format: 'date-time' }), version: Type.Integer(),
  external: Type.Boolean(),
  declaredLicence: Type.Union([Type.Object({ number: Type.String(), issuingAuthority: Type.String(), validFrom: DateString, validTo: DateString }), Type.Null()]),
});

const NewApproval = Type.Object({
  number: Text(100, 'The approval document\'s number; unique'),
  issuingAuthority: Text(200, 'The provincial authority that approved the transfer'),
  generatorId: Id,
  receiverId: Id,
  wasteCodes: Type.Array(Type.String({ pattern: '^\\d{3}-\\d{3}-\\d{2}$' }), { minItems: 1, maxItems: 200, uniqueItems: true }),
  approvedKg: Type.Integer({ minimum: 1, maximum: 1e13, description: 'The approved total quantity, for all trips' }),
  validFrom: DateString,
  validTo: DateString,
}, { additionalProperties: false });

const Approval = Type.Object({
  id: Id, number: Type.String(), issuingAuthority: Type.String(), generatorId: Id, receiverId: Id,
  wasteCodes: Type.Array(Type.String()), approvedKg: Type.Integer(), consumedKg: Type.Number({ description: 'Accepted at receipts so far' }),
  remainingKg: Type.Number(), validFrom: DateString, validTo: DateString, regionCode: Type.String(),
  createdAt: Type.String({ format: 'date-time' }), version: Type.Integer(),
});

export const externalPartyRoutes: RouteModule = (app, ctx) => {
  app.post('/api/v1/external-parties', {
    schema: {
      operationId: 'registerExternalParty', tags: ['parties'],
      summary: 'Register a receiver or carrier beyond the jurisdiction, with its licence as declared (registrar); it gets no clients',
      body: NewExternalParty, response: responses({ 201: ExternalParty }, 400, 401, 403, 409, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({ status: 201, body: await createExternalParty(cmd, request.body) })));

  app.post('/api/v1/cross-province-approvals', {
    schema: {
      operationId: 'registerCrossProvinceApproval', tags: ['parties'],
      summary: 'Register a 跨省转移 approval for a generator of the jurisdiction and a receiver in another province (registrar); at most 12 months',
      body: NewApproval, response: responses({ 201: Approval }, 400, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({ status: 201, body: await createApproval(cmd, request.body) })));

  app.get('/api/v1/cross-province-approvals/:id', {
    schema: {
      operationId: 'getCrossProvinceApproval', tags: ['parties'],
      summary: 'One cross-province approval with the quantity consumed (its generator, receiver and regulators)',
      params: IdParams, response: responses({ 200: Approval }, 401, 404),
    },
  }, (request) => readApproval(ctx.db, request.caller, request.params.id));
};
