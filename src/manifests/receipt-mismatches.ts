// What a receiver may find differing from the manifest at receipt (转移管理办法 Art. 18: name,
// quantity, characteristics, form or packaging), beyond the weights it measures
// (docs/regulations.md#weight-tolerance). Any one makes the manifest discrepant and is reported to
// the receiving region's regulators on the weight_discrepancy alert.
import { invalid } from '../core/errors.js';

export const MISMATCH_KINDS = ['name', 'quantity', 'characteristics', 'form', 'packaging'] as const;
export type MismatchKind = (typeof MISMATCH_KINDS)[number];

interface ReportedItem { mismatches?: MismatchKind[]; mismatchNote?: string }

/** A reported mismatch needs a note saying what was found: the report is what the regulator reads. */
export function checkMismatchNotes(items: ReportedItem[]): void {
  items.forEach((r, i) => {
    if (r.mismatches?.length && !r.mismatchNote?.trim()) {
      throw invalid('A reported mismatch needs a mismatchNote', [{ path: `body.items.${i}.mismatchNote`, message: 'required with mismatches' }]);
    }
  });
}

export const hasMismatch = (r: ReportedItem): boolean => (r.mismatches?.length ?? 0) > 0;
