// The facility a step names must be the organisation's own, of the right kind.
import { invalid, ruleViolation } from '../../core/errors.js';
import type { NamedFacility } from '../custody.js';

export function ownFacility(f: NamedFacility | null, orgId: string, id: string | undefined, kind: 'storage' | 'treatment'): NamedFacility {
  if (!id) throw invalid(`facilityId is required: the ${kind} facility`, [{ path: 'body.facilityId', message: 'required' }]);
  if (!f || f.orgId !== orgId || f.kind !== kind) throw ruleViolation('facility', `Facility ${id} is not a ${kind} facility of the holder`, { facilityId: id });
  return f;
}
