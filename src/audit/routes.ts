import { and, asc, eq, gt, gte, like, lte, or, sql, type SQL } from 'drizzle-orm';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { auditEntries } from '../db/schema.js';
import { Cursor, responses, DateTime } from '../http/schemas.js';
import { listAuditEntries } from './queries.js';
import { isRegulator, requireOrgRole } from '../auth/roles.js';
import { verifyAudit } from './verify.js';
import { CHECKPOINT_TYP, currentCheckpoint } from './checkpoints.js';
import { CHECKPOINT_VIEW_TYP, checkpointViewFor } from './checkpoint-view.js';

const Entry = Type.Object({
  seq: Type.Integer(),
  chain: Type.String({ description: 'Region code whose chain holds the entry' }),
  chainSeq: Type.Integer(),
  recordedAt: Type.String({ format: 'date-time' }),
  orgId: Type.Union([Type.String(), Type.Null()]),
  clientId: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  entityType: Type.String(),
  entityId: Type.String(),
  action: Type.String(),
  outcome: Type.Union([Type.Literal('applied'), Type.Literal('refused')]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  prevHash: Type.String(),
  hash: Type.String(),
  hashScheme: Type.Integer({ description: 'How the hash was computed (1: SHA-256 over the JCS text of the entry without seq, hash and hashScheme)' }),
});

export const auditRoutes: RouteModule = (app, ctx) => {
  app.get('/api/v1/audit', {
    schema: {
      operationId: 'listAuditEntries', tags: ['audit'],
      summary: 'Audit entries, oldest first: regulators see their jurisdiction; parties their own actions and entries about what they are party to',
      querystring: Type.Object({
        entityType: Type.Optional(Type.String({ maxLength: 50 })),
        entityId: Type.Optional(Type.String({ maxLength: 100 })),
        from: Type.Optional(DateTime),
        to: Type.Optional(DateTime),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        cursor: Cursor,
      }),
      response: responses({ 200: Type.Object({ items: Type.Array(Entry), nextCursor: Type.Union([Type.String(), Type.Null()]) }) }, 401),
    },
  }, async (request) => listAuditEntries(ctx.db, request.caller, { ...request.query, limit: request.query.limit ?? 100 }));

  app.get('/api/v1/audit/verify', {
    schema: {
      operationId: 'verifyAuditTrail', tags: ['audit'],
      summary: 'Recompute the hash chains of the caller\'s jurisdiction, hold them against the latest signed checkpoint, and name the first break',
      description: 'Besides recomputing every hash, each chain of the caller\'s jurisdiction is held against the latest '
        + 'signed checkpoint: the chain must still hold the entry the checkpoint recorded as its head, with the same '
        + 'hash. A tail deleted together with its head moved back is named here (`brokenChain`, with no '
        + '`firstBrokenSeq` when the entries are gone). The checkpoint check covers whole chains whatever `fromSeq`/`toSeq` say.',
      querystring: Type.Object({
        fromSeq: Type.Optional(Type.Integer({ minimum: 1 })),
        toSeq: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
      response: responses({
        200: Type.Object({
          ok: Type.Boolean(), checked: Type.Integer(), chains: Type.Integer(),
          firstBrokenSeq: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
          brokenChain: Type.Optional(Type.String()), reason: Type.Optional(Type.String()),
          checkpointAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
            description: 'When the latest checkpoint, which the chains were held against, was signed; null when none has been signed yet',
          }),
        }),
      }, 401, 403),
    },
  }, async (request) => {
    requireOrgRole(request.caller, 'regulator');
    const r = await verifyAudit(ctx.db, ctx.keys, request.caller.jurisdiction!, request.query.fromSeq, request.query.toSeq);
    return { ...r, ...(r.ok ? {} : { firstBrokenSeq: r.firstBrokenSeq ?? null }) };
  });

  const ChainHead = Type.Object({ chain: Type.String(), headSeq: Type.Integer(), headHash: Type.String() });
  app.get('/api/v1/audit/checkpoints/latest', {
    schema: {
      operationId: 'getLatestAuditCheckpoint', tags: ['audit'],
      summary: 'The latest signed (JWS, EdDSA) checkpoint of the audit chain heads of the caller\'s jurisdiction; verify it with /.well-known/jwks.json',
      description: 'Checkpoints are signed on a schedule (`AUDIT_CHECKPOINT_INTERVAL_S`) and on this request, whenever '
        + 'a chain head moved. A regulator whose jurisdiction covers every chain receives the stored checkpoint '
        + `(typ ${CHECKPOINT_TYP}, every chain). Any other regulator receives a statement signed for it (typ ${CHECKPOINT_VIEW_TYP}) `
        + 'with the same `iat` and head values, listing only the chains of its jurisdiction, so that no district sees another\'s heads. '
        + 'In both cases `payload` is exactly what `jws` signs.',
      response: responses({
        200: Type.Object({
          jws: Type.String({ description: 'Compact JWS whose payload is `payload`' }),
          payload: Type.Object({
            iss: Type.String(), iat: Type.Integer({ description: 'When the checkpoint was signed (seconds since the epoch)' }),
            jurisdiction: Type.Optional(Type.String({ description: 'Present when the statement covers only the chains of this region-code prefix' })),
            checkpoint: Type.Optional(Type.String({ description: 'With `jurisdiction`: base64url SHA-256 of the full checkpoint JWS the heads come from' })),
            chains: Type.Array(ChainHead, { description: 'The head of every chain of the caller\'s jurisdiction at `iat`' }),
          }),
        }),
      }, 401, 403),
    },
  }, async (request) => {
    requireOrgRole(request.caller, 'regulator');
    const cp = await currentCheckpoint(ctx.db, ctx.keys, ctx.config.jwt.issuer);
    return checkpointViewFor(ctx.keys, cp, request.caller.jurisdiction!);
  });
};
