// The physical custody of one container (docs/regulations.md#label-lifecycle), as data.
import { defineLifecycle } from '../lifecycle/lifecycle.js';

export const LABEL_STATES = ['issued', 'stored', 'in_transit', 'received', 'rejected', 'treated', 'consolidated', 'voided'] as const;
export type LabelState = (typeof LABEL_STATES)[number];

export const LABEL_ACTIONS = ['store', 'dispatch', 'accept', 'refuse', 'return', 'treat', 'consolidate', 'void', 'revise'] as const;
export type LabelAction = (typeof LABEL_ACTIONS)[number];

/**
 * Actions a client takes on the label itself; the others happen only through a manifest. A refused
 * container goes back only on a return manifest (转移管理办法 Art. 18, docs/regulations.md#return-trips):
 * `return` is its pickup at the refusing receiver, no longer a step of the label's own.
 */
export const DIRECT_LABEL_ACTIONS = ['store', 'treat', 'consolidate', 'void'] as const;
export type DirectLabelAction = (typeof DIRECT_LABEL_ACTIONS)[number];

export type LabelActor = 'generator' | 'holder' | 'carrier' | 'receiver';

export const labelLifecycle = defineLifecycle<LabelState, LabelAction, LabelActor>({
  name: 'label',
  states: LABEL_STATES,
  initial: 'issued',
  createdBy: { action: 'issue' as LabelAction, by: 'generator' },
  terminal: ['treated', 'consolidated', 'voided'],
  rows: [
    { from: ['issued', 'received'], action: 'store', to: 'stored', by: 'holder', note: 'into one of its storage facilities' },
    { from: ['issued', 'stored'], action: 'dispatch', to: 'in_transit', by: 'carrier', note: 'manifest pickup only' },
    { from: ['in_transit'], action: 'accept', to: 'received', by: 'receiver', note: 'manifest receipt; the receiver becomes holder' },
    { from: ['in_transit'], action: 'refuse', to: 'rejected', by: 'receiver', note: 'manifest receipt' },
    { from: ['rejected'], action: 'return', to: 'in_transit', by: 'carrier', note: 'return manifest pickup at the refusing receiver' },
    { from: ['issued', 'stored', 'received'], action: 'treat', to: 'treated', by: 'holder', note: 'licence mode or own facility' },
    { from: ['issued', 'stored', 'received'], action: 'consolidate', to: 'consolidated', by: 'holder', note: 'into a parent of the same holder and category' },
    { from: ['issued', 'stored'], action: 'void', to: 'voided', by: 'generator', note: 'never left the generator; reason required' },
    // A receipt outcome corrected by an approved manifest revision (docs/regulations.md#manifest-corrections),
    // only while the container is where the receipt left it.
    { from: ['received'], action: 'revise', to: 'rejected', by: 'receiver', note: 'receipt outcome corrected to refused (revision approved by every party); back in the generator\'s custody' },
    { from: ['rejected'], action: 'revise', to: 'received', by: 'receiver', note: 'receipt outcome corrected to accepted (revision approved by every party); the receiver becomes holder' },
  ],
});
