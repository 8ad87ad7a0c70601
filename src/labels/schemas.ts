// Request schemas of the label routes.
import { DATE_RANGE_TEXT } from '../http/date-range.js';
import { Type, type Static } from 'typebox';
import { OneOf, DateTime } from '../http/schemas.js';
import { HAZARDS, WASTE_CODE_PATTERN } from '../catalog/catalog.js';
import { MethodCode } from '../catalog/treatment-methods.js';
import { DIRECT_LABEL_ACTIONS } from './label-lifecycle.js';


export const PHYSICAL_FORMS = ['solid', 'semi_solid', 'liquid', 'gas'] as const;

export const Location = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
}, { additionalProperties: false });

export const OccurredAt = Type.String({ format: 'date-time', description: `When the step happened on the ground (offline handsets); RFC 3339, dated ${DATE_RANGE_TEXT}` });

export const NewLabelBody = Type.Object({
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
  remarks: Type.Optional(Type.String({ maxLength: 300 })),
  identificationReportNo: Type.Optional(Type.String({
    minLength: 1, maxLength: 100, description: 'The 危险废物鉴别 report the waste was identified by; required for 900-000-XX codes',
  })),
}, { additionalProperties: false });

export const LabelActionBody = Type.Object({
  action: OneOf(DIRECT_LABEL_ACTIONS),
  facilityId: Type.Optional(Type.String({ format: 'uuid' })),
  method: Type.Optional(MethodCode),
  parentLabelId: Type.Optional(Type.String({ format: 'uuid' })),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  location: Type.Optional(Location),
  occurredAt: Type.Optional(OccurredAt),
}, { additionalProperties: false });

/** A client's own custody step, as the API accepts it. */
export type LabelActionInput = Static<typeof LabelActionBody>;
/** A label to issue, as the API accepts it. */
export type NewLabel = Static<typeof NewLabelBody>;
