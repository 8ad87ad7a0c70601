// The QR holds {PUBLIC_BASE_URL}/v/{token}; the token is a compact EdDSA JWS naming the label.
// It never expires: a printed label stays valid for the life of the container.
import { KeyObject, sign } from 'node:crypto';
import { jwtVerify } from 'jose';
import { signerKey, type KeyRing } from '../auth/keys.js';
import { AppError } from '../core/errors.js';

const TYP = 'hw-label+jwt';

export interface LabelClaims { lid: string; dc: string }

const b64url = (s: string) => Buffer.from(s).toString('base64url');

// Issuing signs a token per label, 500 to a request: the compact JWS (RFC 7515) is written here with
// Node's synchronous Ed25519 signer and a header encoded once per key ring, about twice as fast as
// building it through jose for each label. jose verifies it like any other (verifyLabelToken).
const signers = new WeakMap<KeyRing, (claims: LabelClaims) => string>();

export function signLabelToken(keys: KeyRing, claims: LabelClaims): string {
  let signer = signers.get(keys);
  if (!signer) {
    const key = KeyObject.from(keys.signing.key);
    const header = b64url(JSON.stringify({ alg: 'EdDSA', kid: keys.signing.kid, typ: TYP }));
    signer = (c) => {
      const input = `${header}.${b64url(JSON.stringify({ lid: c.lid, dc: c.dc }))}`;
      return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
    };
    signers.set(keys, signer);
  }
  return signer(claims);
}

export const qrUrl = (baseUrl: string, token: string) => `${baseUrl}/v/${token}`;

const qrInvalid = (detail: string) => new AppError('QR_INVALID', detail);

/** Accepts the whole QR content (a URL ending in /v/{token}) or the bare token. */
export function tokenFromQr(qr: string): string {
  const m = /\/v\/([A-Za-z0-9_\-.]+)\/?$/.exec(qr.trim());
  return m ? m[1] : qr.trim();
}

/**
 * Label tokens that verified, so a label scanned again (store, pickup, delivery, receipt, the public
 * page) costs a map lookup instead of an Ed25519 check. Label tokens never expire, so an entry stays
 * valid as long as the key ring that verified it: the cache belongs to one ring (see cacheOf).
 * Only verified tokens are stored, under their exact text: a forged or altered token is a different
 * string, misses, and is refused by the full check every time. Bounded: the oldest entries go first.
 */
export class LabelTokenCache {
  private readonly entries = new Map<string, LabelClaims>();
  constructor(private readonly max = 10_000) {}
  get size(): number { return this.entries.size; }
  get(token: string): LabelClaims | undefined { return this.entries.get(token); }
  set(token: string, claims: LabelClaims): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, claims);
  }
}

// One cache per key ring: a token verified under one ring says nothing about another (tests and
// tools build apps with rings of their own), and the cache goes away with its ring.
const caches = new WeakMap<KeyRing, LabelTokenCache>();
function cacheOf(keys: KeyRing): LabelTokenCache {
  let c = caches.get(keys);
  if (!c) caches.set(keys, (c = new LabelTokenCache()));
  return c;
}

export async function verifyLabelToken(keys: KeyRing, token: string, cache: LabelTokenCache = cacheOf(keys)): Promise<LabelClaims> {
  const hit = cache.get(token);
  if (hit) return { ...hit }; // a copy: the caller may not change what later scans get
  const claims = await verifySignedLabelToken(keys, token);
  cache.set(token, claims);
  return { ...claims };
}

async function verifySignedLabelToken(keys: KeyRing, token: string): Promise<LabelClaims> {
  const key = signerKey(keys, token);
  if (key === 'malformed') throw qrInvalid('The QR code does not hold a signed label token');
  if (key === 'unknown') throw qrInvalid('The QR code was not signed by this platform');
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['EdDSA'], typ: TYP });
    if (typeof payload.lid !== 'string' || typeof payload.dc !== 'string') throw new Error('claims');
    return { lid: payload.lid, dc: payload.dc };
  } catch {
    throw qrInvalid('The QR code signature does not verify: the label is forged or altered');
  }
}
