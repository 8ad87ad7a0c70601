// How an organisation is shown: whole to itself and its regulators, public fields to everyone else.
import type { organisations } from '../db/schema.js';
import type { Caller } from '../auth/roles.js';
import { supervises } from '../auth/roles.js';

export type OrgRow = typeof organisations.$inferSelect;

export function publicOrg(o: OrgRow) {
  return {
    id: o.id,
    uscc: o.uscc,
    name: o.name,
    roles: o.roles,
    regionCode: o.regionCode,
    generatorClass: o.generatorClass,
    medicalTier: o.medicalTier,
  };
}

export function fullOrg(o: OrgRow) {
  return {
    ...publicOrg(o),
    contact: { name: o.contactName, phone: o.contactPhone },
    address: o.address,
    createdAt: o.createdAt.toISOString(),
    version: o.version,
  };
}

/** The org itself, or a regulator whose jurisdiction holds it. */
export function managesOrg(caller: Caller, o: Pick<OrgRow, 'id' | 'regionCode'>): boolean {
  return caller.orgId === o.id || supervises(caller, o.regionCode);
}
