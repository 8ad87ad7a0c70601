// Request schemas of the manifest routes, and the service inputs typed from them (one contract).
import { Type, type Static } from 'typebox';
import { DateTime, OneOf } from '../http/schemas.js';
import { MethodCode } from '../catalog/treatment-methods.js';
import { Location, OccurredAt } from '../labels/schemas.js';
import { HandledBy } from '../commands/handled-by.js';
import { CLIENT_MANIFEST_ACTIONS } from './manifest-lifecycle.js';
import { MISMATCH_KINDS } from './receipt-mismatches.js';

const Uuid = Type.String({ format: 'uuid' });
const Driver = Type.Object({ name: Type.String({ minLength: 1, maxLength: 50 }), qualificationNo: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: false });
const Carrier = Type.Object({
  orgId: Uuid, vehiclePlate: Type.Optional(Type.String({ minLength: 5, maxLength: 12 })), driver: Type.Optional(Driver),
}, { additionalProperties: false });

const draftFields = {
  receiverId: Uuid,
  carriers: Type.Array(Carrier, { minItems: 1, maxItems: 5, description: 'In the order they carry the load (multimodal, Art. 17)' }),
  labelIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }),
  plannedAt: DateTime,
  exemptionId: Type.Optional(Uuid),
  intendedMethod: Type.Optional(MethodCode),
  emergencyMeasures: Type.Optional(Type.String({ maxLength: 1000, description: 'Emergency measures for the transfer (转移管理办法 Art. 10); required, not blank, to submit' })),
};
/** The number printed on a paper manifest form (转移联单), for a transfer back-entered from paper. */
export const PaperNumber = (description = 'The paper form\'s number') =>
  Type.String({ minLength: 4, maxLength: 40, pattern: '^[0-9A-Za-z-]+$', description });
export const NewManifest = Type.Object({
  ...draftFields,
  originalManifestId: Type.Optional(Type.String({ format: 'uuid', description: 'A return manifest (转移管理办法 Art. 18): the manifest whose refused containers (labelIds) go back to the generator (receiverId = the generator) or on to another receiver it names' })),
  paperNumber: Type.Optional(PaperNumber('Back-entry (补录) of a transfer that ran on a paper form: the form\'s number. The manifest\'s steps are then entered with their real times (occurredAt), within PAPER_BACKENTRY_WINDOW_DAYS')),
}, { additionalProperties: false });
export const ManifestPatch = Type.Partial(Type.Object(draftFields), { additionalProperties: false });

/** A receipt: every container accepted or refused, with its measured quantity. */
export const ReceiptItems = Type.Array(Type.Object({
  labelId: Uuid,
  accepted: Type.Boolean(),
  measuredQuantity: Type.Object({ value: Type.Number({ minimum: 0, maximum: 1e7 }), unit: OneOf(['kg', 't']) }, { additionalProperties: false }),
  refusalReason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  mismatches: Type.Optional(Type.Array(OneOf(MISMATCH_KINDS), {
    uniqueItems: true, maxItems: MISMATCH_KINDS.length,
    description: 'What differs from the manifest (转移管理办法 Art. 18): name (waste code or name), quantity, characteristics (hazards), form, packaging; any makes the manifest discrepant',
  })),
  mismatchNote: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'What was found; required with mismatches' })),
}, { additionalProperties: false }), { minItems: 1, maxItems: 1000 });

export const ActionBody = Type.Object({
  action: OneOf(CLIENT_MANIFEST_ACTIONS),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  qr: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), { minItems: 1, maxItems: 1000 })),
  labelIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 1000 })),
  vehiclePlate: Type.Optional(Type.String({ minLength: 5, maxLength: 12 })),
  driver: Type.Optional(Driver),
  location: Type.Optional(Location),
  occurredAt: Type.Optional(OccurredAt),
  items: Type.Optional(ReceiptItems),
  handledBy: Type.Optional(HandledBy),
}, { additionalProperties: false, description: 'pickup {qr[] or labelIds[], vehiclePlate, driver}; handover {vehiclePlate, driver}; deliver {}; receive {items}; cancel {reason}' });


export type ManifestActionInput = Static<typeof ActionBody>;
export type ClientManifestAction = ManifestActionInput['action'];
export type DraftInput = Static<typeof NewManifest>;
export type DraftPatch = Static<typeof ManifestPatch>;
export type CarrierInput = DraftInput['carriers'][number];
