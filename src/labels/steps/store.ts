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
    return { facilityId: f.id, changes: { facilityId: f.id }, ledger: [{ orgId: caller.orgId, kind: 'HWRK', facilityCode: f.code }] };
  },
};
