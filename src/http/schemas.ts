// Schemas shared by many routes: problems, pagination, common parameters.
import { Type, type TSchema } from 'typebox';
import { DATE_RANGE_TEXT } from './date-range.js';
import { RULE_CODES } from '../core/rules.js';

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String(),
  requestId: Type.String(),
  // fastify's validation detail travels under `message` when a 400 schema is present.
  message: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  rule: Type.Optional(Type.Union(RULE_CODES.map((r) => Type.Literal(r)), {
    description: 'For RULE_VIOLATION (and ILLEGAL_TRANSITION beyond the state, and CONFLICT over an official number): the business rule that refused the request. Meanings: docs/errors-and-retries.md#rules',
  })),
}, { additionalProperties: true, $id: 'Problem' });

const ref = Type.Ref('Problem');

/** Standard error responses for an operation, merged with its success responses. */
export function responses<T extends Record<number, TSchema>>(ok: T, ...errors: number[]) {
  const out: Record<number, TSchema> = { ...ok };
  for (const status of [400, ...errors]) out[status] = ref;
  return out;
}

export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Uuid });
export const DateString = Type.String({ format: 'date', description: `Calendar date YYYY-MM-DD, ${DATE_RANGE_TEXT}` });
export const DateTime = Type.String({ format: 'date-time', description: `RFC 3339 date-time with offset, dated ${DATE_RANGE_TEXT}` });
export const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 }));
export const Cursor = Type.Optional(Type.String({ maxLength: 200 }));
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** One of a fixed list of strings (an enum in the OpenAPI document). */
export const OneOf = <T extends string>(values: readonly T[]) =>
  // The same anyOf-of-consts schema; Unsafe only tells TypeScript its static type is the union of T.
  Type.Unsafe<T>(Type.Union(values.map((v) => Type.Literal(v))));
