// 作废: the generator withdraws a label it issued by mistake, while the container never left it.
import { sql } from 'drizzle-orm';
import { invalid, ruleViolation } from '../../core/errors.js';
import { WRITE_ROLES } from '../../auth/roles.js';
import { onOpenManifest } from './not-on-open-manifest.js';
import type { LabelStep } from './label-step.js';

export const voidLabel: LabelStep = {
  action: 'void',
  roles: WRITE_ROLES,
  unless: (l) => onOpenManifest(l) ?? (l.hasLeftGenerator || l.holderId !== l.generatorId
    ? { rule: 'void_after_transfer', detail: 'This container has left the generator; it can no longer be voided' }
    : undefined),
  async plan({ db, label, input }) {
    if (!input.reason?.trim()) throw invalid('A reason is required to void a label', [{ path: 'body.reason', message: 'required' }]);
    // Voiding a box would silently end the containers inside it.
    const { rows: inside } = await db.execute(sql`SELECT 1 FROM labels WHERE parent_id = ${label.id} LIMIT 1`);
    if (inside.length) throw ruleViolation('void_with_contents', 'Containers have been consolidated into this label; it cannot be voided');
    return { details: { reason: input.reason } };
  },
};
