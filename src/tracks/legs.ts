// A manifest's legs: each carrier's custody, from its takeover (pickup or handover) to the next
// carrier's takeover or the delivery (转移管理办法 Art. 17 for the handovers). A leg not yet taken
// over has no leg; the last leg is open until the delivery.
import type { LoadedManifest } from '../manifests/manifest-view.js';

export interface Leg {
  position: number;
  carrierOrgId: string;
  from: Date;
  /** null while the carrier still holds the load. */
  to: Date | null;
}

export function legsOf({ m, carriers }: Pick<LoadedManifest, 'm' | 'carriers'>): Leg[] {
  const legs: Leg[] = [];
  carriers.forEach((c, i) => {
    if (!c.tookOverAt) return;
    const next = carriers[i + 1]?.tookOverAt ?? null;
    legs.push({ position: c.position, carrierOrgId: c.orgId, from: c.tookOverAt, to: next ?? m.deliveredAt ?? null });
  });
  return legs;
}

/** The time window a fix of the leg may fall in: the leg widened by the margin, an open leg up to now. */
export function legWindow(leg: Leg, marginMs: number, now: Date): { from: Date; to: Date } {
  return { from: new Date(leg.from.getTime() - marginMs), to: new Date((leg.to ?? now).getTime() + marginMs) };
}
