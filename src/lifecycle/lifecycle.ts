// Lifecycles as data: a table of (from states, action, to state, who), one pure transition
// function, and the README's Mermaid diagram generated from the same table.
import { AppError } from '../core/errors.js';

export interface TransitionRow<S extends string, A extends string, R extends string> {
  from: readonly S[];
  action: A;
  to: S;
  by: R;
  /** Shown on the diagram and in docs: what the step means or requires. */
  note?: string;
}

export interface Lifecycle<S extends string, A extends string, R extends string> {
  name: string;
  states: readonly S[];
  initial: S;
  terminal: readonly S[];
  rows: readonly TransitionRow<S, A, R>[];
  /** The next state, or a 409 ILLEGAL_TRANSITION naming the state and the allowed actions. */
  transition(state: S, action: A, to?: S): S;
  /** Actions allowed from a state, optionally only those an actor kind may take. */
  allowedActions(state: S, may?: (by: R) => boolean): A[];
  /** The states from which the action may be taken: state sets for queries come from the table. */
  statesAllowing(action: A): S[];
  /** The state and every state reachable from it through the table, optionally not through the actions `except`. */
  reachableFrom(state: S, except?: readonly A[]): S[];
  mermaid(): string;
}

export function defineLifecycle<S extends string, A extends string, R extends string>(def: {
  name: string;
  states: readonly S[];
  initial: S;
  /** The action that creates the entity in its initial state (drawn from [*]). */
  createdBy: { action: A; by: R };
  terminal: readonly S[];
  rows: readonly TransitionRow<S, A, R>[];
}): Lifecycle<S, A, R> {
  const allowedActions = (state: S, may: (by: R) => boolean = () => true): A[] => [
    ...new Set(def.rows.filter((r) => r.from.includes(state) && may(r.by)).map((r) => r.action)),
  ];

  return {
    ...def,
    allowedActions,
    statesAllowing: (action) => def.states.filter((st) => def.rows.some((r) => r.action === action && r.from.includes(st))),
    reachableFrom(state, except = []) {
      const seen = new Set<S>([state]);
      const rows = def.rows.filter((r) => !except.includes(r.action));
      for (let grew = true; grew;) {
        grew = false;
        for (const r of rows) {
          if (r.from.some((f) => seen.has(f)) && !seen.has(r.to)) { seen.add(r.to); grew = true; }
        }
      }
      return def.states.filter((st) => seen.has(st));
    },
    transition(state, action, to) {
      const rows = def.rows.filter((r) => r.action === action && r.from.includes(state) && (to === undefined || r.to === to));
      if (rows.length === 0) {
        throw new AppError('ILLEGAL_TRANSITION', `A ${def.name} in state "${state}" cannot take the action "${action}"${to ? ` to "${to}"` : ''}`, {
          currentState: state,
          action,
          allowedActions: allowedActions(state),
        });
      }
      return rows[0].to;
    },
    mermaid() {
      const lines = ['stateDiagram-v2', `  [*] --> ${def.initial}: ${def.createdBy.action} (${def.createdBy.by})`];
      for (const r of def.rows) {
        for (const f of r.from) lines.push(`  ${f} --> ${r.to}: ${r.action} (${r.by})`);
      }
      for (const t of def.terminal) lines.push(`  ${t} --> [*]`);
      return lines.join('\n');
    },
  };
}
