import { describe, it, expect } from 'vitest';
import {
  HAZARDS,
  WASTE_CODE_PATTERN,
  categoryOf,
  coversWasteCode,
  findCategory,
  findWasteCode,
  isCategory,
  isWellFormedWasteCode,
  listCategories,
  listWasteCodes,
} from '../../src/catalog/catalog.js';

describe('catalog data', () => {
  it('loads 467 codes and 46 categories', () => {
    expect(listWasteCodes()).toHaveLength(467);
    expect(listCategories()).toHaveLength(46);
  });

  it('category code counts add up to the code total', () => {
    const total = listCategories().reduce((s, c) => s + c.codeCount, 0);
    expect(total).toBe(467);
    expect(listCategories().every((c) => c.codeCount > 0)).toBe(true);
  });

  it('every code is well formed and its last two digits name its category', () => {
    for (const c of listWasteCodes()) {
      expect(isWellFormedWasteCode(c.code)).toBe(true);
      expect(categoryOf(c.code)).toBe(c.category);
      expect(c.hazards.length).toBeGreaterThan(0);
      expect(c.hazards.every((h) => HAZARDS.includes(h))).toBe(true);
    }
  });
});

describe('findWasteCode', () => {
  it('finds a listed code with category name and hazards', () => {
    const c = findWasteCode('900-041-49');
    expect(c).toMatchObject({
      code: '900-041-49',
      category: 'HW49',
      categoryName: '其他废物',
      industry: '非特定行业',
      hazards: ['T', 'In'],
    });
  });

  it('accepts 900-000-XX for an existing category', () => {
    const c = findWasteCode('900-000-08');
    expect(c).toBeDefined();
    expect(c!.category).toBe('HW08');
    expect(c!.industry).toBe('非特定行业');
    expect(c!.description).toContain('经鉴别');
    // HW08 listed codes carry T and T,I
    expect(c!.hazards).toEqual(['T', 'I']);
  });

  it('900-000-01 unions the hazards of HW01 (In plus T,C,I,R)', () => {
    expect(findWasteCode('900-000-01')!.hazards).toEqual(['T', 'C', 'I', 'R', 'In']);
  });

  it('rejects unknown categories, unlisted and malformed codes', () => {
    expect(findWasteCode('900-000-99')).toBeUndefined();
    expect(findWasteCode('900-000-41')).toBeUndefined(); // HW41..44 do not exist
    expect(findWasteCode('999-999-99')).toBeUndefined();
    expect(findWasteCode('900-999-08')).toBeUndefined();
    expect(findWasteCode('900-41-49')).toBeUndefined();
    expect(findWasteCode('')).toBeUndefined();
  });

  it('returns copies that cannot corrupt the catalog', () => {
    findWasteCode('900-041-49')!.hazards.push('C');
    expect(findWasteCode('900-041-49')!.hazards).toEqual(['T', 'In']);
  });
});

describe('listWasteCodes', () => {
  it('filters by category', () => {
    const hw08 = listWasteCodes({ category: 'HW08' });
    expect(hw08.length).toBe(findCategory('HW08')!.codeCount);
    expect(hw08.every((c) => c.category === 'HW08')).toBe(true);
    expect(listWasteCodes({ category: 'HW99' })).toEqual([]);
  });

  it('searches Chinese description text', () => {
    const r = listWasteCodes({ q: '废铅蓄电池' });
    expect(r.map((c) => c.code)).toEqual(['900-052-31']);
    expect(listWasteCodes({ q: '废润滑油' }).some((c) => c.code === '900-214-08')).toBe(true);
  });

  it('searches code substrings and combines with category', () => {
    expect(listWasteCodes({ q: '900-214' }).map((c) => c.code)).toEqual(['900-214-08']);
    expect(listWasteCodes({ q: '900-214', category: 'HW49' })).toEqual([]);
  });

  it('does not list 900-000-XX pseudo-codes', () => {
    expect(listWasteCodes({ q: '900-000' })).toEqual([]);
  });
});

describe('categories', () => {
  it('isCategory requires HW + 2 digits and existence', () => {
    expect(isCategory('HW08')).toBe(true);
    expect(isCategory('HW50')).toBe(true);
    expect(isCategory('HW41')).toBe(false);
    expect(isCategory('HW8')).toBe(false);
    expect(isCategory('hw08')).toBe(false);
  });

  it('findCategory', () => {
    expect(findCategory('HW01')).toMatchObject({ category: 'HW01', name: '医疗废物' });
    expect(findCategory('HW99')).toBeUndefined();
  });

  it('categoryOf derives HWxx from the last two digits', () => {
    expect(categoryOf('900-214-08')).toBe('HW08');
  });
});

describe('coversWasteCode', () => {
  it('matches whole categories and exact codes', () => {
    expect(coversWasteCode(['HW08'], '900-214-08')).toBe(true);
    expect(coversWasteCode(['HW08'], '900-000-08')).toBe(true);
    expect(coversWasteCode(['900-214-08'], '900-214-08')).toBe(true);
    expect(coversWasteCode(['900-214-08'], '900-249-08')).toBe(false);
    expect(coversWasteCode(['HW49'], '900-214-08')).toBe(false);
    expect(coversWasteCode([], '900-214-08')).toBe(false);
  });
});

describe('patterns', () => {
  it('WASTE_CODE_PATTERN is a regex source string', () => {
    const re = new RegExp(WASTE_CODE_PATTERN);
    expect(re.test('900-041-49')).toBe(true);
    expect(re.test('900-041-490')).toBe(false);
    expect(isWellFormedWasteCode('900041-49')).toBe(false);
  });
});
