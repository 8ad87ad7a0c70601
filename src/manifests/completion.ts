// A received manifest completes when every accepted label is treated, directly or through its
// consolidation parent. Checked whenever a label is treated.
import type { Command } from '../http/command.js';

export async function afterLabelsTreated(_cmd: Command, _labelIds: string[]): Promise<void> {
  // Manifests arrive with the transfer-manifest issue; until then no manifest can be waiting.
}
