// The manifest in the shape of the national 危险废物转移联单 (docs/exchange.md#what-we-send): the
// parties with their USCC and licences, the waste by kind with its packaging and quantities in
// tonnes, transport, receipt and each party's confirmation, under stable English keys whose
// Chinese data elements docs/exchange.md names. Read by whoever may read the manifest.
import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/database.js';
import { readTogether } from '../db/read-together.js';
import {
  crossProvinceApprovals, exemptions, labels, labelSteps, licences, manifestSteps, organisations, vehicles,
} from '../db/schema.js';
import type { Caller } from '../auth/roles.js';
import { findWasteCode } from '../catalog/catalog.js';
import { RECEIVING_LICENCE_KINDS } from '../parties/licence-rules.js';
import { loadVisibleManifest, type LoadedManifest } from './manifest-view.js';
import { officialNumberView } from './official-number-view.js';

type Org = typeof organisations.$inferSelect;
type Label = typeof labels.$inferSelect;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
/** The national system counts in tonnes (HJ 1259-2022 §5.5); we keep kg to the gram. */
const tonnes = (kg: number) => Number((kg / 1000).toFixed(6));

/** Which party of the manifest took a step (the 联单's three parties). */
const PARTY_OF_STEP: Record<string, 'shipper' | 'carrier' | 'receiver' | 'system'> = {
  submit: 'shipper', cancel: 'shipper', pickup: 'carrier', handover: 'carrier', deliver: 'carrier', receive: 'receiver', complete: 'system',
};

function unit(o: Org) {
  return {
    orgId: o.id, name: o.name, uscc: o.uscc, regionCode: o.regionCode, address: o.address,
    contact: { name: o.contactName, phone: o.contactPhone }, external: o.external,
  };
}

/** The waste by kind (name, code, form): what the 联单 lists, with its packaging and quantities. */
function wastesOf(loaded: LoadedManifest, byId: Map<string, Label>) {
  const kinds = new Map<string, ReturnType<typeof kindOf>>();
  function kindOf(l: Label) {
    const listed = findWasteCode(l.wasteCode, l.catalogueEdition);
    return {
      name: l.wasteName, catalogueName: listed?.description ?? null, category: l.category, categoryName: listed?.categoryName ?? null,
      code: l.wasteCode, catalogueEdition: l.catalogueEdition, harmfulComponents: l.harmfulComponents, mainComponents: l.mainComponents,
      physicalForm: l.physicalForm, hazardCharacteristics: l.hazards,
      packaging: [] as { type: string; count: number }[], containerCount: 0, declaredKg: 0, acceptedKg: null as number | null,
    };
  }
  for (const item of loaded.items) {
    const l = byId.get(item.labelId)!;
    const key = `${l.wasteCode}|${l.wasteName}|${l.physicalForm}`;
    const kind = kinds.get(key) ?? kindOf(l);
    kinds.set(key, kind);
    kind.containerCount += 1;
    const pack = kind.packaging.find((p) => p.type === l.packagingType);
    if (pack) pack.count += 1; else kind.packaging.push({ type: l.packagingType, count: 1 });
    kind.declaredKg += item.declaredKg;
    if (item.accepted !== null) kind.acceptedKg = (kind.acceptedKg ?? 0) + (item.accepted ? item.measuredKg ?? item.declaredKg : 0);
  }
  return [...kinds.values()].map(({ declaredKg, acceptedKg, ...kind }) => ({
    ...kind, declaredQuantityT: tonnes(declaredKg), acceptedQuantityT: acceptedKg === null ? null : tonnes(acceptedKg),
  }));
}

function acceptanceOf({ items, m }: LoadedManifest): 'accepted' | 'partly_accepted' | 'rejected' | null {
  if (m.receivedAt === null && m.state !== 'rejected') return null;
  const accepted = items.filter((i) => i.accepted).length;
  return accepted === items.length ? 'accepted' : accepted === 0 ? 'rejected' : 'partly_accepted';
}

export async function nationalRecord(db: DbOrTx, caller: Caller, id: string) {
  const loaded = await loadVisibleManifest(db, caller, id);
  const { m, carriers, items } = loaded;
  const orgIds = [m.generatorId, m.receiverId, ...carriers.map((c) => c.orgId)];
  const plates = carriers.map((c) => c.vehiclePlate).filter((p): p is string => p !== null);
  const labelIds = items.map((i) => i.labelId);
  // In the caller's transaction these run one after another on its connection.
  const [orgs, licenceRows, vehicleRows, labelRows, steps, moves, approval, exemption] = await readTogether(db,
    () => db.select().from(organisations).where(inArray(organisations.id, orgIds)),
    () => db.select().from(licences).where(and(inArray(licences.orgId, orgIds), eq(licences.status, 'active'))).orderBy(asc(licences.createdAt)),
    () => plates.length ? db.select({ plate: vehicles.plate, licenceNumber: licences.number }).from(vehicles)
      .innerJoin(licences, eq(licences.id, vehicles.licenceId)).where(inArray(vehicles.plate, plates)) : Promise.resolve([]),
    () => labelIds.length ? db.select().from(labels).where(inArray(labels.id, labelIds)) : Promise.resolve([]),
    () => db.select().from(manifestSteps).where(eq(manifestSteps.manifestId, m.id)).orderBy(asc(manifestSteps.id)),
    () => db.select().from(labelSteps).where(and(eq(labelSteps.manifestId, m.id), isNotNull(labelSteps.lat))).orderBy(asc(labelSteps.id)),
    () => m.crossProvinceApprovalId ? db.select({ number: crossProvinceApprovals.number }).from(crossProvinceApprovals).where(eq(crossProvinceApprovals.id, m.crossProvinceApprovalId)) : Promise.resolve([]),
    () => m.exemptionId ? db.select({ approvalNo: exemptions.approvalNo }).from(exemptions).where(eq(exemptions.id, m.exemptionId)) : Promise.resolve([]),
  );
  const orgById = new Map(orgs.map((o) => [o.id, o]));
  const orgOf = (orgId: string) => orgById.get(orgId)!; // every party is a registered organisation (foreign keys)
  const labelById = new Map(labelRows.map((l) => [l.id, l]));
  // What the receiver did with the containers it accepted: the method codes of their treatment steps.
  const acceptedIds = items.filter((i) => i.accepted).map((i) => i.labelId);
  const treated = acceptedIds.length ? await db.select({ method: labelSteps.method }).from(labelSteps)
    .where(and(inArray(labelSteps.labelId, acceptedIds), eq(labelSteps.action, 'treat'), eq(labelSteps.orgId, m.receiverId))).orderBy(asc(labelSteps.id)) : [];
  const licencesOf = (orgId: string, kinds: readonly string[]) => licenceRows.filter((l) => l.orgId === orgId && kinds.includes(l.kind)).map((l) => ({ kind: l.kind, number: l.number, validTo: l.validTo }));
  const receiver = orgOf(m.receiverId);
  const generator = orgOf(m.generatorId);
  const stepOf = (action: string) => steps.find((s) => s.action === action);
  const confirmation = (s: (typeof steps)[number] | undefined) => s ? {
    orgId: s.orgId, clientId: s.clientId, occurredAt: s.occurredAt.toISOString(), recordedAt: s.recordedAt.toISOString(),
    recordedFor: typeof s.details === 'object' && s.details && 'recordedFor' in s.details ? String(s.details.recordedFor) : null,
  } : null;
  const official = (system: string) => loaded.officialNumbers.find((o) => o.system === system)?.number ?? null;

  return {
    recordVersion: 1,
    manifestId: m.id,
    manifestNumber: m.number,
    nationalNumber: official('national'),
    provincialNumber: official('provincial'),
    officialNumbers: loaded.officialNumbers.map(officialNumberView),
    version: m.version,
    state: m.state,
    origin: m.origin,
    paperNumber: m.paperNumber,
    kind: m.kind,
    transferType: m.regionCode.slice(0, 2) === m.receiverRegionCode.slice(0, 2) ? 'within_province' : 'cross_province',
    crossProvinceApprovalNumber: approval[0]?.number ?? null,
    exemptionApprovalNumber: exemption[0]?.approvalNo ?? null,
    shipper: { ...unit(generator), filledAt: iso(m.submittedAt), confirmation: confirmation(stepOf('submit')) },
    carriers: carriers.map((c, i) => {
      const org = orgOf(c.orgId);
      return {
        sequence: i + 1, ...unit(org),
        transportLicences: licencesOf(c.orgId, ['transport']),
        declaredLicenceNumber: org.external ? org.declaredLicenceNumber : null,
        vehiclePlate: c.vehiclePlate,
        vehicleLicenceNumber: vehicleRows.find((v) => v.plate === c.vehiclePlate)?.licenceNumber ?? null,
        driver: c.driverName ? { name: c.driverName, qualificationNo: c.driverQualificationNo } : null,
        takenOverAt: iso(c.tookOverAt),
        handedOverAt: iso(carriers[i + 1]?.tookOverAt ?? (i === carriers.length - 1 ? m.deliveredAt : null)),
      };
    }),
    receiver: {
      ...unit(receiver),
      licences: licencesOf(m.receiverId, RECEIVING_LICENCE_KINDS),
      declaredLicenceNumber: receiver.external ? receiver.declaredLicenceNumber : null,
    },
    wastes: wastesOf(loaded, labelById),
    containers: items.map((item) => {
      const l = labelById.get(item.labelId)!;
      return {
        digitalCode: item.digitalCode, wasteCode: item.wasteCode, packagingType: l.packagingType, volumeL: l.volumeL,
        declaredKg: item.declaredKg, accepted: item.accepted, measuredKg: item.measuredKg, refusalReason: item.refusalReason,
        mismatches: item.mismatches, mismatchNote: item.mismatchNote,
      };
    }),
    totals: {
      containerCount: items.length,
      declaredQuantityT: tonnes(items.reduce((s, i) => s + i.declaredKg, 0)),
      acceptedQuantityT: acceptanceOf(loaded) === null ? null : tonnes(items.filter((i) => i.accepted).reduce((s, i) => s + (i.measuredKg ?? i.declaredKg), 0)),
    },
    transport: {
      plannedAt: m.plannedAt.toISOString(),
      startAddress: generator.address,
      endAddress: receiver.address,
      departedAt: iso(m.pickedUpAt),
      arrivedAt: iso(m.deliveredAt),
      trackPoints: dedupeTrack(moves),
    },
    emergencyMeasures: m.emergencyMeasures,
    receipt: {
      acceptance: acceptanceOf(loaded),
      receivedAt: iso(m.receivedAt),
      recordedAt: iso(m.receiptRecordedAt),
      dueOn: m.receiptDueOn,
      late: m.receiptLate,
      discrepant: m.discrepant,
      intendedMethod: m.intendedMethod,
      methodsApplied: [...new Set(treated.map((t) => t.method).filter((x): x is string => x !== null))],
      completedAt: iso(m.completedAt),
      confirmation: confirmation(stepOf('receive')),
    },
    cancelReason: m.cancelReason,
    confirmations: steps.map((s) => ({ party: PARTY_OF_STEP[s.action] ?? 'system', action: s.action, ...confirmation(s)! })),
  };
}

/** One point per step and place: the containers of one step share its location. */
function dedupeTrack(moves: (typeof labelSteps.$inferSelect)[]) {
  const seen = new Set<string>();
  const points: { action: string; occurredAt: string; lat: number; lng: number }[] = [];
  for (const s of moves) {
    const key = `${s.action}|${s.occurredAt.toISOString()}|${s.lat}|${s.lng}`;
    if (seen.has(key) || s.lat === null || s.lng === null) continue;
    seen.add(key);
    points.push({ action: s.action, occurredAt: s.occurredAt.toISOString(), lat: s.lat, lng: s.lng });
  }
  return points;
}
