import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import type { RouteModule } from '../context.js';
import { clients, organisations } from '../db/schema.js';
import { AppError } from '../core/errors.js';
import { responses } from '../http/schemas.js';
import { verifySecret } from './secrets.js';
import { issueAccessToken } from './tokens.js';
import { LoginThrottle } from './login-throttle.js';
import type { ClientRole, OrgRole } from './roles.js';

const TokenRequest = Type.Object({
  clientId: Type.String({ minLength: 1, maxLength: 100 }),
  clientSecret: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });

const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer(),
});

const Jwks = Type.Object({
  keys: Type.Array(Type.Object({
    kty: Type.String(), crv: Type.String(), x: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String(),
  })),
});

export const authRoutes: RouteModule = (app, ctx) => {
  const throttle = new LoginThrottle();

  app.post('/api/v1/auth/token', {
    schema: {
      operationId: 'issueToken',
      tags: ['auth'],
      summary: 'Exchange client credentials for an access token (EdDSA JWT, at most 1 h)',
      security: [],
      body: TokenRequest,
      response: responses({ 200: TokenResponse }, 401, 429),
    },
    config: {
      // Keyed by address only: keyed by client id, anyone could lock a client out by guessing.
      rateLimit: { max: ctx.config.tokenRateLimitPerMinute, timeWindow: '1 minute', keyGenerator: (req) => `token:${req.ip}` },
    },
  }, async (request, reply) => {
    const { clientId, clientSecret } = request.body;
    // RFC 6749 §5.1: a response carrying a token must not be stored by any cache.
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const wait = throttle.retryAfterS(clientId, request.ip);
    if (wait !== undefined) {
      reply.header('retry-after', String(wait));
      throw new AppError('RATE_LIMITED', `Too many failed attempts for this client from your address; retry in ${wait} s`);
    }
    const [row] = await ctx.db
      .select({ client: clients, org: organisations })
      .from(clients)
      .innerJoin(organisations, eq(organisations.id, clients.orgId))
      .where(eq(clients.id, clientId));
    const ok = row && row.client.disabledAt === null && (await verifySecret(clientSecret, row.client.secretHash));
    if (!ok) {
      throttle.failed(clientId, request.ip);
      throw new AppError('UNAUTHENTICATED', 'Unknown client, wrong secret or disabled client');
    }
    throttle.succeeded(clientId, request.ip);
    return issueAccessToken(ctx.keys, ctx.config.jwt, {
      clientId,
      orgId: row.org.id,
      roles: row.client.roles as ClientRole[],
      orgRoles: row.org.roles as OrgRole[],
      regionCode: row.org.regionCode,
      handset: row.client.kind === 'handset',
    });
  });

  app.get('/.well-known/jwks.json', {
    schema: {
      operationId: 'getJwks',
      tags: ['auth'],
      summary: 'Public keys that verify access tokens, QR tokens and audit checkpoints',
      security: [],
      response: { 200: Jwks },
    },
  }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return ctx.keys.jwks;
  });
};
