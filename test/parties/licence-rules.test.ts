import { describe, expect, it } from 'vitest';
import {
  LICENCE_MODES, licenceActiveOn, licenceCovers, licenceHasMode, requiredModesFor,
} from '../../src/parties/licence-rules.js';

describe('licenceCovers', () => {
  it('covers exact codes and whole categories', () => {
    const l = { wasteCodes: ['HW08', '841-001-01'] };
    expect(licenceCovers(l, '900-214-08')).toBe(true);
    expect(licenceCovers(l, '900-000-08')).toBe(true);
    expect(licenceCovers(l, '841-001-01')).toBe(true);
    expect(licenceCovers(l, '841-002-01')).toBe(false);
    expect(licenceCovers(l, '900-041-49')).toBe(false);
  });

  it('a licence listing nothing covers nothing', () => {
    expect(licenceCovers({ wasteCodes: [] }, '900-214-08')).toBe(false);
  });
});

describe('licenceActiveOn', () => {
  // A pure function of the dates it is given: a fixed example period, whatever day the test runs on.
  const l = { status: 'active', validFrom: '2025-01-01', validTo: '2025-12-31' };
  it('is inclusive at both ends', () => {
    expect(licenceActiveOn(l, '2025-01-01')).toBe(true);
    expect(licenceActiveOn(l, '2025-12-31')).toBe(true);
    expect(licenceActiveOn(l, '2025-06-15')).toBe(true);
  });
  it('is false outside the period', () => {
    expect(licenceActiveOn(l, '2024-12-31')).toBe(false);
    expect(licenceActiveOn(l, '2026-01-01')).toBe(false);
  });
  it('is false when suspended or revoked, even inside the period', () => {
    expect(licenceActiveOn({ ...l, status: 'suspended' }, '2025-06-15')).toBe(false);
    expect(licenceActiveOn({ ...l, status: 'revoked' }, '2025-06-15')).toBe(false);
  });
});

describe('requiredModesFor', () => {
  it('maps utilisation methods (R…, C2, C3) to utilisation, disposal methods (D…, C1, Y…) to disposal', () => {
    expect(requiredModesFor('R4')).toEqual(['utilisation']);
    expect(requiredModesFor('C2')).toEqual(['utilisation']);
    expect(requiredModesFor('D10')).toEqual(['disposal']);
    expect(requiredModesFor('D1')).toEqual(['disposal']);
    expect(requiredModesFor('C1')).toEqual(['disposal']);
    expect(requiredModesFor('Y10')).toEqual(['disposal']);
  });
  it('accepts any mode when no method is stated', () => {
    expect(requiredModesFor(undefined)).toEqual([...LICENCE_MODES]);
    expect(requiredModesFor('')).toEqual([...LICENCE_MODES]);
  });
  it('refuses a code missing from the table: no licence satisfies it', () => {
    expect(requiredModesFor('D5')).toEqual([]);
    expect(requiredModesFor('R12')).toEqual([]);
    expect(requiredModesFor('X1')).toEqual([]);
    expect(requiredModesFor('incinerate')).toEqual([]);
  });
});

describe('licenceHasMode', () => {
  const disposer = { modes: ['storage', 'disposal'] };
  const utiliser = { modes: ['utilisation'] };
  const gatherer = { modes: ['collection', 'storage'] };

  it('needs the mode matching the intended method', () => {
    expect(licenceHasMode(disposer, 'D10', false)).toBe(true);
    expect(licenceHasMode(disposer, 'R4', false)).toBe(false);
    expect(licenceHasMode(utiliser, 'R4', false)).toBe(true);
    expect(licenceHasMode(utiliser, 'D1', false)).toBe(false);
    expect(licenceHasMode(utiliser, 'C1', false)).toBe(false);
    expect(licenceHasMode(disposer, 'C1', false)).toBe(true);
    expect(licenceHasMode(utiliser, 'C3', false)).toBe(true);
  });

  it('takes any mode when no method is stated', () => {
    expect(licenceHasMode(gatherer, undefined, false)).toBe(true);
    expect(licenceHasMode({ modes: [] }, undefined, false)).toBe(false);
  });

  it('a receiver that gathers to ship onward needs only collection or storage', () => {
    expect(licenceHasMode(gatherer, 'D10', true)).toBe(true);
    expect(licenceHasMode({ modes: ['storage'] }, 'R4', true)).toBe(true);
    expect(licenceHasMode(gatherer, 'D10', false)).toBe(false);
    // A gathering receiver without a gathering mode still needs the method's mode.
    expect(licenceHasMode(utiliser, 'R4', true)).toBe(true);
    expect(licenceHasMode(utiliser, 'D10', true)).toBe(false);
  });
});
