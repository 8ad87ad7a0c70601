// While a container is on an open transfer manifest only storing it is allowed: treating,
// consolidating or voiding it would take it out from under the manifest.
import type { StepBlock } from '../../lifecycle/steps.js';
import type { LabelRow } from '../label-view.js';

export function onOpenManifest(l: LabelRow): StepBlock | undefined {
  return l.openManifestId
    ? { rule: 'on_open_manifest', detail: `The container is on an open transfer manifest (${l.openManifestId}); cancel or complete it first` }
    : undefined;
}
