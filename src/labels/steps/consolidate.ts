// 合并: the holder puts the container into a parent container of its own (a clinic's bags into a
// turnover box); the child then follows the parent.
import { invalid, ruleViolation } from '../../core/errors.js';
import { WRITE_ROLES } from '../../auth/roles.js';
import { labelLifecycle } from '../label-lifecycle.js';
import { lockLabel } from '../custody.js';
import { onOpenManifest } from './not-on-open-manifest.js';
import type { LabelStep } from './label-step.js';

// A parent must be at the holder's site and free to take more: a state a container can be stored,
// treated or consolidated from, i.e. not shipped, refused or closed.
const OPEN_FOR_CONTENTS = labelLifecycle.statesAllowing('consolidate');

export const consolidate: LabelStep = {
  action: 'consolidate',
  roles: WRITE_ROLES,
  unless: onOpenManifest,
  async plan({ db, label, input }) {
    if (!input.parentLabelId) throw invalid('parentLabelId is required', [{ path: 'body.parentLabelId', message: 'required' }]);
    if (input.parentLabelId === label.id) throw ruleViolation('consolidation_parent', 'A container cannot be consolidated into itself');
    // Locked already when its id sorts first (the runner locks both in id order).
    const parent = await lockLabel(db, input.parentLabelId);
    if (!parent || parent.holderId !== label.holderId) {
      throw ruleViolation('consolidation_parent', 'The parent label must be held by the same organisation', { parentLabelId: input.parentLabelId });
    }
    if (parent.category !== label.category) {
      throw ruleViolation('consolidation_parent', `The parent holds ${parent.category}, this container ${label.category}`, { parentLabelId: parent.id });
    }
    if (!OPEN_FOR_CONTENTS.includes(parent.state as never) || parent.openManifestId) {
      throw ruleViolation('consolidation_parent', `The parent label is ${parent.openManifestId ? 'on an open manifest' : parent.state}`, { parentLabelId: parent.id });
    }
    return { changes: { parentId: parent.id }, details: { parentLabelId: parent.id, parentDigitalCode: parent.digitalCode } };
  },
};
