// Regulators' search over labels and manifests: filters, keyset pagination in a stable order,
// and CSV exports streamed page by page (never the whole result in memory).
import { and, asc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { labels, manifests } from '../db/schema.js';
import { shanghaiDayStart } from '../calendar/working-days.js';
import { afterCursor, keysetPage } from '../db/keyset.js';
import { inRegions } from './jurisdiction.js';

export interface SearchFilters {
  generatorId?: string;
  receiverId?: string;
  carrierId?: string;
  wasteCode?: string;
  category?: string;
  state?: string;
  from?: string;
  to?: string;
  discrepant?: boolean;
}

const dayAfter = (d: string) => new Date(shanghaiDayStart(d).getTime() + 86_400_000);

export function labelConditions(prefix: string, f: SearchFilters): SQL[] {
  const where: (SQL | undefined)[] = [inRegions(prefix, labels.regionCode, labels.holderRegionCode)];
  if (f.generatorId) where.push(eq(labels.generatorId, f.generatorId));
  if (f.wasteCode) where.push(eq(labels.wasteCode, f.wasteCode));
  if (f.category) where.push(eq(labels.category, f.category));
  if (f.state) where.push(eq(labels.state, f.state));
  if (f.from) where.push(gte(labels.generatedAt, shanghaiDayStart(f.from)));
  if (f.to) where.push(lt(labels.generatedAt, dayAfter(f.to)));
  // Transfer-side filters: the label travelled on a manifest matching them.
  if (f.receiverId || f.carrierId || f.discrepant !== undefined) {
    where.push(sql`EXISTS (SELECT 1 FROM manifest_labels ml JOIN manifests m ON m.id = ml.manifest_id
      WHERE ml.label_id = ${labels.id}
      ${f.receiverId ? sql`AND m.receiver_id = ${f.receiverId}` : sql``}
      ${f.discrepant !== undefined ? sql`AND m.discrepant = ${f.discrepant}` : sql``}
      ${f.carrierId ? sql`AND EXISTS (SELECT 1 FROM manifest_carriers mc WHERE mc.manifest_id = m.id AND mc.org_id = ${f.carrierId})` : sql``})`);
  }
  return where.filter((w): w is SQL => Boolean(w));
}

export function manifestConditions(prefix: string, f: SearchFilters): SQL[] {
  const where: (SQL | undefined)[] = [inRegions(prefix, manifests.regionCode, manifests.receiverRegionCode)];
  if (f.generatorId) where.push(eq(manifests.generatorId, f.generatorId));
  if (f.receiverId) where.push(eq(manifests.receiverId, f.receiverId));
  if (f.state) where.push(eq(manifests.state, f.state));
  if (f.discrepant !== undefined) where.push(eq(manifests.discrepant, f.discrepant));
  if (f.from) where.push(gte(manifests.createdAt, shanghaiDayStart(f.from)));
  if (f.to) where.push(lt(manifests.createdAt, dayAfter(f.to)));
  if (f.carrierId) where.push(sql`EXISTS (SELECT 1 FROM manifest_carriers mc WHERE mc.manifest_id = ${manifests.id} AND mc.org_id = ${f.carrierId})`);
  // A manifest's containers' codes and categories are kept on it (migrations/0028_manifest_facts.sql),
  // so these filters read the row, not its containers.
  if (f.wasteCode) where.push(sql`${manifests.wasteCodes} @> ARRAY[${f.wasteCode}]::text[]`);
  if (f.category) where.push(sql`${manifests.categories} @> ARRAY[${f.category}]::text[]`);
  if (f.wasteCode && f.category) {
    // Both at once mean one container with that code and that category: checked on the few rows left.
    where.push(sql`EXISTS (SELECT 1 FROM manifest_labels ml JOIN labels l ON l.id = ml.label_id WHERE ml.manifest_id = ${manifests.id}
      AND l.waste_code = ${f.wasteCode} AND l.category = ${f.category})`);
  }
  return where.filter((w): w is SQL => Boolean(w));
}

export async function searchLabels(db: Db, prefix: string, f: SearchFilters, limit: number, cursor?: string) {
  const where = labelConditions(prefix, f);
  if (cursor) where.push(afterCursor([labels.generatedAt, labels.id], cursor));
  const rows = await db.select().from(labels).where(and(...where)).orderBy(asc(labels.generatedAt), asc(labels.id)).limit(limit + 1);
  const { items, nextCursor } = keysetPage(rows, limit, (l) => [l.generatedAt, l.id], (l) => l);
  return { page: items, nextCursor };
}

export async function searchManifests(db: Db, prefix: string, f: SearchFilters, limit: number, cursor?: string) {
  const where = manifestConditions(prefix, f);
  if (cursor) where.push(afterCursor([manifests.createdAt, manifests.id], cursor));
  const rows = await db.select().from(manifests).where(and(...where)).orderBy(asc(manifests.createdAt), asc(manifests.id)).limit(limit + 1);
  const { items, nextCursor } = keysetPage(rows, limit, (m) => [m.createdAt, m.id], (m) => m);
  return { page: items, nextCursor };
}

export function manifestSummary(m: typeof manifests.$inferSelect) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: m.id, number: m.number, state: m.state, generatorId: m.generatorId, receiverId: m.receiverId,
    regionCode: m.regionCode, receiverRegionCode: m.receiverRegionCode, plannedAt: m.plannedAt.toISOString(),
    discrepant: m.discrepant, intendedMethod: m.intendedMethod, submittedAt: iso(m.submittedAt), pickedUpAt: iso(m.pickedUpAt),
    deliveredAt: iso(m.deliveredAt), receiptDueOn: m.receiptDueOn, receivedAt: iso(m.receivedAt), completedAt: iso(m.completedAt),
    createdAt: m.createdAt.toISOString(),
  };
}

export const LABEL_CSV_HEADER = ['digitalCode', 'wasteCode', 'category', 'wasteName', 'state', 'quantityKg', 'generatorId', 'holderId', 'regionCode', 'generatedAt'];
export const labelCsvCells = (l: typeof labels.$inferSelect) =>
  [l.digitalCode, l.wasteCode, l.category, l.wasteName, l.state, l.quantityKg, l.generatorId, l.holderId, l.regionCode, l.generatedAt.toISOString()];

export const MANIFEST_CSV_HEADER = ['number', 'state', 'generatorId', 'receiverId', 'regionCode', 'receiverRegionCode', 'discrepant', 'plannedAt', 'deliveredAt', 'receiptDueOn', 'receivedAt', 'createdAt'];
export const manifestCsvCells = (m: typeof manifests.$inferSelect) => {
  const s = manifestSummary(m);
  return [s.number, s.state, s.generatorId, s.receiverId, s.regionCode, s.receiverRegionCode, s.discrepant, s.plannedAt, s.deliveredAt, s.receiptDueOn, s.receivedAt, s.createdAt];
};

