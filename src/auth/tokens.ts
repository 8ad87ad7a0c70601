// Access tokens: EdDSA JWTs issued to clients, verified once per token and then cached.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { signerKey, type KeyRing } from './keys.js';
import type { Caller, ClientRole, OrgRole } from './roles.js';
import { jurisdictionOf } from './roles.js';
import { AppError } from '../http/errors.js';

export interface TokenSettings { issuer: string; audience: string; ttlSeconds: number }

interface Claims { org: string; roles: ClientRole[]; orgRoles: OrgRole[]; region: string }

export async function issueAccessToken(keys: KeyRing, s: TokenSettings, caller: Omit<Caller, 'jurisdiction'>) {
  const claims: Claims = { org: caller.orgId, roles: caller.roles, orgRoles: caller.orgRoles, region: caller.regionCode };
  const accessToken = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.signing.kid, typ: 'at+jwt' })
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setSubject(caller.clientId)
    .setIssuedAt()
    .setExpirationTime(`${s.ttlSeconds}s`)
    .sign(keys.signing.key);
  return { accessToken, tokenType: 'Bearer' as const, expiresIn: s.ttlSeconds };
}

const unauthenticated = (detail: string) => new AppError('UNAUTHENTICATED', detail);

/** Verifies signature (EdDSA only, known kid), issuer, audience and expiry. */
export async function verifyAccessToken(keys: KeyRing, s: TokenSettings, token: string): Promise<{ caller: Caller; exp: number }> {
  const key = signerKey(keys, token);
  if (key === 'malformed') throw unauthenticated('The bearer token is not a JWT');
  if (key === 'unknown') throw unauthenticated('The bearer token was not signed by a key of this service');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer: s.issuer,
      audience: s.audience,
      requiredClaims: ['sub', 'exp', 'org', 'roles'],
      typ: 'at+jwt',
    });
    const c = payload as unknown as Claims & { sub: string; exp: number };
    const caller: Caller = {
      clientId: c.sub,
      orgId: c.org,
      roles: c.roles,
      orgRoles: c.orgRoles ?? [],
      regionCode: c.region,
      jurisdiction: jurisdictionOf(c.orgRoles ?? [], c.region),
    };
    return { caller, exp: c.exp };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw unauthenticated('The bearer token has expired');
    throw unauthenticated('The bearer token is not valid');
  }
}

/**
 * Verified tokens, kept until they expire so a busy handset pays for one signature check per token.
 * Bounded: the oldest entries go first.
 */
export class TokenCache {
  private readonly entries = new Map<string, { caller: Caller; exp: number }>();
  constructor(private readonly max = 10_000) {}
  get(token: string): Caller | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.exp * 1000 <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return hit.caller;
  }
  set(token: string, value: { caller: Caller; exp: number }): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, value);
  }
}
