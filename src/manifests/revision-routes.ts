// Revision requests over HTTP (docs/regulations.md#manifest-corrections).
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { runCommand } from '../http/command.js';
import { IdParams, Limit, OneOf, responses, Uuid } from '../http/schemas.js';
import { CONTAINER_FIELDS } from './revision-changes.js';
import { decideRevision, listRevisions, proposeRevision, supervisedRevisions, withdrawRevision } from './revisions.js';
import { effectivePrefix } from '../supervision/jurisdiction.js';

const S = Type.String();
const NDT = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);
const Values = Type.Object({
  intendedMethod: Type.Optional(Type.Union([S, Type.Null()])),
  containers: Type.Array(Type.Record(S, Type.Unknown())),
});

const Revision = Type.Object({
  id: S, manifestId: S, state: Type.String({ description: 'open | approved | refused | withdrawn' }), reason: S,
  proposedBy: Type.Object({ orgId: S, clientId: S }),
  changes: Values, before: Type.Object(Values.properties, { description: 'The values the changes replace, as they were when proposed' }),
  manifestVersion: Type.Integer({ description: 'The manifest\'s version when proposed' }),
  appliedVersion: Type.Union([Type.Integer(), Type.Null()], { description: 'The manifest version the approved correction made' }),
  approvers: Type.Array(S, { description: 'Organisations that must approve: every party but the proposer' }),
  awaiting: Type.Array(S),
  decisions: Type.Array(Type.Object({
    orgId: S, clientId: S, decision: S, asRegulator: Type.Boolean(), comment: S, decidedAt: Type.String({ format: 'date-time' }),
  })),
  createdAt: Type.String({ format: 'date-time' }), closedAt: NDT,
});

const RevisionParams = Type.Object({ id: Uuid, rid: Uuid });
const DecisionBody = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

export const revisionRoutes: RouteModule = (app, ctx) => {
  const tolerance = ctx.config.weightTolerancePct;

  app.post('/api/v1/manifests/:id/revisions', {
    schema: {
      operationId: 'proposeManifestRevision', tags: ['manifests'],
      summary: 'Propose a correction of a received, rejected or completed manifest (a party; the other parties approve)',
      description: `changes: { intendedMethod?, containers?: [{ labelId, ${CONTAINER_FIELDS.map((f) => `${f}?`).join(', ')} }] }. Any other field is refused with rule revision_field. `
        + 'accepted corrects the receipt outcome (refusalReason required when refused), only while the container is where the receipt left it: else rule revision_outcome_custody.',
      params: IdParams,
      body: Type.Object({
        reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
        changes: Type.Record(S, Type.Unknown(), { description: 'The corrected values (checked by the rules, not the schema, so a refusal names the rule)' }),
      }, { additionalProperties: false }),
      response: responses({ 201: Revision }, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 201, body: await proposeRevision(cmd, request.params.id, request.body),
  })));

  app.get('/api/v1/manifests/:id/revisions', {
    schema: {
      operationId: 'listManifestRevisions', tags: ['manifests'], summary: 'The manifest\'s revision requests, newest first, with their decisions',
      params: IdParams, response: responses({ 200: Type.Object({ items: Type.Array(Revision) }) }, 401, 404),
    },
  }, (request) => listRevisions(ctx.db, request.caller, request.params.id));

  for (const decision of ['approve', 'refuse'] as const) {
    app.post(`/api/v1/manifests/:id/revisions/:rid/${decision}`, {
      schema: {
        operationId: `${decision}ManifestRevision`, tags: ['manifests'],
        summary: decision === 'approve'
          ? 'Approve a revision request (a party other than the proposer); the last approval applies it'
          : 'Refuse a revision request (a party other than the proposer, or the regulator of the generator\'s region); nothing changes',
        params: RevisionParams, body: DecisionBody, response: responses({ 200: Revision }, 401, 403, 404, 422),
      },
    }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
      status: 200, body: await decideRevision(cmd, request.params.id, request.params.rid, decision, request.body ?? {}, tolerance),
    })));
  }

  app.get('/api/v1/supervision/manifest-revisions', {
    schema: {
      operationId: 'listSupervisedManifestRevisions', tags: ['supervision'],
      summary: 'Revision requests of the manifests leaving or entering your jurisdiction, newest first (regulators)',
      querystring: Type.Object({
        state: Type.Optional(OneOf(['open', 'approved', 'refused', 'withdrawn'])),
        regionCode: Type.Optional(Type.String({ pattern: '^\\d{2,6}$' })),
        limit: Limit,
      }, { additionalProperties: false }),
      response: responses({
        200: Type.Object({ items: Type.Array(Type.Object({ ...Revision.properties, manifestNumber: Type.Union([S, Type.Null()]), manifestRegionCode: S })) }),
      }, 401, 403, 404),
    },
  }, (request) => supervisedRevisions(ctx.db, effectivePrefix(request.caller, request.query.regionCode), request.query.state, request.query.limit ?? 50));

  app.post('/api/v1/manifests/:id/revisions/:rid/withdraw', {
    schema: {
      operationId: 'withdrawManifestRevision', tags: ['manifests'], summary: 'Withdraw an open revision request (its proposer); nothing changes',
      params: RevisionParams, response: responses({ 200: Revision }, 401, 403, 404, 422),
    },
  }, (request, reply) => runCommand(ctx, request, reply, async (cmd) => ({
    status: 200, body: await withdrawRevision(cmd, request.params.id, request.params.rid),
  })));
};
