// 送达: the last carrier (or the receiver) records the arrival, which starts the receipt clock
// (转移管理办法 Art. 18: receipt confirmed within RECEIPT_WORKING_DAYS working days).
import { addWorkingDays, CalendarNotCoveredError } from '../../calendar/working-days.js';
import { DRIVER_ROLES } from './carriage.js';
import { issueReceiptLink } from '../external-receipt.js';
import type { ManifestStep } from './manifest-step.js';

export const deliver: ManifestStep = {
  action: 'deliver',
  roles: DRIVER_ROLES,
  // The last carrier delivers only once the load has been handed over to it; the receiver may
  // confirm the arrival at any point of the carriage.
  unless: ({ m, carriers }, caller) => (caller.orgId !== m.receiverId && m.currentCarrier !== carriers.length - 1
    ? { rule: 'carrier_order', detail: 'The containers have not been handed over to the last carrier yet' }
    : undefined),
  async plan({ cmd, settings, loaded: { m }, occurredAt, day }) {
    // An external receiver confirms through a one-time link made now (../external-receipt.ts).
    const link = m.receiverExternal && settings.externalReceipt
      ? await issueReceiptLink(cmd, { keys: settings.keys, ...settings.externalReceipt }, m, m.version + 1, new Date())
      : {};
    try {
      const receiptDueOn = addWorkingDays(day, settings.receiptWorkingDays);
      return { set: { deliveredAt: occurredAt, receiptDueOn }, details: { receiptDueOn, ...link } };
    } catch (e) {
      if (!(e instanceof CalendarNotCoveredError)) throw e;
      // The arrival is a fact and is recorded; the deadline is not guessed. It stays null until a
      // regulator loads that year's calendar, which computes it (src/calendar/pending-deadlines.ts).
      return {
        set: { deliveredAt: occurredAt, receiptDueOn: null },
        details: { receiptDueOn: null, receiptDueUnknown: `The working-day calendar for ${e.year} is not loaded`, ...link },
      };
    }
  },
};
