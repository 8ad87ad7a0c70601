// The step engine: the lifecycle table decides which steps exist, and each step's module says who
// may take it. The same answer is used twice, so they cannot disagree: to list the steps a caller is
// offered (scan, GET) and to allow or refuse the step when the caller takes it.
//
// A step is offered to a caller when
//   1. the table has a row for (current state, action)               — else 409 ILLEGAL_TRANSITION,
//   2. the caller is the row's actor for this record (`actorIs`)     — else 403 FORBIDDEN,
//   3. the caller's client holds one of the step's roles             — else 403 FORBIDDEN,
//   4. the step's own condition on the record holds (`unless`)       — else 409 ILLEGAL_TRANSITION
//      naming the rule (e.g. a container on an open manifest can only be stored).
// A refusal lists the steps this caller is offered now (`allowedActions`). Checks that need the
// database or the request body (a facility, a licence, a reason) come after, in the step's plan.
import { AppError } from '../core/errors.js';
import type { RuleCode } from '../core/rules.js';
import type { Caller, ClientRole } from '../auth/roles.js';
import type { Lifecycle } from './lifecycle.js';

/** Why a step is withdrawn for this record although its state and actor would allow it. */
export interface StepBlock { rule: RuleCode; detail: string }

export interface StepPolicy<E, A extends string> {
  action: A;
  /** Client roles that may take the step, besides being the right party. */
  roles: readonly ClientRole[];
  /** A condition on the record (and caller) beyond state and actor; a block withdraws the step. */
  unless?: (record: E, caller: Caller) => StepBlock | undefined;
}

export interface StepGate<S extends string, A extends string, E> {
  /** The steps this caller may take on the record now, in table order. */
  offered(caller: Caller, record: E, among?: readonly A[]): A[];
  /** Throws the refusal a step would get (409 or 403, naming the offered steps); returns its policy. */
  authorise(caller: Caller, record: E, action: A): void;
  readonly lifecycle: Lifecycle<S, A, string>;
}

export function stepGate<S extends string, A extends string, R extends string, E>(def: {
  lifecycle: Lifecycle<S, A, R>;
  stateOf: (record: E) => S;
  /** Whether the caller is the table's actor kind `by` for this record. */
  actorIs: (by: R, caller: Caller, record: E) => boolean;
  /** One policy per action a client takes; actions without one are never offered to clients. */
  policies: readonly StepPolicy<E, A>[];
}): StepGate<S, A, E> {
  const policyOf = new Map(def.policies.map((p) => [p.action, p]));
  const holdsRole = (caller: Caller, p: StepPolicy<E, A>) => p.roles.some((r) => caller.roles.includes(r));

  /** The first reason the caller may not take the action, or undefined when it may. */
  function refusal(caller: Caller, record: E, action: A): AppError | undefined {
    const state = def.stateOf(record);
    const policy = policyOf.get(action);
    const rows = def.lifecycle.rows.filter((r) => r.action === action && r.from.includes(state));
    if (!policy || rows.length === 0) {
      try {
        def.lifecycle.transition(state, action);
      } catch (e) {
        return e as AppError;
      }
      // A table action no client takes (e.g. a manifest's automatic completion).
      return new AppError('ILLEGAL_TRANSITION', `The action "${action}" is not taken by clients`, { currentState: state, action });
    }
    if (!rows.some((r) => def.actorIs(r.by, caller, record))) {
      return new AppError('FORBIDDEN', `Only the ${rows.map((r) => r.by).join(' or ')} of this ${def.lifecycle.name} may ${action} it`);
    }
    if (!holdsRole(caller, policy)) {
      return new AppError('FORBIDDEN', `To ${action}, a client needs one of the roles: ${policy.roles.join(', ')}`);
    }
    const block = policy.unless?.(record, caller);
    if (block) {
      return new AppError('ILLEGAL_TRANSITION', block.detail, { currentState: state, action, rule: block.rule });
    }
    return undefined;
  }

  const offered = (caller: Caller, record: E, among: readonly A[] = def.policies.map((p) => p.action)) => {
    const state = def.stateOf(record);
    return [...new Set(def.lifecycle.rows.map((r) => r.action))]
      .filter((a) => among.includes(a) && def.lifecycle.rows.some((r) => r.action === a && r.from.includes(state)))
      .filter((a) => refusal(caller, record, a) === undefined);
  };

  return {
    lifecycle: def.lifecycle as unknown as Lifecycle<S, A, string>,
    offered,
    authorise(caller, record, action) {
      const e = refusal(caller, record, action);
      if (!e) return;
      // A refusal by state keeps the table's list for that state (what the state allows anyone);
      // a refusal of this caller lists what this caller may do instead.
      if (e.code === 'ILLEGAL_TRANSITION' && e.extras.rule === undefined && e.extras.allowedActions) throw e;
      throw new AppError(e.code, e.message, { ...e.extras, allowedActions: offered(caller, record) });
    },
  };
}
