// The QR holds {PUBLIC_BASE_URL}/v/{token}; the token is a compact EdDSA JWS naming the label.
// It never expires: a printed label stays valid for the life of the container.
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import type { KeyRing } from '../auth/keys.js';
import { AppError } from '../http/errors.js';

const TYP = 'hw-label+jwt';

export interface LabelClaims { lid: string; dc: string }

export function signLabelToken(keys: KeyRing, claims: LabelClaims): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: keys.signing.kid, typ: TYP }).sign(keys.signing.key);
}

export const qrUrl = (baseUrl: string, token: string) => `${baseUrl}/v/${token}`;

const qrInvalid = (detail: string) => new AppError('QR_INVALID', detail);

/** Accepts the whole QR content (a URL ending in /v/{token}) or the bare token. */
export function tokenFromQr(qr: string): string {
  const m = /\/v\/([A-Za-z0-9_\-.]+)\/?$/.exec(qr.trim());
  return m ? m[1] : qr.trim();
}

export async function verifyLabelToken(keys: KeyRing, token: string): Promise<LabelClaims> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw qrInvalid('The QR code does not hold a signed label token');
  }
  const key = kid ? keys.verifying.get(kid) : undefined;
  if (!key) throw qrInvalid('The QR code was not signed by this platform');
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['EdDSA'], typ: TYP });
    if (typeof payload.lid !== 'string' || typeof payload.dc !== 'string') throw new Error('claims');
    return { lid: payload.lid, dc: payload.dc };
  } catch {
    throw qrInvalid('The QR code signature does not verify: the label is forged or altered');
  }
}
