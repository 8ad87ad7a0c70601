// What a licence allows: pure functions over licence records, shared by the registry and the
// manifest checks (docs/regulations.md#licence-coverage). No database, no clock: callers pass the date.
import { coversWasteCode } from '../catalog/catalog.js';
import { methodKind, type MethodKind } from '../catalog/treatment-methods.js';

export const LICENCE_KINDS = ['operating', 'transport'] as const;
export type LicenceKind = (typeof LICENCE_KINDS)[number];
export const LICENCE_MODES = ['collection', 'storage', 'utilisation', 'disposal'] as const;
export type LicenceMode = (typeof LICENCE_MODES)[number];
export const LICENCE_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type LicenceStatus = (typeof LICENCE_STATUSES)[number];

/** Modes that let a receiver gather waste in order to ship it onward (收集 / 贮存). */
export const GATHERING_MODES: readonly LicenceMode[] = ['collection', 'storage'];

/** Does the licence cover this exact waste code, by the code itself or its whole category `HWxx`? */
export function licenceCovers(l: { wasteCodes: readonly string[] }, code: string): boolean {
  return coversWasteCode(l.wasteCodes, code);
}

/** Active status and `date` (YYYY-MM-DD) within the validity period, both ends included. */
export function licenceActiveOn(l: { status: string; validFrom: string; validTo: string }, date: string): boolean {
  return l.status === 'active' && l.validFrom <= date && date <= l.validTo;
}

const MODES_BY_KIND: Record<MethodKind, LicenceMode[]> = {
  utilisation: ['utilisation'],
  disposal: ['disposal'],
};

/**
 * Licence modes of which the receiver needs at least one to take waste for `intendedMethod`: a
 * utilisation method (R…, C2, C3) → utilisation, a disposal method (D…, C1, Y…) → disposal, no
 * method stated → any mode (docs/regulations.md#treatment-methods). A code missing from the table
 * yields [] (no licence satisfies it): codes are validated where they are entered, and one that is
 * not must not let waste through.
 */
export function requiredModesFor(intendedMethod: string | undefined): LicenceMode[] {
  if (intendedMethod === undefined || intendedMethod === '') return [...LICENCE_MODES];
  const kind = methodKind(intendedMethod);
  return kind ? [...MODES_BY_KIND[kind]] : [];
}

/**
 * Does the receiver's licence have a mode that allows this transfer? The one check callers use.
 *
 * Project reading of "collection or storage when the receiver gathers waste to ship onward"
 * (docs/regulations.md#collection-approvals collection approvals, §5 submit): when the receiver is a gathering point
 * (`receiverIsCollector`: a collector, or a township centre gathering clinics' waste), the intended
 * method names what will finally happen to the waste downstream, not what this receiver does; so
 * a `collection` or `storage` mode suffices whatever the method. A receiver that does not gather
 * needs the mode matching the method (requiredModesFor). A gathering receiver that also utilises or
 * disposes may of course qualify by that mode too.
 */
export function licenceHasMode(
  l: { modes: readonly string[] },
  intendedMethod: string | undefined,
  receiverIsCollector: boolean,
): boolean {
  if (receiverIsCollector && l.modes.some((m) => (GATHERING_MODES as readonly string[]).includes(m))) return true;
  const needed: readonly string[] = requiredModesFor(intendedMethod);
  return l.modes.some((m) => needed.includes(m));
}
