// Sets of label states that queries use, derived from the lifecycle table so they follow it.
import { labelLifecycle, type LabelState } from './label-lifecycle.js';

const union = (...sets: LabelState[][]) => labelLifecycle.states.filter((st) => sets.some((s) => s.includes(st)));

/** A manifest may take these: the states a carrier dispatches from at pickup (出库). */
export const SHIPPABLE_STATES = labelLifecycle.statesAllowing('dispatch');

/** At its holder's site, where the holder may treat it: the storage clock (固废法 Art. 81) runs. */
export const HELD_STATES = labelLifecycle.statesAllowing('treat');

/** Held, or refused and waiting at the receiver to go back: stored waste for the one-year alerts. */
export const STORED_OR_AWAITING_RETURN = union(HELD_STATES, labelLifecycle.statesAllowing('return'));
