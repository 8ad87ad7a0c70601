// Paper manifests (转移管理办法 Art. 20, docs/regulations.md#paper-manifests): when the platform or
// the network is down the transfer runs on a paper form, which is entered afterwards (补录) within
// 10 working days of the transfer. Here: the form's scan kept with its manifest, the back-entry's
// deadline, and the one-line declaration a party sends when a paper transfer starts.
import { createHash } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { manifestPaperScans, manifests, organisations, paperTransfers } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { requireClientRole, requireOrgRole, WRITE_ROLES, type Caller } from '../auth/roles.js';
import { notFound, ruleViolation } from '../core/errors.js';
import { resolveOccurredAt } from '../lifecycle/occurred-at.js';
import { inRegion } from '../supervision/jurisdiction.js';
import { loadVisibleManifest, type ManifestRow } from './manifest-view.js';

export const SCAN_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type ScanMediaType = (typeof SCAN_MEDIA_TYPES)[number];

/** The file's type as its first bytes say, whatever its name or header claims. */
export function sniffScanType(content: Buffer): ScanMediaType | null {
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (content.length > 3 && content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  return null;
}

/**
 * A scan as uploaded, checked before it is kept: at most `maxBytes`, and a PDF, PNG or JPEG by its
 * content, matching the Content-Type it was sent with. Its SHA-256 names it in the audit trail.
 */
export function checkedScan(declaredType: string, content: Buffer, maxBytes: number): { mediaType: ScanMediaType; sha256: string } {
  if (content.length > maxBytes) {
    throw ruleViolation('paper_scan_too_large', `The scan has ${content.length} bytes; at most ${maxBytes} are kept`, { maxBytes });
  }
  const sniffed = sniffScanType(content);
  if (!sniffed || sniffed !== declaredType.split(';')[0].trim().toLowerCase()) {
    throw ruleViolation('paper_scan_type', `The scan must be a PDF, PNG or JPEG file sent with its own Content-Type (the content is ${sniffed ?? 'none of these'})`,
      { allowed: SCAN_MEDIA_TYPES });
  }
  return { mediaType: sniffed, sha256: createHash('sha256').update(content).digest('hex') };
}

/**
 * Stores the paper form's scan of a back-entered manifest, once: its type checked by content, its
 * size by PAPER_SCAN_MAX_BYTES. Only the generator (who back-enters the manifest) stores it.
 */
export async function storePaperScan(cmd: Command, id: string, declaredType: string, content: Buffer, maxBytes: number) {
  const { tx, actor: { caller } } = cmd;
  const { m } = await loadVisibleManifest(tx, caller, id, true);
  cmd.onRefusal({ chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'attach_paper_form' });
  if (caller.orgId !== m.generatorId) throw ruleViolation('not_generator', 'Only the generator stores the paper form of its manifest');
  requireClientRole(caller, ...WRITE_ROLES);
  if (m.origin !== 'paper') throw ruleViolation('not_paper_manifest', 'This manifest was not entered from a paper form');
  if (m.paperScanSha256) throw ruleViolation('paper_scan_exists', 'The paper form of this manifest is already stored', { sha256: m.paperScanSha256 });
  const { mediaType: sniffed, sha256 } = checkedScan(declaredType, content, maxBytes);
  await tx.insert(manifestPaperScans).values({ manifestId: m.id, mediaType: sniffed, content, sha256, orgId: caller.orgId, clientId: caller.clientId });
  const [updated] = await tx.update(manifests)
    .set({ paperScanMediaType: sniffed, paperScanBytes: content.length, paperScanSha256: sha256, version: m.version + 1, updatedAt: new Date() })
    .where(eq(manifests.id, m.id)).returning();
  await cmd.audit({
    chain: m.regionCode, entityType: 'manifest', entityId: m.id, action: 'attach_paper_form',
    before: { version: m.version }, after: { version: updated.version, mediaType: sniffed, bytes: content.length, sha256 },
  });
  return updated;
}

/** The stored scan, to the manifest's parties and its regulators. */
export async function readPaperScan(db: DbOrTx, caller: Caller, id: string) {
  const { m } = await loadVisibleManifest(db, caller, id);
  const [scan] = await db.select().from(manifestPaperScans).where(eq(manifestPaperScans.manifestId, m.id));
  if (!scan) throw notFound('Paper form scan');
  return scan;
}

export interface PaperTransferInput { paperNumber: string; startedAt?: string; note?: string }

const declarationView = (d: typeof paperTransfers.$inferSelect, entered: { id: string; number: string | null } | null) => ({
  id: d.id,
  paperNumber: d.paperNumber,
  orgId: d.orgId,
  regionCode: d.regionCode,
  startedAt: d.startedAt.toISOString(),
  note: d.note,
  recordedAt: d.recordedAt.toISOString(),
  manifest: entered,
});

/**
 * A party declares that a transfer runs on paper: one line, which a handset may send once it is
 * back online (startedAt is when it started). The same organisation declaring the same form again
 * gets the first declaration back.
 */
export async function declarePaperTransfer(cmd: Command, input: PaperTransferInput, windowDays: number) {
  const { tx, actor: { caller } } = cmd;
  requireOrgRole(caller, 'generator', 'carrier', 'receiver', 'collector');
  requireClientRole(caller, ...WRITE_ROLES, 'driver');
  const startedAt = resolveOccurredAt(input.startedAt, new Date(0), windowDays);
  const [created] = await tx.insert(paperTransfers).values({
    paperNumber: input.paperNumber, orgId: caller.orgId, regionCode: caller.regionCode, clientId: caller.clientId, startedAt, note: input.note ?? '',
  }).onConflictDoNothing().returning();
  const row = created ?? (await tx.select().from(paperTransfers)
    .where(and(eq(paperTransfers.orgId, caller.orgId), eq(paperTransfers.paperNumber, input.paperNumber))))[0];
  if (created) {
    await cmd.audit({ chain: caller.regionCode, entityType: 'paper_transfer', entityId: row.id, action: 'declare', after: declarationView(row, null) });
  }
  return { status: created ? 201 : 200, body: declarationView(row, await enteredManifest(tx, row.paperNumber)) };
}

async function enteredManifest(db: DbOrTx, paperNumber: string) {
  const [m] = await db.select({ id: manifests.id, number: manifests.number }).from(manifests).where(eq(manifests.paperNumber, paperNumber));
  return m ?? null;
}

/** Declarations the caller made, or (a regulator) those of its jurisdiction, newest first. */
export async function listPaperTransfers(db: DbOrTx, caller: Caller, limit: number) {
  const scope = caller.jurisdiction !== undefined ? inRegion(sql`${paperTransfers.regionCode}`, caller.jurisdiction) : eq(paperTransfers.orgId, caller.orgId);
  const rows = await db.select({ d: paperTransfers, manifestId: manifests.id, number: manifests.number, orgName: organisations.name })
    .from(paperTransfers)
    .innerJoin(organisations, eq(organisations.id, paperTransfers.orgId))
    .leftJoin(manifests, eq(manifests.paperNumber, paperTransfers.paperNumber))
    .where(scope).orderBy(desc(paperTransfers.startedAt), desc(paperTransfers.id)).limit(limit);
  return { items: rows.map((r) => declarationView(r.d, r.manifestId ? { id: r.manifestId, number: r.number } : null)) };
}
