// A received manifest completes when every accepted container is treated, directly or through
// its consolidation parent. Checked whenever a container is treated, in the same transaction.
import { eq, sql } from 'drizzle-orm';
import type { Command } from '../commands/unit-of-work.js';
import { manifests } from '../db/schema.js';
import { loadManifestParts } from './manifest-view.js';
import { finishStep } from './actions.js';
import type { LabelStepHook } from '../labels/actions.js';

/** The label-step hook the app installs: a treated container may complete its manifests. */
export const completeManifestsAfterStep: LabelStepHook = async (cmd, action, treated) => {
  if (action === 'treat') await afterLabelsTreated(cmd, treated.map((l) => l.id));
};

export async function afterLabelsTreated(cmd: Command, labelIds: string[]): Promise<void> {
  const { tx } = cmd;
  // Manifests waiting on the treated containers or on anything consolidated into them.
  const { rows } = await tx.execute<{ id: string }>(sql`
    WITH RECURSIVE descendants(id) AS (
      SELECT unnest(${sql`ARRAY[${sql.join(labelIds.map((id) => sql`${id}::uuid`), sql`, `)}]`})
      UNION SELECT l.id FROM labels l JOIN descendants d ON l.parent_id = d.id
    )
    SELECT DISTINCT m.id FROM manifests m JOIN manifest_labels ml ON ml.manifest_id = m.id
    WHERE m.state = 'received' AND ml.accepted AND ml.label_id IN (SELECT id FROM descendants)
    ORDER BY m.id`);
  for (const { id } of rows) await completeIfAllTreated(cmd, id);
}

/**
 * Completes the received manifest when every accepted container is treated. Also after a
 * correction refuses a container (revision-apply.ts): the ones left accepted may all be treated.
 */
export async function completeIfAllTreated(cmd: Command, id: string): Promise<void> {
  const { tx } = cmd;
  // Lock first, then look: a concurrent treat of this manifest's last other container waits here,
  // and its next statement sees this one's committed result, so one of the two completes it.
  const [m] = await tx.select().from(manifests).where(eq(manifests.id, id)).for('update');
  if (m.state !== 'received') return;
  const { rows: [status] } = await tx.execute<{ pending: number; last_treated_at: Date | null }>(sql`
    WITH RECURSIVE chain(label_id, id, parent_id, state) AS (
      SELECT l.id, l.id, l.parent_id, l.state FROM labels l JOIN manifest_labels ml ON ml.label_id = l.id
      WHERE ml.manifest_id = ${id} AND ml.accepted
      UNION ALL
      SELECT c.label_id, p.id, p.parent_id, p.state FROM chain c JOIN labels p ON p.id = c.parent_id WHERE c.state = 'consolidated'
    )
    SELECT
      (SELECT count(*) FROM (SELECT label_id FROM chain GROUP BY label_id HAVING NOT bool_or(state = 'treated')) p)::int AS pending,
      (SELECT max(s.occurred_at) FROM label_steps s WHERE s.action = 'treat' AND s.label_id IN (SELECT id FROM chain)) AS last_treated_at`);
  if (status.pending > 0) return;
  // Completed when the last container was treated on the ground, not when the server heard of it.
  const at = status.last_treated_at ? new Date(status.last_treated_at) : new Date();
  await finishStep(cmd, await loadManifestParts(tx, m), 'complete', 'completed', { completedAt: at }, at, { trigger: 'every accepted container treated' });
}
