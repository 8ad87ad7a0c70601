// The response schema of GET /manifests/{id}/national-record. Each key's national data element
// (the Chinese name on the 联单) is in docs/exchange.md#what-we-send.
import { Type } from 'typebox';
import { OfficialNumberSchema } from './official-number-view.js';

const S = Type.String();
const NS = Type.Union([Type.String(), Type.Null()]);
const DT = Type.String({ format: 'date-time' });
const NDT = Type.Union([DT, Type.Null()]);
const NN = Type.Union([Type.Number(), Type.Null()]);

const Unit = {
  orgId: S, name: S, uscc: Type.String({ description: '统一社会信用代码' }), regionCode: S, address: S,
  contact: Type.Object({ name: S, phone: S }), external: Type.Boolean({ description: 'A party beyond the jurisdiction, with no clients here' }),
};
const Licence = Type.Object({ kind: S, number: S, validTo: Type.String({ format: 'date' }) });
const Confirmation = Type.Object({
  orgId: S, clientId: S, occurredAt: DT, recordedAt: DT,
  recordedFor: Type.Union([S, Type.Null()], { description: 'The external party a step was recorded for from paper' }),
});

export const NationalRecordSchema = Type.Object({
  recordVersion: Type.Integer({ description: 'The version of this shape; it changes only with a new key set' }),
  manifestId: S,
  manifestNumber: Type.Union([S, Type.Null()], { description: 'Our 14-digit number (转移管理办法 Art. 15); null for a draft' }),
  nationalNumber: Type.Union([S, Type.Null()], { description: 'The number the national system assigned, once recorded' }),
  provincialNumber: Type.Union([S, Type.Null()], { description: 'The number the provincial system assigned, once recorded' }),
  officialNumbers: Type.Array(OfficialNumberSchema),
  version: Type.Integer(), state: S, origin: S, paperNumber: NS, kind: S,
  transferType: Type.String({ description: 'within_province | cross_province (转移类型: 省内 / 跨省)' }),
  crossProvinceApprovalNumber: NS, exemptionApprovalNumber: NS,
  shipper: Type.Object({ ...Unit, filledAt: NDT, confirmation: Type.Union([Confirmation, Type.Null()]) }),
  carriers: Type.Array(Type.Object({
    sequence: Type.Integer(), ...Unit,
    transportLicences: Type.Array(Licence), declaredLicenceNumber: NS,
    vehiclePlate: NS, vehicleLicenceNumber: NS,
    driver: Type.Union([Type.Object({ name: S, qualificationNo: NS }), Type.Null()]),
    takenOverAt: NDT, handedOverAt: NDT,
  })),
  receiver: Type.Object({ ...Unit, licences: Type.Array(Licence), declaredLicenceNumber: NS }),
  wastes: Type.Array(Type.Object({
    name: S, catalogueName: NS, category: S, categoryName: NS, code: S, catalogueEdition: S,
    harmfulComponents: S, mainComponents: S, physicalForm: S, hazardCharacteristics: Type.Array(S),
    packaging: Type.Array(Type.Object({ type: S, count: Type.Integer() })),
    containerCount: Type.Integer(), declaredQuantityT: Type.Number(), acceptedQuantityT: NN,
  })),
  containers: Type.Array(Type.Object({
    digitalCode: S, wasteCode: S, packagingType: S, volumeL: NN, declaredKg: Type.Number(),
    accepted: Type.Union([Type.Boolean(), Type.Null()]), measuredKg: NN, refusalReason: NS,
    mismatches: Type.Array(S), mismatchNote: NS,
  })),
  totals: Type.Object({ containerCount: Type.Integer(), declaredQuantityT: Type.Number(), acceptedQuantityT: NN }),
  transport: Type.Object({
    plannedAt: DT, startAddress: NS, endAddress: NS, departedAt: NDT, arrivedAt: NDT,
    trackPoints: Type.Array(Type.Object({ action: S, occurredAt: DT, lat: Type.Number(), lng: Type.Number() }), {
      description: 'The places steps were recorded at, when the handset sent one: not a continuous track (运输轨迹)',
    }),
  }),
  emergencyMeasures: S,
  receipt: Type.Object({
    acceptance: Type.Union([Type.String({ description: 'accepted | partly_accepted | rejected' }), Type.Null()]),
    receivedAt: NDT, recordedAt: NDT, dueOn: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    late: Type.Union([Type.Boolean(), Type.Null()]), discrepant: Type.Boolean(), intendedMethod: NS,
    methodsApplied: Type.Array(S, { description: 'Method codes of the receiver\'s treatment steps of these containers' }),
    completedAt: NDT, confirmation: Type.Union([Confirmation, Type.Null()]),
  }),
  cancelReason: NS,
  confirmations: Type.Array(Type.Object({ party: Type.String({ description: 'shipper | carrier | receiver | system' }), action: S, ...Confirmation.properties })),
});
