// Sets of manifest states that queries use, derived from the lifecycle table so they follow it.
import { manifestLifecycle } from './manifest-lifecycle.js';

/**
 * Received with some containers accepted, and what follows (completion): the receiver took the waste.
 * Not through a correction (`revise`), which may refuse every container: a rejected manifest took none.
 */
export const RECEIVED_STATES = manifestLifecycle.reachableFrom('received', ['revise']);

