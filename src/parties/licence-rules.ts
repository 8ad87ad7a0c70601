// What a licence allows: pure functions over licence records, shared by the registry and the
// manifest checks (docs/regulations.md#licence-coverage). No database, no clock: callers pass the date.
import { coversWasteCode } from '../catalog/catalog.js';
import { methodKind, type MethodKind } from '../catalog/treatment-methods.js';

/**
 * What a registrar records (docs/regulations.md#licence-kinds):
 * - `comprehensive`  危险废物综合经营许可证 (经营许可证管理办法 Art. 3): 收集/贮存/利用/处置, any category;
 * - `collection`     危险废物收集经营许可证 (Art. 3): collection only, of waste mineral oil from vehicle
 *                    repair and households' waste Cd-Ni batteries;
 * - `collection_pilot`          a small-quantity collection pilot approval (收集试点, plan 二(五)2);
 * - `medical_collection_point`  a medical-waste collection-point approval (医疗废物暂存/中转);
 * - `transport`      道路危险货物运输许可.
 */
export const LICENCE_KINDS = ['comprehensive', 'collection', 'collection_pilot', 'medical_collection_point', 'transport'] as const;
export type LicenceKind = (typeof LICENCE_KINDS)[number];

/** 危险废物经营许可证 in the sense of 经营许可证管理办法 Art. 3: its holders are 经营单位. */
export const OPERATING_LICENCE_KINDS = ['comprehensive', 'collection'] as const satisfies readonly LicenceKind[];
/** Approvals a registrar records for gathering points; not 经营许可证. */
export const COLLECTION_APPROVAL_KINDS = ['collection_pilot', 'medical_collection_point'] as const satisfies readonly LicenceKind[];
/** Every kind under which a receiver may take waste in (the submit and treat checks). */
export const RECEIVING_LICENCE_KINDS = [...OPERATING_LICENCE_KINDS, ...COLLECTION_APPROVAL_KINDS] as const;
/** Kinds that only gather waste to ship it onward: the gathering rule of licenceHasMode applies to them. */
export const GATHERING_LICENCE_KINDS: readonly LicenceKind[] = ['collection', ...COLLECTION_APPROVAL_KINDS];

export const isOperatingLicenceKind = (kind: string) => (OPERATING_LICENCE_KINDS as readonly string[]).includes(kind);

/**
 * The only codes a 危险废物收集经营许可证 may list (经营许可证管理办法 Art. 3): 900-214-08 (waste lubricating
 * oils from vehicle and machinery repair) and 900-044-49 (discarded Cd-Ni batteries, fluorescent powder,
 * CRTs), the catalogue rows that hold the two wastes the article names.
 */
export const COLLECTION_LICENCE_CODES = ['900-214-08', '900-044-49'] as const;
/** The category a medical-waste collection point gathers: HW01 医疗废物. */
export const MEDICAL_WASTE_CATEGORY = 'HW01';
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
  l: { kind?: string; modes: readonly string[] },
  intendedMethod: string | undefined,
  receiverIsCollector: boolean,
): boolean {
  // A collection licence or approval allows nothing but gathering: the method is always downstream's.
  if (l.kind !== undefined && GATHERING_LICENCE_KINDS.includes(l.kind as LicenceKind)) return l.modes.length > 0;
  if (receiverIsCollector && l.modes.some((m) => (GATHERING_MODES as readonly string[]).includes(m))) return true;
  const needed: readonly string[] = requiredModesFor(intendedMethod);
  return l.modes.some((m) => needed.includes(m));
}
