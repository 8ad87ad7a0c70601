// The body of a batch of GPS fixes, and the answer.
import { Type, type Static } from 'typebox';
import { DateTime } from '../http/schemas.js';

export const MAX_FIXES_PER_REQUEST = 1000;

export const Fix = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: 'The terminal\'s id of the fix: posting it again stores nothing twice' }),
  at: DateTime,
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  speedKmh: Type.Optional(Type.Number({ minimum: 0, maximum: 400 })),
  headingDeg: Type.Optional(Type.Number({ minimum: 0, maximum: 360 })),
  accuracyM: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000 })),
}, { additionalProperties: false });
export type FixInput = Static<typeof Fix>;

export const TrackBody = Type.Object({
  fixes: Type.Array(Fix, { minItems: 1, maxItems: MAX_FIXES_PER_REQUEST }),
}, { additionalProperties: false });

export const TrackAnswer = Type.Object({
  accepted: Type.Integer({ description: 'Fixes stored by this request' }),
  duplicate: Type.Integer({ description: 'Fixes already stored (same id and time), or repeated within the batch: nothing stored twice' }),
  implausible: Type.Integer({ description: 'Of the accepted: faster than TRACK_MAX_SPEED_KMH from the previous fix; kept, flagged, left out of the route' }),
  refused: Type.Integer({ description: 'Always 0 here: a batch with a refused fix is refused whole (400, its `errors` name each fix and why)' }),
});
