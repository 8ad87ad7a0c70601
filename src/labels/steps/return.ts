// A refused container comes back: the generator takes it into its own storage again.
import { WRITE_ROLES } from '../../auth/roles.js';
import { findOrg } from '../../parties/organisations.js';
import { ownFacility } from './facility.js';
import { onOpenManifest } from './not-on-open-manifest.js';
import type { LabelStep } from './label-step.js';

export const returnToGenerator: LabelStep = {
  action: 'return',
  roles: WRITE_ROLES,
  unless: onOpenManifest,
  // It reads the generator, which no custody step changes.
  oneStatement: true,
  async plan({ db, label, facility, input, occurredAt }) {
    const generator = (await findOrg(db, label.generatorId))!;
    const f = ownFacility(facility, generator.id, input.facilityId, 'storage');
    return {
      facilityId: f.id,
      changes: { holderId: generator.id, holderRegionCode: generator.regionCode, facilityId: f.id, heldSince: occurredAt, openManifestId: null },
      ledger: [{ orgId: generator.id, kind: 'HWRK', facilityCode: f.code }],
    };
  },
};
