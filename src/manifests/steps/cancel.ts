// 取消: the generator withdraws a manifest before pickup; its containers are free again.
import { WRITE_ROLES } from '../../auth/roles.js';
import { releaseLabels } from '../drafts.js';
import { required } from '../../core/required.js';
import type { ManifestStep } from './manifest-step.js';

export const cancel: ManifestStep = {
  action: 'cancel',
  roles: WRITE_ROLES,
  async plan({ cmd, loaded, input }) {
    const reason = required(input.reason, 'reason');
    await releaseLabels(cmd, loaded.m.id);
    return { set: { cancelReason: reason }, details: { reason } };
  },
};
