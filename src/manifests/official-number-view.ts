// An official 联单 number as stored and as the API shows it, on its own and inside the manifest.
import { Type } from 'typebox';
import type { manifestOfficialNumbers } from '../db/schema.js';

export type OfficialNumberRow = typeof manifestOfficialNumbers.$inferSelect;

/** The systems that assign official numbers: the national system, or the province's own. */
export const OFFICIAL_SYSTEMS = ['national', 'provincial'] as const;
export type OfficialSystem = (typeof OFFICIAL_SYSTEMS)[number];

export function officialNumberView(o: OfficialNumberRow) {
  return {
    system: o.system,
    number: o.number,
    assignedAt: o.assignedAt.toISOString(),
    recordedAt: o.recordedAt.toISOString(),
    recordedBy: { orgId: o.orgId, clientId: o.clientId },
    correctedAt: o.correctedAt?.toISOString() ?? null,
    correctionReason: o.correctionReason,
  };
}

export const OfficialNumberSchema = Type.Object({
  system: Type.String({ description: 'national | provincial' }),
  number: Type.String({ description: 'As the official system assigned it' }),
  assignedAt: Type.String({ format: 'date-time', description: 'When the official system assigned it, as that system says' }),
  recordedAt: Type.String({ format: 'date-time', description: 'When it was recorded here (server time); of the correction, once corrected' }),
  recordedBy: Type.Object({ orgId: Type.String(), clientId: Type.String() }, { description: 'The exchange client that recorded it' }),
  correctedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  correctionReason: Type.Union([Type.String(), Type.Null()], { description: 'Why the number was replaced; the value it replaced is in the audit trail' }),
});
