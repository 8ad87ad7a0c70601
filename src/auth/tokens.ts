// Access tokens: EdDSA JWTs issued to clients, verified once per token and then cached.
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { signerKey, type KeyRing } from './keys.js';
import { CLIENT_ROLES, ORG_ROLES, jurisdictionOf, type Caller, type ClientRole, type OrgRole } from './roles.js';
import { AppError } from '../core/errors.js';

export interface TokenSettings { issuer: string; audience: string; ttlSeconds: number }

interface Claims { org: string; roles: ClientRole[]; orgRoles: OrgRole[]; region: string; handset?: true }

export async function issueAccessToken(keys: KeyRing, s: TokenSettings, caller: Omit<Caller, 'jurisdiction'>) {
  const claims: Claims = {
    org: caller.orgId, roles: caller.roles, orgRoles: caller.orgRoles, region: caller.regionCode,
    ...(caller.handset ? { handset: true as const } : {}),
  };
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

/** What a verified token says: who calls, until when, and when it was issued (for rotations). */
export interface VerifiedToken { caller: Caller; exp: number; iat: number }

const isStringArrayOf = (v: unknown, allowed: readonly string[]) =>
  Array.isArray(v) && v.length <= allowed.length && v.every((x) => typeof x === 'string' && allowed.includes(x));

/**
 * A signature proves who issued the token, not that its claims have the shapes the code relies on
 * (a key leaked to, or misused by, another issuer of ours could sign anything): check them too.
 */
function wellFormed(c: Record<string, unknown>): boolean {
  return typeof c.sub === 'string' && /^[\x21-\x7e]{1,100}$/.test(c.sub)
    && typeof c.org === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(c.org)
    && typeof c.region === 'string' && /^\d{6}$/.test(c.region)
    && isStringArrayOf(c.roles, CLIENT_ROLES) && (c.roles as unknown[]).length > 0
    && (c.orgRoles === undefined || isStringArrayOf(c.orgRoles, ORG_ROLES))
    && (c.handset === undefined || c.handset === true)
    && typeof c.iat === 'number' && Number.isInteger(c.iat)
    && typeof c.exp === 'number' && Number.isInteger(c.exp);
}

/** Verifies signature (EdDSA only, known kid), issuer, audience, expiry and the claims' types. */
export async function verifyAccessToken(keys: KeyRing, s: TokenSettings, token: string): Promise<VerifiedToken> {
  const key = signerKey(keys, token);
  if (key === 'malformed') throw unauthenticated('The bearer token is not a JWT');
  if (key === 'unknown') throw unauthenticated('The bearer token was not signed by a key of this service');
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      issuer: s.issuer,
      audience: s.audience,
      requiredClaims: ['sub', 'exp', 'iat', 'org', 'roles', 'region'],
      typ: 'at+jwt',
    });
    if (!wellFormed(payload)) throw unauthenticated('The bearer token\'s claims are not well-formed');
    const c = payload as unknown as Claims & { sub: string; exp: number; iat: number };
    const caller: Caller = {
      clientId: c.sub,
      orgId: c.org,
      roles: c.roles,
      orgRoles: c.orgRoles ?? [],
      regionCode: c.region,
      jurisdiction: jurisdictionOf(c.orgRoles ?? [], c.region),
      ...(c.handset ? { handset: true } : {}),
    };
    return { caller, exp: c.exp, iat: c.iat };
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw unauthenticated('The bearer token has expired');
    throw unauthenticated('The bearer token is not valid');
  }
}

/**
 * Verified tokens, kept until they expire so a busy handset pays for one signature check per token.
 * Bounded: the oldest entries go first.
 */
export class TokenCache {
  private readonly entries = new Map<string, VerifiedToken>();
  constructor(private readonly max = 10_000) {}
  get(token: string): VerifiedToken | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.exp * 1000 <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return hit;
  }
  set(token: string, value: VerifiedToken): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, value);
  }
}
