// Lifecycles as data: a table of (from states, action, to state, who), one pure transition
// function, and the README's Mermaid diagram generated from the same table.
import { AppError } from '../http/errors.js';

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
