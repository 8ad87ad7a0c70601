// Who a caller is, and the checks every route uses to allow or refuse it.
import { forbidden } from '../core/errors.js';
import { inJurisdiction, jurisdictionPrefix } from '../catalog/regions.js';

export const ORG_ROLES = ['generator', 'carrier', 'receiver', 'collector', 'regulator'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
// exchange: the link with the national or provincial system (docs/exchange.md#the-exchange-role); a
// regulator's client only, as registrar is.
export const CLIENT_ROLES = ['admin', 'operator', 'driver', 'viewer', 'registrar', 'exchange'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];

export interface Caller {
  clientId: string;
  orgId: string;
  /** Roles of the client inside its organisation. */
  roles: ClientRole[];
  /** Roles of the organisation. */
  orgRoles: OrgRole[];
  regionCode: string;
  /** For regulators: the region prefix they supervise. */
  jurisdiction?: string;
  /** A handset in the field (client kind `handset`): its steps name the person handling them. */
  handset?: boolean;
}

export function isRegulator(c: Caller): boolean {
  return c.orgRoles.includes('regulator');
}

/** Does the regulator's jurisdiction include this region code? */
export function supervises(c: Caller, regionCode: string): boolean {
  return c.jurisdiction !== undefined && inJurisdiction(c.jurisdiction, regionCode);
}

export function jurisdictionOf(orgRoles: readonly string[], regionCode: string): string | undefined {
  return orgRoles.includes('regulator') ? jurisdictionPrefix(regionCode) : undefined;
}

export function requireClientRole(c: Caller, ...roles: ClientRole[]): void {
  if (!roles.some((r) => c.roles.includes(r))) {
    throw forbidden(`This needs one of the client roles: ${roles.join(', ')}`);
  }
}

export function requireOrgRole(c: Caller, ...roles: OrgRole[]): void {
  if (!roles.some((r) => c.orgRoles.includes(r))) {
    throw forbidden(`Only an organisation with the role ${roles.join(' or ')} may do this`);
  }
}

/** Clients that change records: admins and operators (drivers for carriage steps). */
export const WRITE_ROLES: ClientRole[] = ['admin', 'operator'];
