// 入库: the holder puts the container into one of its storage facilities.
import { WRITE_ROLES } from '../../auth/roles.js';
import { ownFacility } from './facility.js';
import type { LabelStep } from './label-step.js';

export const store: LabelStep = {
  action: 'store',
  roles: WRITE_ROLES,
  oneStatement: true,
  async plan({ label, facility, input, caller }) {
    const f = ownFacility(facility, label.holderId, input.facilityId, 'storage');
    // A container just received was entered (入库, HWRK) by the receipt: storing it then places it
    // in a facility without a second 入库 record (docs/regulations.md#ledger-records).
    const justReceived = label.state === 'received';
    return {
      facilityId: f.id, changes: { facilityId: f.id },
      ledger: justReceived ? [] : [{ orgId: caller.orgId, kind: 'HWRK', facilityCode: f.code }],
    };
  },
};
