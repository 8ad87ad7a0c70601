// 提交: the generator submits the draft; licence, capacity, carriers and vehicles are checked and the
// manifest gets its number (转移管理办法 Art. 15).
import { WRITE_ROLES } from '../../auth/roles.js';
import { checkSubmission } from '../submit-checks.js';
import { checkBeyondJurisdiction } from '../cross-province.js';
import { nextManifestNumber } from '../manifest-number.js';
import type { ManifestStep } from './manifest-step.js';

export const submit: ManifestStep = {
  action: 'submit',
  roles: WRITE_ROLES,
  async plan({ cmd, loaded, occurredAt, day }) {
    await checkSubmission(cmd.tx, loaded);
    const beyond = await checkBeyondJurisdiction(cmd.tx, loaded);
    const number = await nextManifestNumber(cmd.tx, loaded.m.regionCode, Number(day.slice(0, 4)));
    return { set: { number, submittedAt: occurredAt, ...beyond }, details: { number, ...beyond } };
  },
};
