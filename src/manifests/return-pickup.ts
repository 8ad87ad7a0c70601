// The pickup of a return manifest, at the receiver that refused the containers: each goes from
// `rejected` back in transit (label action `return`). No ledger record: the refusing receiver never
// took them into its storage, and the generator's outbound record (出库) was written at the first pickup.
import type { CustodyStep } from '../labels/custody.js';
import type { LabelRow } from '../labels/label-view.js';
import type { ManifestRow } from './manifest-view.js';

export function returnPickupSteps(
  m: ManifestRow, labels: LabelRow[], carrierId: string, occurredAt: Date, location: { lat: number; lng: number } | null, vehiclePlate: string,
): CustodyStep[] {
  return labels.map((label) => ({
    label, action: 'return', orgId: carrierId, occurredAt, manifestId: m.id, location,
    details: { manifestNumber: m.number, vehiclePlate, returnOf: m.originalManifestId, from: m.returnFromId },
  }));
}
