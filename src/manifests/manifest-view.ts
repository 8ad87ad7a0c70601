// A manifest with its carriers and containers, as stored and as the API shows it.
import { asc, eq, getTableColumns, inArray } from 'drizzle-orm';
import { Type } from 'typebox';
import type { DbOrTx } from '../db/database.js';
import { labels, manifestCarriers, manifestLabels, manifestOfficialNumbers, manifests, organisations } from '../db/schema.js';
import { supervises, type Caller } from '../auth/roles.js';
import { notFound } from '../core/errors.js';
import { paperEntry } from './paper-entry.js';
import { OfficialNumberSchema, officialNumberView, type OfficialNumberRow } from './official-number-view.js';

export type ManifestRow = typeof manifests.$inferSelect;
/** A carrier of a manifest, and whether it is an external party (no clients of ours). */
export type CarrierRow = typeof manifestCarriers.$inferSelect & { external: boolean };

export interface ManifestLabelRow {
  labelId: string;
  digitalCode: string;
  wasteCode: string;
  category: string;
  state: string;
  declaredKg: number;
  accepted: boolean | null;
  measuredKg: number | null;
  refusalReason: string | null;
  mismatches: string[];
  mismatchNote: string | null;
}

export interface LoadedManifest { m: ManifestRow; carriers: CarrierRow[]; items: ManifestLabelRow[]; officialNumbers: OfficialNumberRow[] }

export async function loadManifestParts(db: DbOrTx, m: ManifestRow): Promise<LoadedManifest> {
  return (await loadManifestPartsOf(db, [m]))[0];
}

/**
 * Carriers, containers and official numbers of several manifests in at most three queries, whatever
 * the number of manifests (a draft has no official number: drafts alone skip the third).
 */
export async function loadManifestPartsOf(db: DbOrTx, ms: ManifestRow[]): Promise<LoadedManifest[]> {
  if (ms.length === 0) return [];
  const ids = ms.map((m) => m.id);
  const carriers = await loadCarriersOf(db, ids);
  const items = await db.select({
    manifestId: manifestLabels.manifestId,
    labelId: manifestLabels.labelId, digitalCode: labels.digitalCode, wasteCode: labels.wasteCode, category: labels.category,
    state: labels.state, declaredKg: manifestLabels.declaredKg, accepted: manifestLabels.accepted,
    measuredKg: manifestLabels.measuredKg, refusalReason: manifestLabels.refusalReason,
    mismatches: manifestLabels.mismatches, mismatchNote: manifestLabels.mismatchNote,
  }).from(manifestLabels).innerJoin(labels, eq(labels.id, manifestLabels.labelId))
    .where(inArray(manifestLabels.manifestId, ids)).orderBy(asc(labels.digitalCode));
  const numbered = ms.filter((m) => m.number !== null).map((m) => m.id);
  const official = numbered.length === 0 ? [] : await db.select().from(manifestOfficialNumbers)
    .where(inArray(manifestOfficialNumbers.manifestId, numbered)).orderBy(asc(manifestOfficialNumbers.system));
  return ms.map((m) => ({
    m,
    carriers: carriers.filter((c) => c.manifestId === m.id),
    items: items.filter((i) => i.manifestId === m.id).map(({ manifestId: _, ...item }) => item),
    officialNumbers: official.filter((o) => o.manifestId === m.id),
  }));
}

/** The carriers of several manifests, in leg order, in one query. */
export async function loadCarriersOf(db: DbOrTx, ids: string[]): Promise<Array<CarrierRow>> {
  if (ids.length === 0) return [];
  return db.select({ ...getTableColumns(manifestCarriers), external: organisations.external }).from(manifestCarriers)
    .innerJoin(organisations, eq(organisations.id, manifestCarriers.orgId))
    .where(inArray(manifestCarriers.manifestId, ids)).orderBy(asc(manifestCarriers.position));
}

export function canSeeManifest(caller: Caller, m: ManifestRow, carriers: CarrierRow[]): boolean {
  return caller.orgId === m.generatorId || caller.orgId === m.receiverId || caller.orgId === m.returnFromId ||
    carriers.some((c) => c.orgId === caller.orgId) ||
    supervises(caller, m.regionCode) || supervises(caller, m.receiverRegionCode);
}

/** Loads (and optionally locks) a manifest the caller may see; 404 otherwise. */
export async function loadVisibleManifest(db: DbOrTx, caller: Caller, id: string, lock = false): Promise<LoadedManifest> {
  const q = db.select().from(manifests).where(eq(manifests.id, id));
  const [m] = lock ? await q.for('update') : await q;
  if (!m) throw notFound('Manifest');
  const loaded = await loadManifestParts(db, m);
  if (!canSeeManifest(caller, m, loaded.carriers)) throw notFound('Manifest');
  return loaded;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function manifestView({ m, carriers, items, officialNumbers }: LoadedManifest) {
  const accepted = items.filter((i) => i.accepted);
  return {
    id: m.id,
    number: m.number,
    officialNumbers: officialNumbers.map(officialNumberView),
    state: m.state,
    version: m.version,
    generatorId: m.generatorId,
    receiverId: m.receiverId,
    regionCode: m.regionCode,
    receiverRegionCode: m.receiverRegionCode,
    plannedAt: m.plannedAt.toISOString(),
    exemptionId: m.exemptionId,
    intendedMethod: m.intendedMethod,
    emergencyMeasures: m.emergencyMeasures,
    origin: m.origin,
    paper: paperEntry(m),
    kind: m.kind,
    originalManifestId: m.originalManifestId,
    returnFromId: m.returnFromId,
    receiverExternal: m.receiverExternal,
    crossProvinceApprovalId: m.crossProvinceApprovalId,
    discrepant: m.discrepant,
    currentCarrier: m.currentCarrier,
    carriers: carriers.map((c) => ({
      position: c.position, orgId: c.orgId, vehiclePlate: c.vehiclePlate,
      driver: c.driverName ? { name: c.driverName, qualificationNo: c.driverQualificationNo ?? '' } : null,
      tookOverAt: iso(c.tookOverAt),
    })),
    labels: items,
    totals: {
      count: items.length,
      declaredKg: items.reduce((s, i) => s + i.declaredKg, 0),
      acceptedKg: accepted.reduce((s, i) => s + (i.measuredKg ?? i.declaredKg), 0),
    },
    submittedAt: iso(m.submittedAt),
    pickedUpAt: iso(m.pickedUpAt),
    deliveredAt: iso(m.deliveredAt),
    receiptDueOn: m.receiptDueOn,
    receivedAt: iso(m.receivedAt),
    receiptRecordedAt: iso(m.receiptRecordedAt),
    receiptLate: m.receiptLate,
    completedAt: iso(m.completedAt),
    cancelReason: m.cancelReason,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

const S = Type.String();
const NS = Type.Union([Type.String(), Type.Null()]);
const NDT = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const ManifestSchema = Type.Object({
  id: S, number: NS,
  officialNumbers: Type.Array(OfficialNumberSchema, { description: 'The numbers the national or provincial system assigned to this manifest (docs/exchange.md#official-numbers)' }),
  state: S, version: Type.Integer(), generatorId: S, receiverId: S, regionCode: S, receiverRegionCode: S,
  plannedAt: Type.String({ format: 'date-time' }), exemptionId: NS, intendedMethod: NS, emergencyMeasures: S,
  origin: Type.String({ description: 'electronic, or paper: back-entered (补录) from a paper form' }),
  paper: Type.Union([Type.Object({
    paperNumber: S,
    entryDueOn: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: '10 working days after receipt (Art. 20); null before receipt or beyond the loaded calendar' }),
    enteredAt: NDT,
    lateEntry: Type.Boolean({ description: 'The receipt was entered after entryDueOn: accepted, and flagged' }),
    scan: Type.Union([Type.Object({ mediaType: S, bytes: Type.Integer(), sha256: S, href: S }), Type.Null()]),
  }), Type.Null()]),
  kind: Type.String({ description: 'transfer, or return: refused containers of originalManifestId going back from returnFromId (转移管理办法 Art. 18)' }),
  originalManifestId: NS, returnFromId: NS,
  receiverExternal: Type.Boolean({ description: 'The receiver is beyond the jurisdiction: it confirms through a signed link, or the generator records the returned paper copy' }),
  crossProvinceApprovalId: Type.Union([Type.String(), Type.Null()], { description: 'The 跨省转移 approval the submit checked; its receipt consumes it' }),
  discrepant: Type.Boolean(), currentCarrier: Type.Integer(),
  carriers: Type.Array(Type.Object({
    position: Type.Integer(), orgId: S, vehiclePlate: NS,
    driver: Type.Union([Type.Object({ name: S, qualificationNo: S }), Type.Null()]), tookOverAt: NDT,
  })),
  labels: Type.Array(Type.Object({
    labelId: S, digitalCode: S, wasteCode: S, category: S, state: S, declaredKg: Type.Number(),
    accepted: Type.Union([Type.Boolean(), Type.Null()]), measuredKg: Type.Union([Type.Number(), Type.Null()]), refusalReason: NS,
    mismatches: Type.Array(S, { description: 'What the receiver found differing from the manifest (Art. 18)' }), mismatchNote: NS,
  })),
  totals: Type.Object({ count: Type.Integer(), declaredKg: Type.Number(), acceptedKg: Type.Number() }),
  submittedAt: NDT, pickedUpAt: NDT, deliveredAt: NDT, receiptDueOn: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  receivedAt: Type.Union([Type.String({ format: 'date-time', description: 'When the receipt says it happened (its occurredAt)' }), Type.Null()]),
  receiptRecordedAt: Type.Union([Type.String({ format: 'date-time', description: 'When the receipt was recorded (server time)' }), Type.Null()]),
  receiptLate: Type.Union([Type.Boolean({ description: 'The receipt was recorded after receiptDueOn (docs/regulations.md#receipt-deadline)' }), Type.Null()]),
  completedAt: NDT, cancelReason: NS,
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
});
