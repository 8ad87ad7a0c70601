import { describe, it, expect } from 'vitest';
import { METHOD_CODE_PATTERN, METHOD_KINDS, methodKind } from '../../src/catalog/treatment-methods.js';

describe('treatment methods', () => {
  it('classifies R codes as utilisation', () => {
    for (let i = 1; i <= 15; i++) expect(methodKind(`R${i}`)).toBe('utilisation');
    expect(METHOD_KINDS.R4.name).toContain('金属');
  });

  it('classifies D codes as disposal', () => {
    expect(methodKind('D1')).toBe('disposal');
    expect(METHOD_KINDS.D1.name).toBe('填埋');
    expect(methodKind('D9')).toBe('disposal');
    expect(methodKind('D10')).toBe('disposal');
    expect(methodKind('D16')).toBe('disposal');
  });

  it('classifies C codes as other', () => {
    for (let i = 1; i <= 5; i++) expect(methodKind(`C${i}`)).toBe('other');
    expect(METHOD_KINDS.C1.name).toBe('水泥窑协同处置');
  });

  it('returns undefined for unknown codes', () => {
    expect(methodKind('R16')).toBeUndefined();
    expect(methodKind('X1')).toBeUndefined();
    expect(methodKind('toString')).toBeUndefined();
    expect(methodKind('')).toBeUndefined();
  });

  it('every key matches METHOD_CODE_PATTERN', () => {
    const re = new RegExp(METHOD_CODE_PATTERN);
    for (const code of Object.keys(METHOD_KINDS)) expect(re.test(code)).toBe(true);
    expect(re.test('R100')).toBe(false);
    expect(re.test('r1')).toBe(false);
  });
});
