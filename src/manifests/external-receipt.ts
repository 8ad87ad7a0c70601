// Receipts by an external receiver (docs/regulations.md#external-receipts): it has no clients here,
// so on delivery the platform makes a one-time link, signed with the service's keys, for its
// contact; the receiver opens it to see the manifest and posts its receipt once. No mail server
// runs in this deployment: the link is written to an outbox row (external_receipt_links), which
// the generator reads and forwards. When the receiver returns the paper copy instead, the
// generator records the receipt with the copy's scan. Either way the receive step says which.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { DbOrTx } from '../db/database.js';
import { externalReceiptLinks, manifestReceiptCopies, organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { signerKey, type KeyRing } from '../auth/keys.js';
import { requireClientRole, WRITE_ROLES, type Caller } from '../auth/roles.js';
import { AppError, notFound, ruleViolation } from '../core/errors.js';
import { loadVisibleManifest, type ManifestRow } from './manifest-view.js';
import { checkedScan } from './paper.js';

const TYP = 'hw-receipt+jwt';
/** The client id a receipt through a link is recorded under: the link, not a client of ours. */
const LINK_CLIENT_PREFIX = 'receipt-link:';

export interface ReceiptLinkSettings { keys: KeyRing; baseUrl: string; linkHours: number }

export interface ReceiptLinkClaims { manifestId: string; version: number; jti: string }

export const receiptLinkUrl = (baseUrl: string, token: string) => `${baseUrl}/api/v1/external-receipts/${token}`;

/**
 * On delivery to an external receiver: a link for the manifest's delivered version, valid
 * linkHours, written to the outbox addressed to the receiver's contact. Returns what the step
 * records (never the token: the step's details are read by every party and regulator).
 */
export async function issueReceiptLink(cmd: Command, s: ReceiptLinkSettings, m: ManifestRow, deliveredVersion: number, now: Date) {
  const [receiver] = await cmd.tx.select().from(organisations).where(eq(organisations.id, m.receiverId));
  const jti = randomUUID();
  const expiresAt = new Date(now.getTime() + s.linkHours * 3_600_000);
  const token = await new SignJWT({ mid: m.id, ver: deliveredVersion })
    .setProtectedHeader({ alg: 'EdDSA', kid: s.keys.signing.kid, typ: TYP })
    .setJti(jti).setIssuedAt(Math.floor(now.getTime() / 1000)).setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(s.keys.signing.key);
  const recipient = receiver.contactEmail ?? receiver.contactPhone;
  await cmd.tx.insert(externalReceiptLinks).values({
    jti, manifestId: m.id, manifestVersion: deliveredVersion, recipient, link: receiptLinkUrl(s.baseUrl, token), expiresAt,
  });
  return { receiptLink: { jti, sentTo: recipient, expiresAt: expiresAt.toISOString() } };
}

const altered = () => new AppError('UNAUTHENTICATED', 'The receipt link is not one this platform signed, or it was altered');

/** The link's claims: 401 when forged or altered, 422 receipt_link_expired when out of date. */
export async function verifyReceiptLink(keys: KeyRing, token: string): Promise<ReceiptLinkClaims> {
  const key = signerKey(keys, token);
  if (key === 'malformed' || key === 'unknown') throw altered();
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['EdDSA'], typ: TYP });
    if (typeof payload.mid !== 'string' || typeof payload.ver !== 'number' || typeof payload.jti !== 'string') throw altered();
    return { manifestId: payload.mid, version: payload.ver, jti: payload.jti };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw ruleViolation('receipt_link_expired', 'The receipt link has expired: ask the generator to record the receipt from the paper copy');
    throw altered();
  }
}

/** The outbox row of a verified link, locked when `lock`; refused once the link was used. */
export async function usableLink(db: DbOrTx, claims: ReceiptLinkClaims, lock = false) {
  const q = db.select().from(externalReceiptLinks)
    .where(and(eq(externalReceiptLinks.jti, claims.jti), eq(externalReceiptLinks.manifestId, claims.manifestId)));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw altered();
  if (row.usedAt) throw ruleViolation('receipt_link_used', `This receipt link was used at ${row.usedAt.toISOString()}; a receipt is recorded once`, { usedAt: row.usedAt.toISOString() });
  return row;
}

/** Who acts through a link: the receiver itself, under the link's id instead of a client's. */
export async function linkCaller(db: DbOrTx, m: ManifestRow, jti: string): Promise<Caller> {
  const [receiver] = await db.select().from(organisations).where(eq(organisations.id, m.receiverId));
  return {
    clientId: `${LINK_CLIENT_PREFIX}${jti}`, orgId: receiver.id, roles: ['operator'],
    orgRoles: receiver.roles as Caller['orgRoles'], regionCode: receiver.regionCode,
  };
}

/**
 * How an external receiver's receipt was recorded, for the receive step: through the signed link,
 * or by the generator from the returned paper copy, whose scan must be stored first.
 */
export async function externalReceiptVia(db: DbOrTx, caller: Caller, m: ManifestRow): Promise<{ via?: 'signed_link' | 'paper_copy'; receiptCopySha256?: string }> {
  if (!m.receiverExternal) return {};
  if (caller.clientId.startsWith(LINK_CLIENT_PREFIX)) return { via: 'signed_link' };
  const [copy] = await db.select({ sha256: manifestReceiptCopies.sha256 }).from(manifestReceiptCopies).where(eq(manifestReceiptCopies.manifestId, m.id));
  if (!copy) throw ruleViolation('receipt_copy_missing', 'Store the scan of the returned paper copy (PUT /manifests/{id}/receipt-copy) before recording the receipt');
  return { via: 'paper_copy', receiptCopySha256: copy.sha256 };
}

/** The generator's manifest awaiting an external receiver's receipt. */
async function generatorsExternalManifest(cmd: Command, id: string) {
  const { caller } = cmd.actor;
  const { m } = await loadVisibleManifest(cmd.tx, caller, id, true);
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'attach_receipt_copy' });
  if (caller.orgId !== m.generatorId) throw ruleViolation('not_generator', 'Only the generator records the returned paper copy');
  requireClientRole(caller, ...WRITE_ROLES);
  if (!m.receiverExternal || m.state !== 'delivered') {
    throw ruleViolation('not_external_receipt', 'The manifest is not a delivered manifest to an external receiver', { state: m.state });
  }
  return m;
}

/** Stores the scan of the paper copy the external receiver returned, once (type by content, size limited). */
export async function storeReceiptCopy(cmd: Command, id: string, declaredType: string, content: Buffer, maxBytes: number) {
  const m = await generatorsExternalManifest(cmd, id);
  const [existing] = await cmd.tx.select({ sha256: manifestReceiptCopies.sha256 }).from(manifestReceiptCopies).where(eq(manifestReceiptCopies.manifestId, m.id));
  if (existing) throw ruleViolation('receipt_copy_exists', 'The returned paper copy of this manifest is already stored', { sha256: existing.sha256 });
  const { mediaType: sniffed, sha256 } = checkedScan(declaredType, content, maxBytes);
  const { caller } = cmd.actor;
  await cmd.tx.insert(manifestReceiptCopies).values({ manifestId: m.id, mediaType: sniffed, content, sha256, orgId: caller.orgId, clientId: caller.clientId });
  await cmd.audit({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'attach_receipt_copy', after: { mediaType: sniffed, bytes: content.length, sha256 } });
  return { manifestId: m.id, mediaType: sniffed, bytes: content.length, sha256 };
}

export async function readReceiptCopy(db: DbOrTx, caller: Caller, id: string) {
  const { m } = await loadVisibleManifest(db, caller, id);
  const [copy] = await db.select().from(manifestReceiptCopies).where(eq(manifestReceiptCopies.manifestId, m.id));
  if (!copy) throw notFound('Receipt copy scan');
  return copy;
}

/** The outbox of a manifest's receipt links, to its generator: what was "sent", to whom, and whether used. */
export async function listReceiptLinks(db: DbOrTx, caller: Caller, id: string) {
  const { m } = await loadVisibleManifest(db, caller, id);
  if (caller.orgId !== m.generatorId) throw ruleViolation('not_generator', 'Only the generator reads the receipt links of its manifest');
  const rows = await db.select().from(externalReceiptLinks).where(eq(externalReceiptLinks.manifestId, m.id)).orderBy(externalReceiptLinks.createdAt);
  return {
    items: rows.map((r) => ({
      jti: r.jti, manifestVersion: r.manifestVersion, recipient: r.recipient, link: r.link,
      expiresAt: r.expiresAt.toISOString(), usedAt: r.usedAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString(),
    })),
  };
}

export const markLinkUsed = (db: DbOrTx, jti: string, at: Date) =>
  db.update(externalReceiptLinks).set({ usedAt: at }).where(eq(externalReceiptLinks.jti, jti));

