// When a step happened on the ground (handsets work offline), checked against what is plausible.
import { invalid } from '../core/errors.js';

const CLOCK_SKEW_MS = 2 * 60_000;

export function resolveOccurredAt(raw: string | undefined, previousStepAt: Date, windowDays: number, now = new Date()): Date {
  if (raw === undefined) return now;
  const at = new Date(raw);
  const path = 'body.occurredAt';
  if (Number.isNaN(at.getTime())) throw invalid('occurredAt is not a valid time', [{ path, message: 'invalid date-time' }]);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid('occurredAt lies in the future', [{ path, message: 'in the future' }]);
  if (at.getTime() < previousStepAt.getTime()) {
    throw invalid(`occurredAt is before the previous step (${previousStepAt.toISOString()})`, [{ path, message: 'before the previous step' }]);
  }
  if (at.getTime() < now.getTime() - windowDays * 86_400_000) {
    throw invalid(`occurredAt is more than ${windowDays} days in the past`, [{ path, message: 'too far in the past' }]);
  }
  return at;
}
