// Ed25519 signing keys: configured (JWT_PRIVATE_JWKS), or generated once and kept in the
// database so that tokens and printed QR codes stay valid across restarts and replicas.
import { createPrivateKey, randomUUID, type JsonWebKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { asc } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { signingKeys } from '../db/schema.js';

export interface KeyRing {
  /**
   * The key that signs; the first of the configured set, or the oldest stored key. As a WebCrypto
   * key for jose, and as node:crypto's own for the labels' one-shot signatures (Node 24 deprecates
   * turning a non-extractable CryptoKey into a KeyObject, DEP0204).
   */
  signing: { kid: string; key: CryptoKey; keyObject: KeyObject };
  /** Every key whose signatures are accepted, by kid. */
  verifying: Map<string, CryptoKey>;
  /** The public JWKS served at /.well-known/jwks.json. */
  jwks: { keys: PublicJwk[] };
}

export interface PublicJwk { kty: string; crv: string; x: string; kid: string; alg: string; use: string }

function publicPart(jwk: JWK, kid: string): PublicJwk {
  return { kty: String(jwk.kty), crv: String(jwk.crv), x: String(jwk.x), kid, alg: 'EdDSA', use: 'sig' };
}

async function ringFrom(privateJwks: Array<JWK & { kid: string }>): Promise<KeyRing> {
  const verifying = new Map<string, CryptoKey>();
  const pub: PublicJwk[] = [];
  for (const jwk of privateJwks) {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new Error(`key ${jwk.kid} is not an Ed25519 key`);
    const p = publicPart(jwk, jwk.kid);
    verifying.set(jwk.kid, (await importJWK(p as JWK, 'EdDSA')) as CryptoKey);
    pub.push(p);
  }
  const first = privateJwks[0];
  const signingKey = first.d ? ((await importJWK(first, 'EdDSA')) as CryptoKey) : undefined;
  if (!signingKey) throw new Error(`signing key ${first.kid} has no private part`);
  const keyObject = createPrivateKey({ key: first as JsonWebKey, format: 'jwk' });
  return { signing: { kid: first.kid, key: signingKey, keyObject }, verifying, jwks: { keys: pub } };
}

export async function loadKeyRing(db: Db, configuredJwks?: string): Promise<KeyRing> {
  if (configuredJwks) {
    const parsed = JSON.parse(configuredJwks) as { keys: Array<JWK & { kid?: string }> };
    return ringFrom(parsed.keys.map((k, i) => ({ ...k, kid: k.kid ?? `configured-${i}` })));
  }
  let rows = await db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt));
  if (rows.length === 0) {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = randomUUID();
    // Two replicas starting together may both generate: the oldest row wins for both.
    await db.insert(signingKeys).values({ kid, privateJwk: jwk, publicJwk: publicPart(jwk, kid) }).onConflictDoNothing();
    rows = await db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt));
  }
  return ringFrom(rows.map((r) => ({ ...(r.privateJwk as JWK), kid: r.kid })));
}

/** A fresh in-memory ring (OpenAPI generation, tools): nothing is stored. */
export async function generateKeyRing(): Promise<KeyRing> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return ringFrom([{ ...(await exportJWK(privateKey)), kid: randomUUID() }]);
}

/**
 * The published key named by a compact JWS's `kid`: 'malformed' when the token has no readable
 * header, 'unknown' when no key of this service has that id. Callers turn these into their own errors.
 */
export function signerKey(keys: KeyRing, token: string): CryptoKey | 'malformed' | 'unknown' {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return 'malformed';
  }
  return (kid && keys.verifying.get(kid)) || 'unknown';
}
