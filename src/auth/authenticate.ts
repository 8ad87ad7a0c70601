// The bearer-token check for every route under /api/v1 except the token endpoint itself.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import type { Caller } from './roles.js';
import { AppError } from '../core/errors.js';
import { verifyAccessToken } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export function authenticator(ctx: AppContext) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) throw new AppError('UNAUTHENTICATED', 'Send an access token as "Authorization: Bearer <token>"');
    const token = m[1];
    let verified = ctx.tokens.get(token);
    if (!verified) {
      verified = await verifyAccessToken(ctx.keys, ctx.config.jwt, token);
      ctx.tokens.set(token, verified);
    }
    const refusal = await ctx.clientStatus.refusal(verified.caller.clientId, verified.iat);
    if (refusal) throw new AppError('UNAUTHENTICATED', refusal);
    request.caller = verified.caller;
  };
}
