// Request schemas of the label routes.
import { DATE_RANGE_TEXT } from '../http/date-range.js';
import { Type, type Static } from 'typebox';
import { OneOf, DateTime } from '../http/schemas.js';
import { HAZARDS, WASTE_CODE_PATTERN } from '../catalog/catalog.js';
import { MethodCode } from '../catalog/treatment-methods.js';
import { DIRECT_LABEL_ACTIONS } from './label-lifecycle.js';
import { DESTINATIONS, type Destination } from './ledger-codes.js';
import { HandledBy } from '../commands/handled-by.js';


export const PHYSICAL_FORMS = ['solid', 'semi_solid', 'liquid', 'gas'] as const;

export const Location = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
}, { additionalProperties: false });

export const OccurredAt = Type.String({ format: 'date-time', description: `When the step happened on the ground (offline handsets); RFC 3339, dated ${DATE_RANGE_TEXT}` });

const newLabelFields = {
  wasteCode: Type.String({ pattern: WASTE_CODE_PATTERN }),
  wasteName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  physicalForm: OneOf(PHYSICAL_FORMS),
  hazards: Type.Optional(Type.Array(OneOf(HAZARDS), { minItems: 1, uniqueItems: true, description: 'Defaults to the catalogue' })),
  mainComponents: Type.String({ minLength: 1, maxLength: 200 }),
  harmfulComponents: Type.String({ minLength: 1, maxLength: 200 }),
  precautions: Type.Optional(Type.String({ maxLength: 300 })),
  quantity: Type.Object({
    value: Type.Number({ exclusiveMinimum: 0, maximum: 1e7 }),
    unit: OneOf(['kg', 't']),
  }, { additionalProperties: false }),
  packaging: Type.Object({
    type: Type.String({ minLength: 1, maxLength: 50, description: 'drum, bag, box, IBC, sharps container…' }),
    volumeL: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100000 })),
  }, { additionalProperties: false }),
  generatedAt: Type.Optional(DateTime),
  facilityId: Type.Optional(Type.String({ format: 'uuid' })),
  generatingFacilityCode: Type.Optional(Type.String({
    minLength: 1, maxLength: 30, pattern: '^[0-9A-Za-z-]+$',
    description: '产生危险废物设施编码 (HJ 1259 B.1): the code of the production facility that generated the waste, as the 排污许可证 (or HJ 608) codes it',
  })),
  destination: Type.Optional(OneOf(Object.keys(DESTINATIONS) as Destination[])),
  remarks: Type.Optional(Type.String({ maxLength: 300 })),
  identificationReportNo: Type.Optional(Type.String({
    minLength: 1, maxLength: 100, description: 'The 危险废物鉴别 report the waste was identified by; required for 900-000-XX codes',
  })),
};
export const NewLabelBody = Type.Object(newLabelFields, { additionalProperties: false });

export const LabelActionBody = Type.Object({
  action: OneOf(DIRECT_LABEL_ACTIONS),
  facilityId: Type.Optional(Type.String({ format: 'uuid' })),
  method: Type.Optional(MethodCode),
  parentLabelId: Type.Optional(Type.String({ format: 'uuid' })),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  location: Type.Optional(Location),
  occurredAt: Type.Optional(OccurredAt),
  handledBy: Type.Optional(HandledBy),
}, { additionalProperties: false });

/** One label to issue, with the person who labelled it. */
export const IssueLabelBody = Type.Object({ ...newLabelFields, handledBy: Type.Optional(HandledBy) }, { additionalProperties: false });
/** A batch of labels, with the person who labelled them. */
export const IssueBatchBody = Type.Object({
  items: Type.Array(NewLabelBody, { minItems: 1, maxItems: 500 }),
  handledBy: Type.Optional(HandledBy),
}, { additionalProperties: false });

/** A client's own custody step, as the API accepts it. */
export type LabelActionInput = Static<typeof LabelActionBody>;
/** A label to issue, as the API accepts it. */
export type NewLabel = Static<typeof NewLabelBody>;
