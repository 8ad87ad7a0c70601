// Signing secrets: made in the Standard Webhooks format, stored encrypted. They cannot be hashed
// (the relay needs them to sign), so they are sealed with AES-256-GCM under WEBHOOK_SECRET_KEY;
// the subscription id is the additional authenticated data, so a sealed secret copied onto another
// subscription's row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/** `whsec_` + base64 of 32 random bytes (Standard Webhooks; the standardwebhooks package reads it). */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export function sealSecret(key: Buffer, subscriptionId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(subscriptionId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${FORMAT}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

export function openSecret(key: Buffer, subscriptionId: string, sealed: string): string {
  const [format, payload] = sealed.split(':');
  if (format !== FORMAT || !payload) throw new Error('unknown sealed secret format');
  const raw = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(subscriptionId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
