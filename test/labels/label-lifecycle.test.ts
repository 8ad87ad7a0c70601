import { describe, expect, it } from 'vitest';
import { labelLifecycle, LABEL_STATES } from '../../src/labels/label-lifecycle.js';
import { AppError } from '../../src/core/errors.js';

describe('label lifecycle table', () => {
  it('reaches every state from the initial one', () => {
    const seen = new Set([labelLifecycle.initial]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const r of labelLifecycle.rows) {
        if (r.from.some((f) => seen.has(f)) && !seen.has(r.to)) { seen.add(r.to); grew = true; }
      }
    }
    expect([...seen].sort()).toEqual([...LABEL_STATES].sort());
  });

  it('has no exit from a terminal state, and every non-terminal state has one', () => {
    for (const s of LABEL_STATES) {
      const exits = labelLifecycle.allowedActions(s);
      if (labelLifecycle.terminal.includes(s)) expect(exits, s).toEqual([]);
      else expect(exits.length, s).toBeGreaterThan(0);
    }
  });

  it('refuses an illegal step with the current state and the allowed actions', () => {
    try {
      labelLifecycle.transition('treated', 'store');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).extras).toEqual({ currentState: 'treated', action: 'store', allowedActions: [] });
    }
    expect(labelLifecycle.transition('issued', 'store')).toBe('stored');
  });

  it('draws the table as a Mermaid state diagram', () => {
    const m = labelLifecycle.mermaid();
    expect(m).toMatch(/^stateDiagram-v2/);
    expect(m).toContain('issued --> stored: store (holder)');
    expect(m).toContain('treated --> [*]');
  });
});
