// What a manifest revision may change, and the checks on each value (docs/regulations.md#manifest-corrections).
// The body's `changes` is read here rather than by the route schema, so that a field that cannot be
// corrected is refused with the rule `revision_field` (a 422 naming it), not a bare 400.
import { findWasteCode, requiresIdentificationReport } from '../catalog/catalog.js';
import { methodFitsCategory, methodKind } from '../catalog/treatment-methods.js';
import { ruleViolation } from '../core/errors.js';
import { PHYSICAL_FORMS } from '../labels/schemas.js';
import type { LabelRow } from '../labels/label-view.js';
import type { LoadedManifest } from './manifest-view.js';
import { checkOutcomeCustody } from './revision-outcome.js';

/**
 * Per-container fields a revision may correct. The receipt outcome is named as the receipt names
 * it (`accepted`, with a `refusalReason` when refused); it is checked against custody (revision-outcome.ts).
 */
export const CONTAINER_FIELDS = ['declaredKg', 'measuredKg', 'wasteCode', 'wasteName', 'packagingType', 'physicalForm', 'accepted', 'refusalReason'] as const;
/** Manifest-level fields a revision may correct. */
export const MANIFEST_FIELDS = ['intendedMethod', 'containers'] as const;

export interface ContainerChange {
  labelId: string;
  declaredKg?: number;
  measuredKg?: number;
  wasteCode?: string;
  wasteName?: string;
  packagingType?: string;
  physicalForm?: string;
  accepted?: boolean;
  refusalReason?: string;
}

export interface RevisionChanges { intendedMethod?: string; containers: ContainerChange[] }

/** The values a revision replaces, in the same shape as its changes. */
export interface RevisionBefore { intendedMethod?: string | null; containers: Array<Record<string, unknown> & { labelId: string; digitalCode: string }> }

const refuse = (field: string, detail: string) => ruleViolation('revision_field', detail, { field });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function weight(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1e7) throw refuse(field, `${field} must be a weight in kg above 0 and at most 10 000 000`);
  return Math.round(v * 1000) / 1000;
}

function text(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max) throw refuse(field, `${field} must be a text of 1 to ${max} characters`);
  return v.trim();
}

/**
 * Reads and checks the changes of a revision against the manifest and its containers' labels
 * (`labels`, by id; `returned`: those on a return manifest of it). Refuses with `revision_field`: a
 * field outside the lists above, a container not on the manifest or named twice, a value the field
 * cannot take, or changes that change nothing; with `revision_outcome_custody`, a receipt outcome
 * the container's custody no longer allows to correct (docs/regulations.md#manifest-corrections).
 */
export function readRevisionChanges(
  raw: unknown, loaded: LoadedManifest, labels: Map<string, LabelRow>, returned: Set<string>,
): { changes: RevisionChanges; before: RevisionBefore } {
  if (!isObject(raw)) throw refuse('changes', 'changes must be an object');
  for (const key of Object.keys(raw)) {
    if (!(MANIFEST_FIELDS as readonly string[]).includes(key)) {
      throw refuse(`changes.${key}`, `${key} cannot be corrected by a revision; correctable: ${[...MANIFEST_FIELDS, ...CONTAINER_FIELDS.map((f) => `containers[].${f}`)].join(', ')}`);
    }
  }
  const changes: RevisionChanges = { containers: [] };
  const before: RevisionBefore = { containers: [] };
  let changesSomething = false;

  if (raw.intendedMethod !== undefined) {
    const method = text(raw.intendedMethod, 'changes.intendedMethod', 10);
    if (!methodKind(method)) throw refuse('changes.intendedMethod', `${method} is not a treatment method code`);
    changes.intendedMethod = method;
    before.intendedMethod = loaded.m.intendedMethod;
    changesSomething ||= method !== loaded.m.intendedMethod;
  }

  const items = new Map(loaded.items.map((i) => [i.labelId, i]));
  const containers = raw.containers ?? [];
  if (!Array.isArray(containers)) throw refuse('changes.containers', 'containers must be a list');
  containers.forEach((c: unknown, i) => {
    const path = `changes.containers.${i}`;
    if (!isObject(c)) throw refuse(path, 'each container change must be an object');
    for (const key of Object.keys(c)) {
      if (key !== 'labelId' && !(CONTAINER_FIELDS as readonly string[]).includes(key)) {
        throw refuse(`${path}.${key}`, `${key} of a container cannot be corrected by a revision; correctable: ${CONTAINER_FIELDS.join(', ')}`);
      }
    }
    const labelId = typeof c.labelId === 'string' ? c.labelId : '';
    const item = items.get(labelId);
    const label = labels.get(labelId);
    if (!item || !label) throw refuse(`${path}.labelId`, 'The container is not on this manifest');
    if (changes.containers.some((x) => x.labelId === labelId)) throw refuse(`${path}.labelId`, 'The container is named twice');
    if (c.accepted !== undefined && typeof c.accepted !== 'boolean') throw refuse(`${path}.accepted`, 'accepted must be true or false');
    const outcome = c.accepted as boolean | undefined;
    const outcomeChanges = outcome !== undefined && outcome !== item.accepted;
    // A refused container may have left on another manifest since: that one's values are not this
    // one's to correct. (A corrected outcome has its own custody check, with its own rule.)
    if (label.openManifestId !== null && !outcomeChanges) throw refuse(`${path}.labelId`, 'The container is on another open manifest now');

    const change: ContainerChange = { labelId };
    const was: RevisionBefore['containers'][number] = { labelId, digitalCode: label.digitalCode };
    const note = (field: keyof ContainerChange, value: string | number | boolean, old: unknown) => {
      (change as unknown as Record<string, unknown>)[field] = value;
      (was as Record<string, unknown>)[field] = old;
      changesSomething ||= value !== old;
    };
    if (c.declaredKg !== undefined) note('declaredKg', weight(c.declaredKg, `${path}.declaredKg`), item.declaredKg);
    if (c.measuredKg !== undefined) {
      if (item.measuredKg === null) throw refuse(`${path}.measuredKg`, 'The container was not weighed at receipt');
      note('measuredKg', weight(c.measuredKg, `${path}.measuredKg`), item.measuredKg);
    }
    if (c.wasteCode !== undefined) {
      const code = text(c.wasteCode, `${path}.wasteCode`, 20);
      if (!findWasteCode(code, label.catalogueEdition)) throw refuse(`${path}.wasteCode`, `${code} is not in the National Hazardous Waste List (${label.catalogueEdition} edition) the label was classified under`);
      if (requiresIdentificationReport(code) && !label.identificationReportNo) throw refuse(`${path}.wasteCode`, `${code} needs a 危险废物鉴别 report, which this label does not name`);
      note('wasteCode', code, label.wasteCode);
    }
    if (c.wasteName !== undefined) note('wasteName', text(c.wasteName, `${path}.wasteName`, 100), label.wasteName);
    if (c.packagingType !== undefined) note('packagingType', text(c.packagingType, `${path}.packagingType`, 50), label.packagingType);
    if (c.physicalForm !== undefined) {
      if (!(PHYSICAL_FORMS as readonly unknown[]).includes(c.physicalForm)) throw refuse(`${path}.physicalForm`, `physicalForm must be one of ${PHYSICAL_FORMS.join(', ')}`);
      note('physicalForm', c.physicalForm as string, label.physicalForm);
    }
    if (outcome !== undefined) {
      if (item.accepted === null) throw refuse(`${path}.accepted`, 'The container has no receipt outcome to correct');
      note('accepted', outcome, item.accepted);
    }
    const refusedAfter = (outcome ?? item.accepted) === false;
    if (c.refusalReason !== undefined) {
      if (!refusedAfter) throw refuse(`${path}.refusalReason`, 'A refusalReason is for a refused container');
      note('refusalReason', text(c.refusalReason, `${path}.refusalReason`, 500), item.refusalReason);
    } else if (outcomeChanges && refusedAfter) {
      throw refuse(`${path}.refusalReason`, 'A container corrected to refused needs a refusalReason, as at receipt');
    } else if (outcomeChanges) {
      // Accepted now: the refusal's reason is cleared on the manifest, and stays readable here.
      (was as Record<string, unknown>).refusalReason = item.refusalReason;
    }
    if (outcomeChanges) checkOutcomeCustody(loaded.m, outcome, label, returned, `${path}.accepted`);
    changes.containers.push(change);
    before.containers.push(was);
  });

  if (!changesSomething) throw refuse('changes', 'The revision changes nothing');
  // A medical-waste method (Y…) stays for HW01, as at submit.
  const method = changes.intendedMethod ?? loaded.m.intendedMethod;
  if (method) {
    for (const l of labels.values()) {
      const code = changes.containers.find((x) => x.labelId === l.id)?.wasteCode ?? l.wasteCode;
      const category = findWasteCode(code, l.catalogueEdition)?.category ?? l.category;
      if (!methodFitsCategory(method, category)) throw refuse('changes.intendedMethod', `${method} does not fit ${category} (container ${l.digitalCode})`);
    }
  }
  return { changes, before };
}
