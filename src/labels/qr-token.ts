// The QR holds {PUBLIC_BASE_URL}/v/{token}. The token is short so that the QR stays a low version
// with large modules that a phone reads off a worn, blurred or low-resolution print
// (docs/regulations.md#qr-code): one character naming the key, the label id (its UUID's 16 bytes
// in base64url, 22 characters) and the Ed25519 signature (64 bytes in base64url, 86 characters),
// 109 characters in all. It never expires: a printed label stays valid for the life of the container.
// Labels issued before carry a compact EdDSA JWS naming the label id and digital code; those are
// printed already and stay verifiable (verifySignedLabelToken).
import { createHash, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { jwtVerify } from 'jose';
import { signerKey, type KeyRing } from '../auth/keys.js';
import { AppError } from '../core/errors.js';

const TYP = 'hw-label+jwt';

/** What a verified token names: the label id; the digital code too for the older JWS tokens. */
export interface LabelClaims { lid: string; dc?: string }

/** What issuing knows of a label; the short token signs only its id (the id fixes the label). */
export interface LabelToSign { lid: string; dc: string }

/** Does the label row carry the digital code the token names (when it names one)? */
export const namesLabel = (claims: LabelClaims, row: { digitalCode: string }): boolean =>
  claims.dc === undefined || claims.dc === row.digitalCode;

const KEY_CHARS = 1;
const ID_CHARS = 22; // 16 bytes
const SIG_CHARS = 86; // 64 bytes
export const SHORT_TOKEN_LENGTH = KEY_CHARS + ID_CHARS + SIG_CHARS;
const SHORT_TOKEN = new RegExp(`^[A-Za-z0-9_-]{${SHORT_TOKEN_LENGTH}}$`);
// Signed text: a prefix no JWS signing input can start with (those are base64url and '.', never ':'),
// so a label signature is never a valid JWS signature by the same key, nor the other way round.
const DOMAIN = 'hw-label:';

/**
 * The one character naming a key in a short token: the first base64url character of the SHA-256 of
 * the Ed25519 public key. It depends on the key alone, so adding, removing or reordering keys in a
 * ring (rotation) never renames one. Two keys of a ring may share a character (1 in 64 per pair):
 * verification then tries each of them.
 */
export function keyChar(publicX: string): string {
  return createHash('sha256').update(Buffer.from(publicX, 'base64url')).digest('base64url')[0];
}

function uuidToB64(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`label id ${uuid} is not a UUID`);
  return Buffer.from(hex, 'hex').toString('base64url');
}

function b64ToUuid(s: string): string | undefined {
  const bytes = Buffer.from(s, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== s) return undefined; // one spelling only
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

interface RingCrypto {
  signingChar: string;
  signingKey: KeyObject;
  /** Verifying keys by their character (usually one each). */
  byChar: Map<string, KeyObject[]>;
}

// Issuing signs a token per label, 500 to a request: one synchronous Ed25519 sign each, with the
// key objects and key characters worked out once per key ring.
const rings = new WeakMap<KeyRing, RingCrypto>();

function ringCrypto(keys: KeyRing): RingCrypto {
  let rc = rings.get(keys);
  if (rc) return rc;
  const byChar = new Map<string, KeyObject[]>();
  let signingChar: string | undefined;
  for (const jwk of keys.jwks.keys) {
    const c = keyChar(jwk.x);
    const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    byChar.set(c, [...(byChar.get(c) ?? []), key]);
    if (jwk.kid === keys.signing.kid) signingChar = c;
  }
  if (signingChar === undefined) throw new Error(`signing key ${keys.signing.kid} is not in the published key set`);
  rc = { signingChar, signingKey: keys.signing.keyObject, byChar };
  rings.set(keys, rc);
  return rc;
}

export function signLabelToken(keys: KeyRing, label: LabelToSign): string {
  const rc = ringCrypto(keys);
  const head = rc.signingChar + uuidToB64(label.lid);
  return head + sign(null, Buffer.from(DOMAIN + head), rc.signingKey).toString('base64url');
}

/** A short token's label id, when a key of the ring named by its first character signed it. */
function verifyShortToken(keys: KeyRing, token: string): LabelClaims {
  const lid = b64ToUuid(token.slice(KEY_CHARS, KEY_CHARS + ID_CHARS));
  const sigText = token.slice(KEY_CHARS + ID_CHARS);
  const sig = Buffer.from(sigText, 'base64url');
  if (lid === undefined || sig.length !== 64 || sig.toString('base64url') !== sigText) {
    throw qrInvalid('The QR code does not hold a signed label token');
  }
  const candidates = ringCrypto(keys).byChar.get(token[0]);
  if (!candidates) throw qrInvalid('The QR code was not signed by this platform');
  const signed = Buffer.from(DOMAIN + token.slice(0, KEY_CHARS + ID_CHARS));
  if (!candidates.some((key) => verify(null, signed, key, sig))) {
    throw qrInvalid('The QR code signature does not verify: the label is forged or altered');
  }
  return { lid };
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
  if (SHORT_TOKEN.test(token)) return verifyShortToken(keys, token);
  // The earlier format, on labels printed before: a compact JWS (always two dots, so never short).
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
