// 经办人 (HJ 1259 §6.1, tables B.1–B.5): the named person who handled a step, as the request names
// them. A client on a handset in the field must name them (HANDLED_BY_REQUIRED, default: handsets);
// the client id that sent the request stays in the audit trail either way.
import { Type, type Static } from 'typebox';
import { invalid } from '../core/errors.js';

export const HANDLED_BY_POLICIES = ['handsets', 'always', 'never'] as const;
export type HandledByPolicy = (typeof HANDLED_BY_POLICIES)[number];

export const HandledBy = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S', description: 'The person who handled the step (经办人)' }),
  idNumber: Type.Optional(Type.String({
    minLength: 4, maxLength: 30, pattern: '^[0-9A-Za-z-]+$',
    description: 'Their identity or staff document number; kept in the ledger only, never in the audit trail',
  })),
}, { additionalProperties: false, description: '经办人: required from handset clients (HANDLED_BY_REQUIRED)' });
export type HandledBy = Static<typeof HandledBy>;

/** The person a request names, checked against the policy for the calling client. */
export function handledByOf(body: unknown, handset: boolean, policy: HandledByPolicy): { handledBy: HandledBy | null; required: boolean } {
  const named = body && typeof body === 'object' && 'handledBy' in body ? (body as { handledBy?: HandledBy }).handledBy ?? null : null;
  return { handledBy: named, required: policy === 'always' || (policy === 'handsets' && handset) };
}

/** Refuses a custody step that must name its handler and does not. */
export function requireHandledBy(actor: { handledBy?: HandledBy | null; handledByRequired?: boolean }): void {
  if (actor.handledByRequired && !actor.handledBy) {
    throw invalid('This client must name the person handling the step (handledBy: {name})',
      [{ path: 'body.handledBy', message: 'required for handset clients' }]);
  }
}
