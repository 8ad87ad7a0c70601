// When a plan or declaration was filed (docs/regulations.md#management-plans): by default now; a
// filing made in the national system and entered here later states when it was made, within the
// window every back-reported time has (OCCURRED_AT_WINDOW_DAYS), never in the future nor before
// the filing was possible. The time it was recorded here is kept beside it.
import { invalid } from '../../core/errors.js';

const CLOCK_SKEW_MS = 2 * 60_000;

export function resolveSubmittedAt(raw: string | undefined, earliest: Date, windowDays: number, now = new Date()): Date {
  if (raw === undefined) return now;
  const at = new Date(raw);
  const path = 'body.submittedAt';
  if (Number.isNaN(at.getTime())) throw invalid('submittedAt is not a valid time', [{ path, message: 'invalid date-time' }]);
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw invalid('submittedAt lies in the future', [{ path, message: 'in the future' }]);
  if (at.getTime() < now.getTime() - windowDays * 86_400_000) {
    throw invalid(`submittedAt is more than ${windowDays} days in the past`, [{ path, message: 'too far in the past' }]);
  }
  if (at < earliest) throw invalid(`submittedAt is before ${earliest.toISOString()}, when this filing became possible`, [{ path, message: 'too early' }]);
  return at;
}
