// The transfer manifest (转移联单, docs/regulations.md#manifest-lifecycle), as data.
import { defineLifecycle } from '../lifecycle/lifecycle.js';

export const MANIFEST_STATES = ['draft', 'submitted', 'in_transit', 'delivered', 'received', 'rejected', 'completed', 'cancelled'] as const;
export type ManifestState = (typeof MANIFEST_STATES)[number];

export const MANIFEST_ACTIONS = ['submit', 'cancel', 'pickup', 'handover', 'deliver', 'receive', 'complete', 'revise'] as const;
export type ManifestAction = (typeof MANIFEST_ACTIONS)[number];

/** Actions clients call; `complete` follows by itself when every accepted container is treated. */
export const CLIENT_MANIFEST_ACTIONS = ['submit', 'cancel', 'pickup', 'handover', 'deliver', 'receive'] as const;

export type ManifestActor = 'generator' | 'first carrier' | 'next carrier' | 'last carrier or receiver' | 'receiver' | 'system' | 'every party';

export const manifestLifecycle = defineLifecycle<ManifestState, ManifestAction, ManifestActor>({
  name: 'manifest',
  states: MANIFEST_STATES,
  initial: 'draft',
  // A return manifest (kind return) is drafted by the generator too, for refused containers of an
  // original manifest, and runs the same steps (docs/regulations.md#return-trips).
  createdBy: { action: 'create' as ManifestAction, by: 'generator' },
  terminal: ['rejected', 'completed', 'cancelled'],
  rows: [
    { from: ['draft'], action: 'submit', to: 'submitted', by: 'generator', note: 'licence, capacity, carriers and vehicles checked; number assigned' },
    { from: ['draft', 'submitted'], action: 'cancel', to: 'cancelled', by: 'generator', note: 'reason required' },
    { from: ['submitted'], action: 'pickup', to: 'in_transit', by: 'first carrier', note: 'every label scanned, no other' },
    { from: ['in_transit'], action: 'handover', to: 'in_transit', by: 'next carrier' },
    { from: ['in_transit'], action: 'deliver', to: 'delivered', by: 'last carrier or receiver', note: 'starts the receipt clock' },
    { from: ['delivered'], action: 'receive', to: 'received', by: 'receiver', note: 'some containers accepted' },
    { from: ['delivered'], action: 'receive', to: 'rejected', by: 'receiver', note: 'every container refused' },
    { from: ['delivered'], action: 'receive', to: 'completed', by: 'receiver', note: 'return manifest: the generator took its containers back' },
    { from: ['received'], action: 'complete', to: 'completed', by: 'system', note: 'every accepted container treated' },
    // Corrections (docs/regulations.md#manifest-corrections): applied by the last approval of a
    // revision request. Only a corrected receipt outcome moves the state, so rejected and completed
    // are terminal for the transfer's own steps, not for a correction of its record.
    { from: ['received', 'rejected', 'completed'], action: 'revise', to: 'received', by: 'every party', note: 'revision approved; some container accepted, not every accepted one treated' },
    { from: ['received', 'rejected'], action: 'revise', to: 'rejected', by: 'every party', note: 'revision approved; every container refused' },
    { from: ['completed'], action: 'revise', to: 'completed', by: 'every party', note: 'revision approved; outcome unchanged' },
  ],
});
