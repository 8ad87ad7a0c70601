// An event row as the feed and the webhooks show it: the envelope, and the aggregate's public
// representation rendered from the row images the database took with the change.
import { labels, manifests, manifestCarriers, manifestOfficialNumbers, type events } from '../db/schema.js';
import { labelView } from '../labels/label-view.js';
import { manifestView, type ManifestLabelRow } from '../manifests/manifest-view.js';
import { rowFromJson } from './row-from-json.js';

export type EventRow = typeof events.$inferSelect;
type Json = Record<string, unknown>;

interface ManifestSnapshot { m: Json; carriers: Array<Json & { external: boolean }>; items: ManifestLabelRow[]; officialNumbers?: Json[] }

function dataOf(e: EventRow, publicBaseUrl: string): unknown {
  const s = e.snapshot as Json | null;
  if (s === null) return null;
  if (e.aggregateType === 'label') return labelView(rowFromJson(labels, s), publicBaseUrl);
  if (e.aggregateType === 'manifest') {
    const { m, carriers, items, officialNumbers = [] } = s as unknown as ManifestSnapshot;
    return manifestView({
      m: rowFromJson(manifests, m),
      carriers: carriers.map((c) => ({ ...rowFromJson(manifestCarriers, c), external: c.external })),
      items,
      officialNumbers: officialNumbers.map((o) => rowFromJson(manifestOfficialNumbers, o)),
    });
  }
  return s;
}

export function eventView(e: EventRow, publicBaseUrl: string) {
  return {
    id: e.id,
    type: e.type,
    aggregate: { type: e.aggregateType, id: e.aggregateId },
    sequence: e.position,
    occurredAt: e.occurredAt.toISOString(),
    regionCode: e.regionCode,
    otherRegionCode: e.otherRegionCode,
    data: dataOf(e, publicBaseUrl),
  };
}
