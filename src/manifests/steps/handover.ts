// 交接 (multimodal, 转移管理办法 Art. 17): the next carrier in order takes the load.
import { DRIVER_ROLES, takeOver } from './carriage.js';
import type { ManifestStep } from './manifest-step.js';

export const handover: ManifestStep = {
  action: 'handover',
  roles: DRIVER_ROLES,
  async plan({ cmd, loaded: { m, carriers }, input, occurredAt, day }) {
    const next = carriers[m.currentCarrier + 1];
    const { plate, driver } = await takeOver(cmd.tx, m.id, next, input, occurredAt, day);
    return {
      set: { currentCarrier: next.position },
      details: { fromCarrier: carriers[m.currentCarrier].orgId, toCarrier: next.orgId, vehiclePlate: plate, driver },
    };
  },
};
