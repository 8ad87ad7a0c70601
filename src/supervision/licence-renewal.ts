// The day a licence's renewal falls due, shared by the licence_expiring alert and the risk tier
// (docs/regulations.md#licence-renewal).
import { isOperatingLicenceKind } from '../parties/licence-rules.js';
import { CalendarNotCoveredError, shanghaiDate, shanghaiDayStart, workingDaysBefore } from '../calendar/working-days.js';

const DAY = 86_400_000;

/**
 * When a licence's expiry alert opens: for a 经营许可证 (comprehensive or collection) the renewal deadline, 30 working
 * days before it expires; beyond the loaded working-day calendar (or for other licences), `days`
 * calendar days before, and the alert says which it counted.
 */
export function licenceAlertOpens(kind: string, validTo: string, days: number): { on: string; counted: 'working_days' | 'days' } {
  if (isOperatingLicenceKind(kind)) {
    try {
      return { on: workingDaysBefore(validTo, LICENCE_RENEWAL_WORKING_DAYS), counted: 'working_days' };
    } catch (e) {
      if (!(e instanceof CalendarNotCoveredError)) throw e;
    }
  }
  return { on: shanghaiDate(new Date(shanghaiDayStart(validTo).getTime() - days * DAY)), counted: 'days' };
}

/** 危险废物经营许可证管理办法 Art. 13 ¶2: apply for renewal 30 working days before expiry. */
const LICENCE_RENEWAL_WORKING_DAYS = 30;
