// Parties beyond the jurisdiction (docs/regulations.md#external-parties): a receiver or carrier in
// another city of Shanxi or another province, registered by the city registrar so that manifests
// can name it. It holds no clients of ours (its own region's platform serves it); its licence is
// recorded as it declared it, since no registrar of ours issued it. It gets no site: its facilities
// are not ours to register.
import { organisations } from '../db/schema.js';
import type { Command } from '../commands/unit-of-work.js';
import { AppError, invalid, ruleViolation } from '../core/errors.js';
import { requireClientRole, supervises } from '../auth/roles.js';
import { usccProblem } from './uscc.js';
import { fullOrg, type OrgRow } from './org-view.js';

export const EXTERNAL_ROLES = ['receiver', 'carrier'] as const;

export interface NewExternalParty {
  uscc: string;
  name: string;
  roles: Array<(typeof EXTERNAL_ROLES)[number]>;
  regionCode: string;
  contact: { name: string; phone: string; email?: string };
  address: string;
  licence: { number: string; issuingAuthority: string; validFrom: string; validTo: string };
}

/** The province of a GB/T 2260 region code: its first two digits (Shanxi is 14). */
export const provinceOf = (regionCode: string) => regionCode.slice(0, 2);

export function externalView(o: OrgRow) {
  return {
    ...fullOrg(o),
    external: o.external,
    contactEmail: o.contactEmail,
    declaredLicence: o.external ? {
      number: o.declaredLicenceNumber!, issuingAuthority: o.declaredLicenceAuthority!,
      validFrom: o.declaredLicenceValidFrom!, validTo: o.declaredLicenceValidTo!,
    } : null,
  };
}

export async function createExternalParty(cmd: Command, input: NewExternalParty) {
  const { caller } = cmd.actor;
  requireClientRole(caller, 'registrar');
  const problem = usccProblem(input.uscc);
  if (problem) throw invalid('uscc is malformed or has a wrong check character (GB 32100-2015)', [{ path: 'body.uscc', message: problem }]);
  if (input.licence.validFrom > input.licence.validTo) {
    throw invalid('The declared licence ends before it starts', [{ path: 'body.licence.validTo', message: 'before validFrom' }]);
  }
  // A party in the registrar's own jurisdiction is one of ours, with clients: register it as such.
  if (supervises(caller, input.regionCode)) {
    throw ruleViolation('external_in_jurisdiction', `Region ${input.regionCode} is within your jurisdiction: register the party as one of ours`, { regionCode: input.regionCode });
  }
  const [org] = await cmd.tx.insert(organisations).values({
    uscc: input.uscc, name: input.name, roles: [...new Set(input.roles)], regionCode: input.regionCode,
    contactName: input.contact.name, contactPhone: input.contact.phone, contactEmail: input.contact.email ?? null, address: input.address,
    external: true,
    declaredLicenceNumber: input.licence.number, declaredLicenceAuthority: input.licence.issuingAuthority,
    declaredLicenceValidFrom: input.licence.validFrom, declaredLicenceValidTo: input.licence.validTo,
  }).onConflictDoNothing({ target: organisations.uscc }).returning();
  if (!org) throw new AppError('CONFLICT', `An organisation with USCC ${input.uscc} is already registered`);
  // The registrar's own chain: the party's region is not one of ours.
  await cmd.audit({ chain: caller.regionCode, entityType: 'organisation', entityId: org.id, action: 'register_external', after: externalView(org) });
  return externalView(org);
}

/** An external party has no clients of ours: it confirms receipts through signed links. */
export function refuseClientsOfExternal(org: Pick<OrgRow, 'id' | 'external'>): void {
  if (org.external) {
    throw ruleViolation('external_no_clients', 'An external party has no clients on this platform; it confirms receipts through signed links', { orgId: org.id });
  }
}

/**
 * At submit, an external party's licence is the one it declared: valid on the planned date. Its
 * scope (codes, modes, capacity) is its own authority's to supervise and is not declared here.
 */
export function checkDeclaredLicence(o: OrgRow, date: string, rule: 'licence_expired' | 'carrier_licence'): void {
  const from = o.declaredLicenceValidFrom;
  const to = o.declaredLicenceValidTo;
  if (!from || !to || date < from || date > to) {
    throw ruleViolation(rule, `${o.name}'s declared licence ${o.declaredLicenceNumber ?? ''} is not valid on ${date}`,
      { orgId: o.id, licenceNumber: o.declaredLicenceNumber, validFrom: from, validTo: to, plannedOn: date });
  }
}
